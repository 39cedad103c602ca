"""One import of a file at a time: a second import of the same file (same content) while the first is
writing gets a clear message naming when and by whom the first was started.

The marker is a `RunningImport` row, committed before the rows are checked and deleted when the import
ends. A marker left by a process that died (killed mid-import) no longer blocks: at once when that process
ran on this machine and is gone, otherwise once it is older than STALE.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import RunningImport
from .options import ImportOptions

STALE = timedelta(hours=6)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _already_running_message(other: RunningImport | None) -> str:
    if other is None:  # it ended between our attempt and this read
        return "An import of this file was running at the same moment; run this one again."
    by = other.started_by.get_username() if other.started_by else "the command line"
    started = timezone.localtime(other.started_at).strftime("%H:%M")
    return f"An import of this file is already running (started {started} by {by}). Wait for it to finish."


def _process_gone(marker: RunningImport) -> bool:
    if marker.pid is None or marker.host != socket.gethostname():
        return False
    try:
        os.kill(marker.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _clear_dead_markers(digest: str) -> None:
    markers = RunningImport.objects.filter(file_sha256=digest)
    for marker in markers:
        if marker.started_at < timezone.now() - STALE or _process_gone(marker):
            RunningImport.objects.filter(pk=marker.pk).delete()


@contextmanager
def only_import_of_this_file(path: Path, options: ImportOptions, source_name: str) -> Iterator[str | None]:
    """Yields None while this is the only import of the file, or the message for the person when another is."""
    digest = file_digest(path)
    _clear_dead_markers(digest)
    actor = options.actor if getattr(options.actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            marker = RunningImport.objects.create(
                file_sha256=digest,
                source_name=source_name[:200],
                started_by=actor,
                host=socket.gethostname()[:255],
                pid=os.getpid(),
            )
    except IntegrityError:
        yield _already_running_message(
            RunningImport.objects.select_related("started_by").filter(file_sha256=digest).first()
        )
        return
    try:
        yield None
    finally:
        RunningImport.objects.filter(pk=marker.pk).delete()
