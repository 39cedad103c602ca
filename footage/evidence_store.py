"""Reading stored evidence back: its SHA-256 computed while streaming, and a download stream that re-checks it.

Local storage reads the file; a bucket streams the object in chunks (never a whole copy in memory or on
disk, unlike django-storages' S3File, which spools the object first). A download from a bucket is pinned
to the version that was just verified (its ETag: a changed object is not served) and hashed again as it
streams; the last chunk is held back until the hash is known, so bytes that do not match are never all sent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator

from cameraregistry.bucket_storage import BucketStorage
from footage.upload_sinks import current_storage, uses_bucket

__all__ = ["EvidenceChanged", "hash_stored", "open_local", "open_verified_stream", "uses_bucket"]

logger = logging.getLogger(__name__)
CHUNK_BYTES = 1024 * 1024


class EvidenceChanged(Exception):
    """The bytes being sent do not hash to the recorded SHA-256; the download is cut short."""


def hash_stored(name: str) -> tuple[str, str | None]:
    """(SHA-256, version tag) of the stored file; FileNotFoundError when it is missing."""
    digest = hashlib.sha256()
    storage = current_storage()
    if isinstance(storage, BucketStorage):
        tag, chunks = storage.open_stream(name)
        for chunk in chunks:
            digest.update(chunk)
        return digest.hexdigest(), tag
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest(), None


def open_local(name: str):
    return current_storage().open(name, "rb")


def open_verified_stream(name: str, *, sha256: str, tag: str | None) -> Iterator[bytes]:
    """The bucket object's chunks, only the version `tag` (else FileNotFoundError, raised here, before any
    byte), re-hashed while streaming."""
    _tag, chunks = current_storage().open_stream(name, etag=tag)
    return _checked(chunks, name, sha256)


def _checked(chunks: Iterator[bytes], name: str, sha256: str) -> Iterator[bytes]:
    digest = hashlib.sha256()
    held = None
    for chunk in chunks:
        digest.update(chunk)
        if held is not None:
            yield held
        held = chunk
    if digest.hexdigest() != sha256:
        logger.error("Evidence %s changed while it was being downloaded: SHA-256 %s", name, digest.hexdigest())
        raise EvidenceChanged(name)
    if held is not None:
        yield held
