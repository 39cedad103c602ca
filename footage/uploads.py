"""Streaming evidence uploads.

Each file goes straight from the request body to its sink (footage.upload_sinks: a temporary file
next to the local storage folder, or an S3 multipart upload of its final object in the bucket), in
chunks, with SHA-256 computed on the way and the size limit checked on every chunk, so neither a
large nor a hostile upload is ever held in memory. The first bytes are sniffed against an allow-list
of video and DVR export formats before anything is written. Nothing is recorded here: the view hands
completed files to the service, and every sink that did not end up in an evidence record is discarded.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.utils.translation import gettext as _

from cameraregistry.bucket_storage import BucketStorage
from footage.contents import ZIP_TYPE, contents_problem
from footage.upload_sinks import EVIDENCE_FOLDER, current_storage, new_sink, storage_root
from footage.video_types import detect_video_type

__all__ = ["EVIDENCE_FOLDER", "EvidenceUploadHandler", "detect_video_type", "display_name", "storage_root"]

CHUNK_BYTES = 1024 * 1024
SNIFF_BYTES = 1024

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
    sink: object  # footage.upload_sinks.FileSink or BucketSink
    size: int
    sha256: str
    detected_type: str
    stored_name: str = ""


@dataclass
class Rejection:
    display_name: str
    reason: str


class EvidenceUploadHandler(FileUploadHandler):
    """Upload handler for one request's answer; set on `request.upload_handlers` by the view only.

    The view sets `request_id` once it knows the footage request, before the body is read, so that a
    file bound for a bucket is written once, under its final name.
    """

    chunk_size = CHUNK_BYTES

    def __init__(self, request=None, *, max_file_bytes: int, max_files: int) -> None:
        super().__init__(request)
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.request_id: int | None = None
        self.received: list[ReceivedFile] = []
        self.rejected: list[Rejection] = []
        self.too_large: Rejection | None = None
        self._active = False
        self._sink = None
        self._sinks: list = []

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self._name = display_name(file_name or "")
        self._active = False
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
        self._active = True
        self._sink = None
        self._hash = hashlib.sha256()
        self._size = 0
        self._pending: list[bytes] = []  # the first bytes, held until they are sniffed (about one chunk)
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
        self._active = False
        self._pending = []
        if self._sink is not None:
            sink, self._sink = self._sink, None
            sink.discard()

    def receive_data_chunk(self, raw_data: bytes, start: int):
        if not self._active:
            return None
        if self._size + len(raw_data) > self.max_file_bytes:
            self._refuse_too_large()
        self._hash.update(raw_data)
        self._size += len(raw_data)
        if self._sink is not None:
            self._write(raw_data)
            return None
        self._pending.append(raw_data)
        self._head += raw_data[: SNIFF_BYTES - len(self._head)]
        if len(self._head) >= SNIFF_BYTES:
            self._sniff_and_open()
        return None

    def _write(self, data: bytes) -> None:
        try:
            self._sink.write(data)
        except BaseException:
            self._discard_current()
            raise

    def _sniff_and_open(self) -> None:
        """Decide what the file is from its first bytes, then open its sink and write what was held."""
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
        # A ZIP is checked entry by entry, which needs random access: spooled to a file even for a bucket.
        self._sink = new_sink(spool=self._detected == ZIP_TYPE, request_id=self.request_id)
        self._sinks.append(self._sink)
        pending, self._pending = self._pending, []
        for data in pending:
            self._write(data)

    def file_complete(self, file_size: int):
        if not self._active:
            return None
        if self._size == 0:
            self.rejected.append(Rejection(self._name, _("This file is empty (0 bytes).")))
            self._discard_current()
            return None
        if self._sink is None:
            try:
                self._sniff_and_open()
            except SkipFile:
                return None
        sink = self._sink
        try:
            sink.finish()
        except BaseException:
            self._discard_current()
            raise
        reason = contents_problem(sink.path, self._name, self._detected, max_bytes=self.max_file_bytes)
        if reason:
            self.rejected.append(Rejection(self._name, reason))
            self._discard_current()
            return None
        self.received.append(ReceivedFile(self._name, sink, self._size, self._hash.hexdigest(), self._detected))
        self._sink, self._active = None, False
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
        """Put a completed file in storage under a generated name (WORM-protected in a bucket that can)."""
        name = received.sink.store(request_id)
        storage = current_storage()
        if isinstance(storage, BucketStorage):
            storage.protect(name)
        received.stored_name = name
        return name

    def cleanup(self) -> None:
        """Discard every sink not stored as evidence: nothing partial survives the request."""
        self._discard_current()
        for sink in self._sinks:
            sink.discard()
