"""Where uploaded import files are kept.

Always in DATA_DIR/imports on the machine that received the upload: the file is read with random access
(openpyxl opens workbooks as ZIP archives) and is at most importing.MAX_FILE_BYTES. With STORAGE_URL naming a
bucket it is also copied there, under imports/, so a task worker on another machine reads the same file:
it is fetched into that machine's DATA_DIR/imports the first time it is needed there.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages

from cameraregistry.bucket_storage import BucketStorage

FOLDER = "imports"


def local_folder() -> Path:
    return Path(settings.DATA_DIR) / FOLDER


def _bucket() -> BucketStorage | None:
    storage = storages["default"]
    return storage if isinstance(storage, BucketStorage) else None


def keep(stored_name: str) -> None:
    """Copy the received file into the bucket, when there is one (nothing to do for local storage)."""
    bucket = _bucket()
    if bucket is not None:
        with (local_folder() / stored_name).open("rb") as handle:
            bucket.upload_from(f"{FOLDER}/{stored_name}", handle)


def local_path(stored_name: str) -> Path:
    """The file on this machine, fetched from the bucket first if only the bucket has it."""
    path = local_folder() / stored_name
    bucket = _bucket()
    if path.exists() or bucket is None:
        return path
    try:
        _tag, chunks = bucket.open_stream(f"{FOLDER}/{stored_name}")
    except FileNotFoundError:
        return path  # the reader says the file cannot be read, as for a missing local file
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{secrets.token_hex(8)}.part")
    try:
        with partial.open("xb") as target:
            for chunk in chunks:
                target.write(chunk)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
