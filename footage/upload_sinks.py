"""Where an evidence upload's bytes go while they stream in (footage.uploads decides what they are).

- FileSink: a temporary file next to the storage folder (local storage), or in DATA_DIR/incoming for a
  ZIP archive bound for a bucket: a ZIP is checked entry by entry (footage.contents), which needs random
  access, so it is spooled to disk and copied into the bucket once accepted.
- BucketSink: straight into an S3 multipart upload of its final object (cameraregistry.bucket_storage),
  so a video never lies whole in memory or on the app server's disk.

Every sink ends in exactly one of store() (it becomes evidence) or discard() (nothing is left: the
temporary file removed, the multipart upload aborted, or the completed object deleted).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages

from cameraregistry.bucket_storage import BucketStorage

EVIDENCE_FOLDER = "evidence"


def storage_root() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def current_storage():
    """The storage behind default_storage (the same instance)."""
    return storages["default"]


def uses_bucket() -> bool:
    return isinstance(current_storage(), BucketStorage)


def evidence_name(request_id: int | None) -> str:
    """A generated object name: nothing the uploader chose ends up in it."""
    return f"{EVIDENCE_FOLDER}/{request_id if request_id is not None else 'incoming'}/{secrets.token_hex(16)}.bin"


def new_sink(*, spool: bool, request_id: int | None) -> FileSink | BucketSink:
    """The sink for one file: a bucket multipart upload unless the storage is local or `spool` is asked."""
    if uses_bucket() and not spool:
        return BucketSink(evidence_name(request_id))
    if uses_bucket():
        return FileSink(Path(settings.DATA_DIR) / "incoming", request_id)
    return FileSink(storage_root() / EVIDENCE_FOLDER / ".incoming", request_id)


class FileSink:
    def __init__(self, folder: Path, request_id: int | None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.request_id = request_id
        self.path: Path | None = folder / f"{secrets.token_hex(16)}.part"
        self._file = open(self.path, "xb")  # noqa: SIM115 - closed in finish() or discard()
        self.stored = False

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def finish(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def store(self, request_id: int) -> str:
        """Move the file into storage under a generated name; returns the stored name."""
        name = evidence_name(request_id)
        storage = current_storage()
        if isinstance(storage, FileSystemStorage):
            target = Path(storage.path(name))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path, target)  # same file system: no second copy of gigabytes
        else:
            with open(self.path, "rb") as handle:
                if isinstance(storage, BucketStorage):
                    storage.upload_from(name, handle)
                else:
                    name = storage.save(name, File(handle))
            self.path.unlink(missing_ok=True)
        self.stored = True
        return name

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        if self.path is not None and not self.stored:
            self.path.unlink(missing_ok=True)


class BucketSink:
    path = None  # nothing on disk

    def __init__(self, name: str) -> None:
        self.name = name
        self._writer = current_storage().multipart(name)
        self.stored = False
        self._ended = False

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    def finish(self) -> None:
        self._writer.complete()

    def store(self, request_id: int) -> str:
        # Already in place under its final name (chosen when the footage request was known).
        self.stored = True
        return self.name

    def discard(self) -> None:
        if self.stored or self._ended:
            return
        self._ended = True
        self._writer.abort()
