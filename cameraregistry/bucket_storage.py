"""The S3-compatible bucket behind STORAGE_URL (cameraregistry/storage_url.py), through django-storages.

Besides django-storages' S3Storage this gives what evidence needs and S3Storage does not do without
a full copy: a multipart upload fed chunk by chunk (bounded memory, nothing on the app server's disk),
an object read as a stream of chunks pinned to one version (ETag), and WORM retention (object lock)
set on an object where the bucket supports it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

logger = logging.getLogger(__name__)

# S3 parts are at least 5 MiB (all but the last); 8 MiB keeps memory bounded and requests few.
PART_BYTES = 8 * 1024 * 1024
READ_CHUNK_BYTES = 1024 * 1024
_MISSING = {"NoSuchKey", "404", "NotFound"}
_lock_refusals_logged: set[str] = set()


class StorageUnavailable(OSError):
    """The bucket could not be reached or answered with an error: nothing is kept, try again later."""


@contextmanager
def _reaching(what: str):
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise StorageUnavailable(f"{what}: {error}") from error


class BucketStorage(S3Storage):
    """S3Storage plus object-lock settings (object_lock_days, object_lock_mode) from STORAGE_URL."""

    def get_default_settings(self):
        return {**super().get_default_settings(), "object_lock_days": 0, "object_lock_mode": "GOVERNANCE"}

    @property
    def client(self):
        return self.connection.meta.client

    def key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def open_stream(self, name: str, *, etag: str | None = None) -> tuple[str, Iterator[bytes]]:
        """(ETag, chunks) of the object; with `etag`, only that version (else FileNotFoundError)."""
        arguments = {"Bucket": self.bucket_name, "Key": self.key(name)}
        if etag:
            arguments["IfMatch"] = etag
        try:
            response = self.client.get_object(**arguments)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _MISSING or code in {"PreconditionFailed", "412"}:
                raise FileNotFoundError(name) from None
            raise StorageUnavailable(f"reading {name}: {error}") from error
        except BotoCoreError as error:
            raise StorageUnavailable(f"reading {name}: {error}") from error
        return response["ETag"], _chunks(response["Body"], name)

    def multipart(self, name: str) -> MultipartWriter:
        return MultipartWriter(self, name)

    def upload_from(self, name: str, handle) -> None:
        """Copy an open binary file into the object `name`, part by part; nothing is left on failure."""
        writer = self.multipart(name)
        try:
            while chunk := handle.read(READ_CHUNK_BYTES):
                writer.write(chunk)
            writer.complete()
        except BaseException:
            writer.abort()
            raise

    def object_exists(self, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket_name, Key=self.key(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code", "") in _MISSING:
                return False
            raise StorageUnavailable(f"looking up {name}: {error}") from error
        except BotoCoreError as error:
            raise StorageUnavailable(f"looking up {name}: {error}") from error
        return True

    def protect(self, name: str, *, now: datetime | None = None) -> bool:
        """Set WORM retention on the object when object_lock_days is set. A bucket that refuses
        (no object lock enabled, or a store without it) is logged once and the upload goes on."""
        if not self.object_lock_days:
            return False
        until = (now or datetime.now(UTC)) + timedelta(days=self.object_lock_days)
        try:
            self.client.put_object_retention(
                Bucket=self.bucket_name,
                Key=self.key(name),
                Retention={"Mode": self.object_lock_mode, "RetainUntilDate": until},
            )
        except BotoCoreError as error:
            logger.warning("Could not set object-lock retention on %s (%s); it is stored without it.", name, error)
            return False
        except ClientError as error:
            if self.bucket_name not in _lock_refusals_logged:
                _lock_refusals_logged.add(self.bucket_name)
                logger.warning(
                    "Bucket %s refused object-lock retention (%s); evidence is stored without WORM retention. "
                    "Create the bucket with object lock enabled, or remove object_lock_days from STORAGE_URL.",
                    self.bucket_name,
                    error.response.get("Error", {}).get("Code", "error"),
                )
            return False
        return True


def _chunks(body, name: str) -> Iterator[bytes]:
    try:
        with _reaching(f"reading {name}"):
            yield from body.iter_chunks(READ_CHUNK_BYTES)
    finally:
        body.close()


class MultipartWriter:
    """One object written as an S3 multipart upload: write() chunks of any size, then complete() or abort().

    At most PART_BYTES plus one chunk is held in memory. Nothing is visible in the bucket before
    complete(); abort() removes the parts sent so far (and the object, if it was already completed).
    """

    def __init__(self, storage: BucketStorage, name: str) -> None:
        self.storage, self.name = storage, name
        self._key = storage.key(name)
        self._buffer = bytearray()
        self._parts: list[dict] = []
        self.completed = False
        with _reaching(f"starting the upload of {name}"):
            self._upload_id = storage.client.create_multipart_upload(
                Bucket=storage.bucket_name, Key=self._key, ContentType="application/octet-stream"
            )["UploadId"]

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= PART_BYTES:
            self._send(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]

    def _send(self, data: bytes) -> None:
        number = len(self._parts) + 1
        with _reaching(f"sending part {number} of {self.name}"):
            response = self.storage.client.upload_part(
                Bucket=self.storage.bucket_name, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=data
            )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})

    def complete(self) -> None:
        if self._buffer or not self._parts:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        with _reaching(f"completing the upload of {self.name}"):
            self.storage.client.complete_multipart_upload(
                Bucket=self.storage.bucket_name,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
        self.completed = True

    def abort(self) -> None:
        self._buffer.clear()
        try:
            if self.completed:
                self.storage.delete(self.name)
                return
            self.storage.client.abort_multipart_upload(
                Bucket=self.storage.bucket_name, Key=self._key, UploadId=self._upload_id
            )
        except (BotoCoreError, ClientError):
            logger.exception("Could not abort the multipart upload of %s", self._key)
