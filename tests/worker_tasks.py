"""A task for tests/test_run_worker.py: it runs until told to finish, touching no database, and notes each run."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def run_until_released(folder: str) -> str:
    """Note this run in `folder`/runs, then wait for `folder`/release to exist (at most 5 minutes)."""
    with (Path(folder) / "runs").open("a") as runs:
        runs.write("run\n")
    deadline = time.monotonic() + 300
    while not (Path(folder) / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return "released"
