"""`make drill`: run every drill in its own process and print its figures as Markdown."""

from __future__ import annotations

import os
import platform
import sys
import time

from drills.common import SHORT, run_drill_module

DRILLS = ["embedded", "crash", "restore", "scaleout"]


def main() -> int:
    print(
        f"## Drills — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"{platform.system()}, scale {'short' if SHORT else 'full'}\n"
    )
    failed = []
    for name in DRILLS:
        code, text = run_drill_module(name)
        print(text, flush=True)
        if code:
            failed.append(name)
    print("All drills passed." if not failed else f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
