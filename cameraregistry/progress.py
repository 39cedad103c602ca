from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """A one-line progress bar for long commands; plain lines when not on a terminal."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.last_percent = -1
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def advance(self, count: int = 1) -> None:
        self.done += count
        percent = min(100, self.done * 100 // self.total)
        if percent == self.last_percent or (not self.tty and percent % 10 and percent != 100):
            return
        self.last_percent = percent
        elapsed = time.monotonic() - self.started
        bar = "#" * (percent // 4) + "-" * (25 - percent // 4)
        line = f"{self.label}: [{bar}] {percent:3d}% {self.done:,}/{self.total:,} ({elapsed:.1f}s)"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and percent == 100:
            self.stream.write("\n")
        self.stream.flush()
