"""Backup restore under load: `manage.py backup` while residents register, `manage.py restore` into a fresh
instance; every table holds what the backup's database held, the audit chain verifies, evidence hashes match."""

from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3
import sys
import threading
import time
from pathlib import Path

from drills.common import SHORT, Instance, Load, run_for
from drills.crash_upload import footage_links, owner_session, stream_upload
from drills.embedded import resident, setup_town

RESIDENTS = 20
SECONDS = 8 if SHORT else 20
CLIPS = 3


def table_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {name: connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


def evidence_hashes_bad(instance: Instance) -> tuple[int, int]:
    """(evidence rows, rows whose restored file is missing or hashes differently)."""
    with sqlite3.connect(instance.dir / "registry.sqlite3") as connection:
        rows = connection.execute("SELECT stored_name, sha256 FROM footage_evidencefile").fetchall()
    bad = 0
    for name, sha256 in rows:
        path = instance.dir / "uploads" / name
        bad += not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256
    return len(rows), bad


def main() -> int:
    source = Instance("restore-source")
    source.activate()
    source.prepare()
    addresses, _codes, _search = setup_town()
    _server, url = source.gunicorn()
    for public_id, value in footage_links(CLIPS):
        status, _page = stream_upload(url, public_id, owner_session(url, public_id, value), 5 << 20)
        if status != 200:
            raise RuntimeError(f"a 5 MB clip was refused with HTTP {status}")
    load, acknowledged, lock, pool = Load(), [], threading.Lock(), itertools.cycle(addresses)

    class Addresses:
        def __next__(self) -> str:
            with lock:
                return next(pool)

    workers = [resident(url, 100 + n, Addresses(), load, acknowledged) for n in range(RESIDENTS)]
    seeded = table_counts(source.dir / "registry.sqlite3")["registrations_registration"]
    drive = threading.Thread(target=run_for, args=(SECONDS, workers))
    destination = source.dir / "backups"
    try:
        drive.start()
        time.sleep(SECONDS / 2)
        acknowledged_before = len(acknowledged)
        started = time.monotonic()
        source.manage("backup", "--dest", str(destination))
        backup_seconds = time.monotonic() - started
        acknowledged_during = len(acknowledged) - acknowledged_before
        drive.join()
    finally:
        source.stop()
    folder = next(destination.glob("backup-*"))
    in_backup = table_counts(folder / "database.sqlite3")
    at_end = table_counts(source.dir / "registry.sqlite3")

    fresh = Instance("restore-target", SECRET_KEY=source.env["SECRET_KEY"])  # the keys travel apart (README)
    restored = fresh.manage("restore", str(folder), check=False)
    audit = fresh.manage("verify_audit_log", check=False)
    after = table_counts(fresh.dir / "registry.sqlite3")
    differing = sorted(name for name in in_backup if name != "django_migrations" and after.get(name) != in_backup[name])
    evidence, bad = evidence_hashes_bad(fresh)
    registrations = "registrations_registration"
    good = restored.returncode == 0 and audit.returncode == 0 and not differing and evidence == CLIPS and bad == 0
    good = good and in_backup[registrations] >= seeded + acknowledged_before
    print(f"### Backup restore under load ({RESIDENTS} residents registering for {SECONDS} s, SQLite)\n")
    print("| check | result |\n|---|---|")
    print(
        f"| registrations acknowledged before the backup / while it ran | {acknowledged_before} / {acknowledged_during} |"
    )
    print(f"| backup took | {backup_seconds:.1f} s |")
    print(
        f"| registrations: in the backup / restored / source at the end | {in_backup[registrations]} / "
        f"{after.get(registrations)} / {at_end[registrations]} |"
    )
    print(f"| tables whose count differs from the backup's database | {', '.join(differing) or 'none'} |")
    said = re.sub(r"\S*backup-\S*", "the backup", restored.stdout.strip())[:200]  # without the folder's path
    print(f"| manage.py restore | exit {restored.returncode}: {said} |")
    print(f"| verify_audit_log on the restored instance | exit {audit.returncode}: {audit.stdout.strip()[-120:]} |")
    print(f"| evidence files restored / with a wrong or missing hash | {evidence} / {bad} |\n")
    source.remove()
    fresh.remove()
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
