"""Import speed: rows per second for a generated CSV (target: 100,000 rows at >= 5,000 rows/s).

`run(scale)` returns result lines (a Markdown table). Each measurement runs in a child process
with its own database, so it never touches the caller's data: a fresh SQLite file in a
temporary folder and, when a server answers, a fresh PostgreSQL database `registry_bench_imports`
(dropped and re-created each run) on BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432).
BENCH_BACKENDS=sqlite or =postgresql measures one backend only. The figure is wall-clock time of
`registrations_import` (reading, checking and writing every row in one all-or-nothing transaction);
"cpu s" is the process time it used, which says what the code costs when the machine is shared.

Measured (100,000 rows; 2-core machine shared with other work; run-to-run spread about +-10%):
- before this work: about 560 rows/s as reported (ORM bulk_create, ~4.5 ms/row profiled in bulk_create).
- executemany inserts, shared validation as it was:
  SQLite 25.2 s wall / 18.0 s CPU -> 3,966 rows/s; PostgreSQL 96.3 s wall / 29.6 s CPU -> 1,039 rows/s
  (the PostgreSQL server, on the same 2 cores, spent most of the time on 400,000 INSERTs).
- now: SQLite 16.0-18.3 s wall (CPU the same) -> 5,450-6,230 rows/s over four runs, ~5,900 typical.
  The form validation skips its control-character regex on printable text and checks plain float
  points inline (check phase ~140 -> ~96 us/row CPU), and cyclic GC is paused during the import
  (it re-walked every live row object; ~15% of the CPU, A/B-measured 4,724/5,360 -> 5,810/6,224).
  PostgreSQL writes with COPY FROM STDIN: 22.6-24.8 s wall / 14.5-15.7 s CPU -> 4,040-4,420 rows/s;
  the rest of the wall time is the server's COPY, the nextval id reservations and the commit
  (~1.5 s of server wait per 20,000 rows, profiled).
- pipeline package (administration/imports/, shared registrations/bulk.py writer), figures now include
  the commit (where PostgreSQL checks every foreign key, ~2 s): SQLite 15.8 s wall / 11.5 s CPU -> 6,313
  rows/s; PostgreSQL 14.1-17.5 s wall / 8.8-8.9 s CPU -> 5,700-7,070 rows/s over four runs. PostgreSQL ids
  are reserved once per file for registrations only (the database numbers cameras, consents and imported
  rows), and each table is one COPY whose rows are built and sealed while the server stores the ones before.
- with resubmission matching (address + name), agency routing and the running-import marker:
  SQLite 12.8 s wall / 12.6 s CPU -> 7,829 rows/s; PostgreSQL 13.2-16.4 s / 10.1 s CPU -> 6,115-7,566 rows/s.
Per row the CPU now goes to (timed alone, 5,000 rows): the shared form validation (~20 us, email
validation ~7 us of it), reading the row (~18-32 us), the fingerprint (~6 us), encryption and lookup
hashes (~15 us) and, on SQLite, the inserts into the tables' indexes (~40 us).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.scratch import child_environment, fresh_postgres_database, run_child

TARGET_ROWS_PER_SECOND = 5000
ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "registry_bench_imports"


def rows_for(scale: str) -> int:
    return 10_000 if scale in ("quick", "small", "smoke") else 100_000


def _measure(rows: int, database_url: str | None) -> dict | str:
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as data_dir:
        return run_child("bench.imports", [str(rows)], child_environment(data_dir, database_url))


def run(scale: str) -> list[str]:
    rows = rows_for(scale)
    backends = [b for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
    lines = [
        "| benchmark | backend | rows | seconds | cpu s | rows/s | target | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for backend in backends:
        url = None
        if backend == "postgresql":
            url = fresh_postgres_database(PG_DATABASE, "bench.imports")
            if url is None:
                lines.append(f"| import_registrations | postgresql | {rows:,} | | | | | skipped (no server) |")
                continue
        figures = _measure(rows, url)
        if isinstance(figures, str):
            lines.append(f"| import_registrations | {backend} | {rows:,} | | | | | failed: {figures} |")
            continue
        verdict = "ok" if figures["rows_per_second"] >= TARGET_ROWS_PER_SECOND else "BELOW TARGET"
        lines.append(
            f"| import_registrations (CSV, all-or-nothing) | {backend} | {figures['rows']:,} | "
            f"{figures['seconds']:.1f} | {figures['cpu_seconds']:.1f} | {figures['rows_per_second']:,.0f} | "
            f"{TARGET_ROWS_PER_SECOND:,} | {verdict} |"
        )
    return lines


def _child(rows: int) -> None:
    import csv
    import random

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from administration.importing import ImportOptions, registrations_import
    from demo.town import build_town
    from registrations.models import AddressPoint

    build_town(registrations=10, seed=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
    addresses = list(AddressPoint.objects.values_list("address", flat=True))
    rng = random.Random(5)
    path = Path(os.environ["DATA_DIR"]) / "bench.csv"
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            [
                "Timestamp",
                "Name",
                "Address",
                "Phone",
                "Email",
                "Camera Locations. Select all that apply.",
                "Do any cameras record the street traffic?",
                "Windows Media Player Compliant",
                "How many days of footage are kept?",
            ]
        )
        for index in range(rows):
            writer.writerow(
                [
                    "1/15/2024 10:22:01",
                    f"Owner {index}",
                    rng.choice(addresses),
                    f"(708) {index // 10000:03d}-{index % 10000:04d}",
                    f"owner{index}@example.com" if index % 3 else "",
                    "Front, Driveway",
                    rng.choice(["Yes", "No"]),
                    rng.choice(["yes", "no", "not sure"]),
                    rng.choice(["7", "14 days", "1 month"]),
                ]
            )
    cpu_started = time.process_time()
    report = registrations_import(path=path, options=ImportOptions(agency=None, dry_run=False, all_or_nothing=True))
    cpu_seconds = time.process_time() - cpu_started
    if not report.ok or report.rows_created != rows:
        raise SystemExit(f"bench import failed: {report.summary()} {report.problems[:3]}")
    figures = {"rows": rows, "seconds": report.seconds, "rows_per_second": report.rows_per_second}
    print(json.dumps({**figures, "cpu_seconds": cpu_seconds}))


if __name__ == "__main__":
    _child(int(sys.argv[1]))
