"""The canvass results page over HTTP at the agency's largest allowed searches (target: p95 <= 1.0 s, HTML <= 1 MB).

`run(scale)` returns result lines (a Markdown table). Each backend runs in a child process with its own
database: the demo town of `manage.py seed_demo` (2,000 registrations, 20x20 streets) in a fresh SQLite file
and, when a server answers, a fresh PostgreSQL database `registry_bench_canvass_http` on BENCH_POSTGRES_URL.
An MFA-verified investigator runs three searches from the town centre (the agency maximum radius, a polygon
of almost the 4 km2 limit, a serpentine route of 9 km with the widest corridor: each covers most of the town),
then a signed-in Django test client (no template instrumentation, DEBUG off) GETs each results page
repeatedly. "server ms" is the wall time of one GET through middleware, view and template in this process
(including the database server's time); "app CPU" is the CPU this process used for it, which says what the code
costs when other work shares the machine.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from bench.scratch import child_environment, fresh_postgres_database, run_child

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "registry_bench_canvass_http"
TOWN_REGISTRATIONS = 2000
TOWN_SEED = 2025
TARGET_P95_MS = 1000.0
TARGET_HTML_BYTES = 1_000_000


def requests_for(scale: str) -> int:
    return 5 if scale in ("quick", "small", "smoke") else 20


def _measure(requests: int, database_url: str | None) -> list[dict] | str:
    with tempfile.TemporaryDirectory(prefix="bench-canvass-http-") as data_dir:
        env = child_environment(data_dir, database_url, ALLOWED_HOSTS="testserver")
        return run_child("bench.canvass_http", [str(requests)], env)


def run(scale: str) -> list[str]:
    requests = requests_for(scale)
    backends = [b for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
    lines = [
        "| results page (demo town, 2,000 registrations) | backend | addresses | cameras | GETs | "
        "server p50 ms | server p95 ms | app CPU p50 ms | HTML bytes | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for backend in backends:
        url = None
        if backend == "postgresql":
            url = fresh_postgres_database(PG_DATABASE, "bench.canvass_http")
            if url is None:
                lines.append("| results page | postgresql | | | | | | | | skipped (no server) |")
                continue
        started = time.perf_counter()
        cells = _measure(requests, url)
        print(f"bench.canvass_http: {backend} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if isinstance(cells, str):
            lines.append(f"| results page | {backend} | | | | | | | | failed: {cells} |")
            continue
        for cell in cells:
            ok = cell["p95_ms"] <= TARGET_P95_MS and cell["html_bytes"] <= TARGET_HTML_BYTES
            lines.append(
                f"| {cell['search']} | {backend} | {cell['addresses']:,} | {cell['cameras']:,} | {cell['requests']} | "
                f"{cell['p50_ms']:.0f} | {cell['p95_ms']:.0f} | {cell['cpu_p50_ms']:.0f} | {cell['html_bytes']:,} | "
                f"{'ok' if ok else 'ABOVE TARGET'} |"
            )
    return lines


# ---- the child process ----------------------------------------------------------------------


def _searches(maple) -> list[tuple[str, dict]]:
    """(label, search form fields) for the three largest searches, around the town centre."""
    from cameraregistry import units
    from canvass import services
    from demo import town as demo

    grid = demo.grid_for(TOWN_REGISTRATIONS)
    width = (grid.size - 1) * demo.BLOCK_M
    side = 1990.0  # 3.96 km2: just under the 4 km2 polygon limit
    low, high = width / 2 - side / 2, width / 2 + side / 2
    square = [grid.point(*corner) for corner in ((low, low), (high, low), (high, high), (low, high))]
    serpentine = []
    for index, north in enumerate((100.0, 600.0, 1100.0, 1600.0)):
        ends = [(50.0, north), (width - 50.0, north)]
        serpentine.extend(grid.point(*end) for end in (ends if index % 2 == 0 else ends[::-1]))
    # The form asks lengths in the agency's units.
    radius = units.whole_in_units(maple.max_search_radius_m, maple.length_units)
    corridor = units.whole_in_units(services.MAX_CORRIDOR_M, maple.length_units)
    return [
        (f"maximum radius ({maple.max_search_radius_m:,} m)", {"area_kind": "radius", "radius_m": str(radius)}),
        ("polygon (3.96 km²)", {"area_kind": "polygon", "vertices": json.dumps(square)}),
        (
            f"route ({services.MAX_CORRIDOR_M} m corridor, 4 passes, 8.6 km)",
            {"area_kind": "route", "corridor_m": str(corridor), "vertices": json.dumps(serpentine)},
        ),
    ], grid.point(width / 2, width / 2)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _child(requests: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from agencies.models import Agency, OffenseType
    from canvass.models import CanvassSearch
    from demo.town import build_town
    from tests.staff_fixtures import make_staff, staff_client

    call_command("migrate", verbosity=0)
    build_town(registrations=TOWN_REGISTRATIONS, seed=TOWN_SEED, stdout=open(os.devnull, "w"))  # noqa: SIM115
    maple = Agency.objects.get(slug="maple-falls")
    client = staff_client(Client(), make_staff(maple, "investigator"))
    offense = OffenseType.objects.get(agency=maple, name="Burglary")
    end = timezone.localtime() - timedelta(hours=2)
    searches, (latitude, longitude) = _searches(maple)
    cells = []
    for label, fields in searches:
        form = {
            "case_number": "2025-BENCH",
            "offense_type": str(offense.pk),
            "address": "",
            "latitude": str(latitude),
            "longitude": str(longitude),
            "window_start": (end - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "window_end": end.strftime("%Y-%m-%dT%H:%M"),
            "radius_m": "",
            "corridor_m": "",
            "vertices": "",
            **fields,
        }
        response = client.post("/staff/canvass/", form, secure=True)
        if response.status_code != 302:
            raise SystemExit(
                f"{label}: the search was refused ({response.status_code} {response.get('Location')}): {response.content.decode()[:3000]}"
            )
        url = response["Location"]
        search = CanvassSearch.objects.order_by("-pk").first()
        timings, cpu, size = [], [], 0
        for _ in range(requests + 1):  # the first GET warms caches and is not counted
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code}")
            size = len(response.content)
        timings, cpu = timings[1:], cpu[1:]
        cells.append(
            {
                "search": label,
                "addresses": int(re.search(rb"of ([\d,]+) address", response.content).group(1).replace(b",", b"")),
                "cameras": search.result_count,
                "requests": requests,
                "p50_ms": _percentile(timings, 0.5),
                "p95_ms": _percentile(timings, 0.95),
                "cpu_p50_ms": _percentile(cpu, 0.5),
                "html_bytes": size,
            }
        )
    print(json.dumps(cells))


if __name__ == "__main__":
    _child(int(sys.argv[1]))
