"""Import speed: rows per second for a generated CSV (target: 100,000 rows at >= 5,000 rows/s).

`run(scale)` is called by `python -m bench`; the measurement runs in a child process with its own
temporary SQLite database, so it never touches the caller's data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_ROWS_PER_SECOND = 5000
ROOT = Path(__file__).resolve().parent.parent


def rows_for(scale: str) -> int:
    return 10_000 if scale in ("quick", "small", "smoke") else 100_000


def run(scale: str) -> list[str]:
    rows = rows_for(scale)
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as data_dir:
        env = {**os.environ, "DATA_DIR": data_dir, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "cameraregistry.settings"}
        env.pop("DATABASE_URL", None)  # always the embedded default: a fresh SQLite file in data_dir
        result = subprocess.run(  # noqa: S603 - fixed arguments, our own module
            [sys.executable, "-m", "bench.imports", str(rows)],
            cwd=ROOT,
            env=env,  # noqa: S603
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        return ["| import_registrations | failed | " + (result.stderr.strip().splitlines() or ["?"])[-1] + " |"]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    verdict = "ok" if figures["rows_per_second"] >= TARGET_ROWS_PER_SECOND else "BELOW TARGET"
    return [
        "| benchmark | rows | seconds | rows/s | target | result |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        f"| import_registrations (CSV, all-or-nothing) | {figures['rows']:,} | {figures['seconds']:.1f} | "
        f"{figures['rows_per_second']:,.0f} | {TARGET_ROWS_PER_SECOND:,} | {verdict} |",
    ]


def _child(rows: int) -> None:
    import csv
    import random

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from administration.importing import ImportOptions, registrations_import
    from registrations.demo import build_town
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
    report = registrations_import(path=path, options=ImportOptions(agency=None, dry_run=False, all_or_nothing=True))
    if not report.ok or report.rows_created != rows:
        raise SystemExit(f"bench import failed: {report.summary()} {report.problems[:3]}")
    print(json.dumps({"rows": rows, "seconds": report.seconds, "rows_per_second": report.rows_per_second}))


if __name__ == "__main__":
    _child(int(sys.argv[1]))
