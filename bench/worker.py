"""One benchmark cell: one backend and one town size, in its own process and database.

Run by bench.__main__ with DATABASE_URL already pointing at a fresh bench database;
prints one JSON line of timings. Each method returns the same ranked list for the
same query (checked), so only the way candidates are found differs:

* ours:    the canvass selector (box on the indexed latitude/longitude) + ranking
* postgis: ST_DWithin on a GiST-indexed geography column, ORDER BY ST_Distance + ranking
* naive:   every registration read, exact geometry decides + ranking
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta


def _setup() -> None:
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cameraregistry.settings")
    import django

    django.setup()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, required=True)
    parser.add_argument("--radii", default="150,500,1000")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--naive-queries", type=int, default=5)
    parser.add_argument("--postgis", action="store_true")
    arguments = parser.parse_args()
    _setup()

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from agencies.models import Agency
    from canvass import ranking
    from canvass.selectors import _CAMERA_COLUMNS, SEARCHABLE_STATUSES, candidate_cameras
    from registrations.demo import build_town
    from registrations.models import Registration

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not Registration.objects.exists():
        build_town(registrations=arguments.registrations, seed=2025, stdout=sys.stderr)
    seeded_s = time.perf_counter() - started
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    agency_ids = list(Agency.objects.values_list("pk", flat=True))
    scoped = Registration.objects.filter(agency_id__in=agency_ids)
    now = timezone.now()
    window_start = now - timedelta(days=2)
    rng = random.Random(11)
    count = Registration.objects.count()
    # Incident places: registered addresses picked at random (where incidents and cameras are).
    places = []
    ids = sorted(rng.sample(range(1, count + 1), min(arguments.queries, count)))
    for lat, lon in Registration.objects.filter(pk__in=ids).values_list("latitude", "longitude"):
        places.append((lat, lon))

    postgis_ready = False
    if arguments.postgis and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            cursor.execute(
                "ALTER TABLE registrations_registration ADD COLUMN IF NOT EXISTS geog geography(Point, 4326)"
            )
            cursor.execute(
                "UPDATE registrations_registration SET geog = ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography"
            )
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS bench_registration_geog ON registrations_registration USING GIST (geog)"
            )
            cursor.execute("ANALYZE registrations_registration")
        postgis_ready = True

    column_sql = ", ".join(
        ("c." + column.split("__")[1]) if column.startswith("cameras__") else "r." + column
        for column in _CAMERA_COLUMNS
    )
    # Column names are our own constants; every value is a query parameter.
    postgis_sql = (
        f"SELECT {column_sql} FROM registrations_registration r JOIN registrations_camera c ON c.registration_id = r.id "  # noqa: S608
        "WHERE r.agency_id = ANY(%s) AND r.status = ANY(%s) "
        "AND ST_DWithin(r.geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s) "
        "ORDER BY ST_Distance(r.geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)"
    )

    def ours(area):
        facts, _details = candidate_cameras(scoped, area)
        return ranking.rank(facts, area, window_start=window_start, now=now)

    def postgis(area):
        lat, lon = area.place
        with connection.cursor() as cursor:
            cursor.execute(
                postgis_sql,
                [agency_ids, list(SEARCHABLE_STATUSES), lon, lat, area.radius_m + 1.0, lon, lat],
            )
            rows = cursor.fetchall()
        return ranking.rank(_facts(rows), area, window_start=window_start, now=now)

    def naive(area):
        rows = (
            scoped.filter(status__in=SEARCHABLE_STATUSES, cameras__id__isnull=False)
            .order_by()
            .values_list(*_CAMERA_COLUMNS)
        )
        return ranking.rank(_facts(rows), area, window_start=window_start, now=now)

    results = {
        "backend": connection.vendor,
        "registrations": count,
        "seed_and_migrate_s": round(seeded_s, 1),
        "cells": [],
    }
    for radius in [int(r) for r in arguments.radii.split(",")]:
        areas = [ranking.SearchArea(kind=ranking.RADIUS, place=place, radius_m=float(radius)) for place in places]
        methods = [("ours", ours, len(areas))]
        if postgis_ready:
            methods.append(("postgis", postgis, len(areas)))
        methods.append(("naive", naive, min(arguments.naive_queries, len(areas))))
        reference = {}
        for name, method, how_many in methods:
            method(areas[0])  # warm caches and the connection
            timings = []
            sizes = []
            for index, area in enumerate(areas[:how_many]):
                start = time.perf_counter()
                ranked = method(area)
                timings.append((time.perf_counter() - start) * 1000)
                sizes.append(len(ranked))
                identity = [item.camera.camera_id for item in ranked]
                if name == "ours":
                    reference[index] = identity
                elif reference.get(index) != identity:
                    raise SystemExit(f"{name} disagrees with ours at radius {radius}, query {index}")
            results["cells"].append(
                {
                    "method": name,
                    "radius_m": radius,
                    "queries": how_many,
                    "p50_ms": round(percentile(timings, 0.5), 2),
                    "p95_ms": round(percentile(timings, 0.95), 2),
                    "mean_cameras": round(statistics.mean(sizes), 1),
                }
            )
    print(json.dumps(results))


def _facts(rows):
    """CameraFacts from rows in the selector's column order, exactly as the selector builds them."""
    from canvass import ranking
    from canvass.selectors import _CAMERA_COLUMNS

    position = {name: index for index, name in enumerate(_CAMERA_COLUMNS)}
    return [
        ranking.CameraFacts(
            camera_id=row[position["cameras__id"]],
            registration_id=row[position["id"]],
            latitude=row[position["latitude"]],
            longitude=row[position["longitude"]],
            retention_days=row[position["cameras__retention_days"]],
            records_street=row[position["cameras__records_street"]],
            bearing_degrees=row[position["cameras__bearing_degrees"]],
            field_of_view_degrees=row[position["cameras__field_of_view_degrees"]],
            range_m=row[position["cameras__range_m"]],
            verified=row[position["verified_at"]] is not None and row[position["status"]] == "active",
            last_confirmed_at=row[position["last_confirmed_at"]],
        )
        for row in rows
    ]


if __name__ == "__main__":
    main()
