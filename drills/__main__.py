"""`make drill`: run every drill in its own process and print its figures as Markdown.

`python -m drills scaleout crash` runs only the drills named."""

from __future__ import annotations

import os
import platform
import sys
import time

from drills.common import SHORT, run_drill_module

DRILLS = ["embedded", "crash", "restore", "scaleout"]


def main() -> int:
    chosen = sys.argv[1:] or DRILLS
    unknown = [name for name in chosen if name not in DRILLS]
    if unknown:
        print(f"No such drill: {', '.join(unknown)} (the drills: {', '.join(DRILLS)})")
        return 2
    print(
        f"## Drills — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"{platform.system()}, scale {'short' if SHORT else 'full'}\n"
    )
    failed = []
    for name in chosen:
        code, text = run_drill_module(name)
        print(text, flush=True)
        if code:
            failed.append(name)
    print("All drills passed." if not failed else f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
