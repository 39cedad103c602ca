"""Chain-head anchors kept outside the database.

Each anchor is one line `<UTC time> <sequence> <entry_hash>` appended to
DATA_DIR/audit-anchors.log (and to syslog when AUDIT_SYSLOG is true). Someone who
can rewrite the database but not this file (or the syslog server) cannot rewrite
the chain up to an anchored entry without `verify_audit_log` noticing.
"""

from __future__ import annotations

import datetime
import logging
import logging.handlers
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from audit.models import AuditEntry

ANCHOR_FILE_NAME = "audit-anchors.log"
ANCHOR_INTERVAL_SECONDS = 60

# Per anchor file, so several settings.DATA_DIR (tests) do not share one clock.
_last_anchor_at: dict[Path, float] = {}
_lock = threading.Lock()
_syslog_logger: logging.Logger | None = None


@dataclass(frozen=True)
class Anchor:
    line_number: int
    written_at: str
    sequence: int
    entry_hash: str


class AnchorLineUnreadable(Exception):
    def __init__(self, line_number: int, text: str) -> None:
        super().__init__(f"line {line_number} of the anchor file cannot be read: {text[:80]!r}")
        self.line_number = line_number


def anchor_path() -> Path:
    return Path(settings.DATA_DIR) / ANCHOR_FILE_NAME


def _syslog() -> logging.Logger | None:
    global _syslog_logger
    if _syslog_logger is None and Path("/dev/log").exists():
        logger = logging.getLogger("cameraregistry.audit.anchor")
        logger.propagate = False
        handler = logging.handlers.SysLogHandler(address="/dev/log")
        handler.setFormatter(logging.Formatter("camera-registry audit-anchor %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        _syslog_logger = logger
    return _syslog_logger


def anchor_write(sequence: int, entry_hash: str, path: Path | None = None) -> str:
    """Append one anchor line durably (fsync) and return it."""
    path = path or anchor_path()
    written_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    line = f"{written_at} {sequence} {entry_hash}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND makes each short line one atomic write, even with several app processes.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if getattr(settings, "AUDIT_SYSLOG", False):
        logger = _syslog()
        if logger is not None:
            logger.info(line.strip())
    with _lock:
        _last_anchor_at[path] = time.monotonic()
    return line.strip()


def anchor_chain_head(path: Path | None = None) -> str | None:
    """Anchor the newest committed entry; None when the log is empty."""
    head = AuditEntry.objects.order_by("-sequence").values("sequence", "entry_hash").first()
    if head is None:
        return None
    return anchor_write(head["sequence"], head["entry_hash"], path)


def anchor_if_due(sequence: int, entry_hash: str, *, force: bool = False) -> str | None:
    """Anchor this entry when forced (exports) or when the last anchor is over a minute old."""
    path = anchor_path()
    with _lock:
        last = _last_anchor_at.get(path)
    if not force and last is not None and time.monotonic() - last < ANCHOR_INTERVAL_SECONDS:
        return None
    return anchor_write(sequence, entry_hash, path)


def read_anchors(path: Path | None = None) -> Iterator[Anchor]:
    """Every anchor in file order; raises AnchorLineUnreadable at the first damaged line."""
    path = path or anchor_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line_number, text in enumerate(handle, start=1):
            parts = text.split()
            if not parts:
                continue
            if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
                raise AnchorLineUnreadable(line_number, text)
            try:
                int(parts[2], 16)
            except ValueError:
                raise AnchorLineUnreadable(line_number, text) from None
            yield Anchor(line_number, parts[0], int(parts[1]), parts[2].lower())
