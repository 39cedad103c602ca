"""Streaming evidence uploads.

Each file goes straight from the request body to a temporary file next to the final
storage folder, in chunks, with SHA-256 computed on the way and the size limit checked
on every chunk, so neither a large nor a hostile upload is ever held in memory. The
first chunk is sniffed against an allow-list of video and DVR export formats.
Nothing is recorded here: the view hands completed files to the service, and removes
every file that did not end up in an evidence record.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.utils.translation import gettext as _

from footage.contents import contents_problem
from footage.video_types import detect_video_type

CHUNK_BYTES = 1024 * 1024
EVIDENCE_FOLDER = "evidence"

# Bidirectional overrides and zero-width characters make "evil‮4pm.exe" display as "evilexe.mp4".
_INVISIBLE = {chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF)}


def display_name(raw: str) -> str:
    """A file name safe to show and to offer in a download, never used to store anything."""
    name = raw.replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFKC", name)
    name = "".join(ch for ch in name if ch not in _INVISIBLE and unicodedata.category(ch)[0] != "C")
    name = name.strip(" .")
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:140] + dot + extension[:9]) if dot and len(extension) <= 9 else name[:150]
    return name or "unnamed"


@dataclass
class ReceivedFile:
    display_name: str
    temporary_path: Path
    size: int
    sha256: str
    detected_type: str
    stored_name: str = ""


@dataclass
class Rejection:
    display_name: str
    reason: str


def storage_root() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


class EvidenceUploadHandler(FileUploadHandler):
    """Upload handler for one request's answer; set on `request.upload_handlers` by the view only."""

    chunk_size = CHUNK_BYTES

    def __init__(self, request=None, *, max_file_bytes: int, max_files: int) -> None:
        super().__init__(request)
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.received: list[ReceivedFile] = []
        self.rejected: list[Rejection] = []
        self.too_large: Rejection | None = None
        self._incoming = storage_root() / EVIDENCE_FOLDER / ".incoming"
        self._current = None
        self._current_path: Path | None = None
        self._temporary_paths: list[Path] = []

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self._name = display_name(file_name or "")
        if field_name != "files":
            raise SkipFile
        if len(self.received) + len(self.rejected) >= self.max_files:
            self.rejected.append(
                Rejection(
                    self._name, _("Only %(count)d files can be sent for one request.") % {"count": self.max_files}
                )
            )
            raise SkipFile
        if content_length is not None and content_length > self.max_file_bytes:
            self._refuse_too_large()
        self._incoming.mkdir(parents=True, exist_ok=True)
        self._current_path = self._incoming / f"{secrets.token_hex(16)}.part"
        self._temporary_paths.append(self._current_path)
        self._current = open(self._current_path, "xb")  # noqa: SIM115 - closed in file_complete or cleanup
        self._hash = hashlib.sha256()
        self._size = 0
        self._sniffed = False
        self._head = b""

    def _refuse_too_large(self) -> None:
        limit_mb = self.max_file_bytes // (1024 * 1024)
        self.too_large = Rejection(
            self._name,
            _("This file is larger than the %(limit)s MB limit; the upload was stopped.") % {"limit": limit_mb},
        )
        self._discard_current()
        # connection_reset: stop reading the body now instead of draining gigabytes we will not keep.
        raise StopUpload(connection_reset=True)

    def _discard_current(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None
        if self._current_path is not None:
            self._current_path.unlink(missing_ok=True)
            self._current_path = None

    def receive_data_chunk(self, raw_data: bytes, start: int):
        if self._current is None:
            return None
        if self._size + len(raw_data) > self.max_file_bytes:
            self._refuse_too_large()
        if not self._sniffed:
            self._head += raw_data[:1024]
            if len(self._head) >= 1024 or start + len(raw_data) >= 1024:
                self._sniff()
        self._hash.update(raw_data)
        self._current.write(raw_data)
        self._size += len(raw_data)
        return None

    def _sniff(self) -> None:
        self._sniffed = True
        self._detected = detect_video_type(self._head)
        if self._detected is None:
            self.rejected.append(
                Rejection(
                    self._name,
                    _(
                        "This is not a video file we can accept. Send the recording as exported by your camera system "
                        "(MP4, MOV, AVI, MKV, WMV, MPEG, DVR export) or a ZIP of those files."
                    ),
                )
            )
            self._discard_current()
            raise SkipFile

    def file_complete(self, file_size: int):
        if self._current is None:
            return None
        if self._size == 0:
            self.rejected.append(Rejection(self._name, _("This file is empty (0 bytes).")))
            self._discard_current()
            return None
        if not self._sniffed:
            try:
                self._sniff()
            except SkipFile:
                return None
        self._current.flush()
        os.fsync(self._current.fileno())
        self._current.close()
        self._current = None
        reason = contents_problem(self._current_path, self._name, self._detected, max_bytes=self.max_file_bytes)
        if reason:
            self.rejected.append(Rejection(self._name, reason))
            self._discard_current()
            return None
        self.received.append(
            ReceivedFile(self._name, self._current_path, self._size, self._hash.hexdigest(), self._detected)
        )
        self._current_path = None
        # Nothing for request.FILES: the view reads `received`, so no file object outlives the request.
        return None

    def upload_interrupted(self) -> None:
        self._discard_current()

    def body_was_truncated(self) -> bool:
        """True when the client sent less than it announced (disconnected half-way)."""
        stream = getattr(self.request, "_stream", None)
        position, limit = getattr(stream, "_pos", None), getattr(stream, "limit", None)
        return position is not None and limit is not None and position < limit and self.too_large is None

    def store(self, received: ReceivedFile, request_id: int) -> str:
        """Move a completed file into storage under a generated name; returns the stored name."""
        name = f"{EVIDENCE_FOLDER}/{request_id}/{secrets.token_hex(16)}.bin"
        if isinstance(default_storage, FileSystemStorage):
            target = Path(default_storage.path(name))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(received.temporary_path, target)  # same file system: no second copy of gigabytes
        else:
            with open(received.temporary_path, "rb") as handle:
                name = default_storage.save(name, File(handle))
            received.temporary_path.unlink(missing_ok=True)
        received.stored_name = name
        return name

    def cleanup(self) -> None:
        """Remove every temporary file still lying around: nothing partial survives the request."""
        self._discard_current()
        for path in self._temporary_paths:
            path.unlink(missing_ok=True)
