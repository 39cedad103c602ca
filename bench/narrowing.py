"""The narrowing query alone, ours against PostGIS: what the ranked-search bench's two methods do differently.

The ranked-search bench (bench.worker) times each method from the query to the ranked list; both build their facts
and rank with the same code, so that shared part weighs on both ratios alike. This times only the query and its
rows (canvass.candidates.rows_from_sql, the binary prepared cursor both read through), on a PostgreSQL bench
database the ranking bench has seeded (its PostGIS copy included). Interleaved query by query; the first round
warms and is not counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench_10000_x DATA_DIR=/tmp/rb \\
        SECRET_KEY=bench-only-not-a-secret-but-long-enough-for-django FIELD_ENCRYPTION_KEYS=<base64 32 bytes> \\
        DEBUG=false .venv/bin/python -m bench.narrowing 150 500 1000 1500
"""

from __future__ import annotations

import random
import sys
import time

from bench.worker import POSTGIS_SQL, _setup, percentile

PLACES = 40
ROUNDS = 5


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def measure(radius_m: float) -> dict[str, tuple[float, float]]:
    from agencies.models import Agency
    from canvass import ranking
    from canvass.candidates import SEARCHABLE_STATUSES, prepared_query, rows_from_sql
    from registrations.models import Registration, Status

    agency_ids = sorted(Agency.objects.values_list("pk", flat=True))
    points = list(Registration.objects.filter(status=Status.ACTIVE).order_by("pk").values_list("latitude", "longitude"))
    places = random.Random(11).sample(points, PLACES)
    searchable = [str(status) for status in SEARCHABLE_STATUSES]
    timings: dict[str, list[float]] = {"ours": [], "postgis": []}
    for round_ in range(ROUNDS):
        for latitude, longitude in places:
            area = ranking.SearchArea(kind=ranking.RADIUS, place=(latitude, longitude), radius_m=radius_m)
            postgis = [str(Status.ACTIVE), longitude, latitude, agency_ids, searchable, longitude, latitude]
            sql, parameters = prepared_query(agency_ids, area)
            ours_ms = _timed(lambda sql=sql, parameters=parameters: rows_from_sql(sql, parameters))
            postgis_ms = _timed(lambda p=postgis: rows_from_sql(POSTGIS_SQL, [*p, radius_m + 1.0]))
            if round_:
                timings["ours"].append(ours_ms)
                timings["postgis"].append(postgis_ms)
    return {name: (percentile(values, 0.5), percentile(values, 0.95)) for name, values in timings.items()}


def main(radii: list[float]) -> None:
    _setup()
    print("| radius m | ours p50 / p95 ms | PostGIS p50 / p95 ms | ratio p50 / p95 |")
    print("| ---: | --- | --- | --- |")
    for radius in radii:
        cell = measure(radius)
        (ours50, ours95), (gis50, gis95) = cell["ours"], cell["postgis"]
        print(
            f"| {radius:,.0f} | {ours50:.2f} / {ours95:.2f} | {gis50:.2f} / {gis95:.2f} | "
            f"{ours50 / gis50:.2f} / {ours95 / gis95:.2f} |"
        )


if __name__ == "__main__":
    main([float(value) for value in sys.argv[1:]] or [150.0, 500.0, 1000.0, 1500.0])
