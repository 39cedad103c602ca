"""One benchmark cell: one backend and one town size, in its own process and database.

Run by bench.__main__ with DATABASE_URL pointing at a bench database already seeded
by `manage.py seed_demo`; prints one JSON line of timings. Each method returns the
same ranked list for the same query (checked), so only the way candidates are found
differs:

* ours:    the canvass selector's prepared query (latitude strips × longitude on the registration_canvass_strip
           index, SQL built once per shape: the query the results page runs) + ranking
* postgis: ST_DWithin on a GiST-indexed geography column, ORDER BY ST_Distance + ranking
* naive:   every registration with cameras read, exact geometry decides + ranking
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

# The PostGIS copy: the same rows as registrations_registration (one INSERT ... SELECT), plus a geography column.
POSTGIS_TABLE = "bench_postgis_registration"
MARKER_TABLE = "bench_seed"


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


def _migrate_and_analyze(fresh: bool) -> None:
    """Apply new migrations (a reused database may predate an index) and refresh planner statistics when needed."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied_before = MigrationRecorder(connection).applied_migrations().keys()
    call_command("migrate", verbosity=0)
    applied_after = MigrationRecorder(connection).applied_migrations().keys()
    if fresh or applied_after != applied_before:
        with connection.cursor() as cursor:
            # VACUUM sets PostgreSQL's visibility map, which index-only scans need after a bulk load
            # (autovacuum would do the same later on a live server).
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _ensure_postgis_copy() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [POSTGIS_TABLE])
        if cursor.fetchone()[0]:
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {POSTGIS_TABLE}) = (SELECT count(*) FROM registrations_registration)"  # noqa: S608
            )
            if cursor.fetchone()[0]:
                return
        cursor.execute(f"DROP TABLE IF EXISTS {POSTGIS_TABLE}")
        cursor.execute(
            f"CREATE TABLE {POSTGIS_TABLE} (id bigint PRIMARY KEY, agency_id bigint NOT NULL, "
            "status varchar(20) NOT NULL, latitude double precision NOT NULL, longitude double precision NOT NULL, "
            "verified_at timestamptz NULL, last_confirmed_at timestamptz NULL, geog geography(Point, 4326) NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {POSTGIS_TABLE} SELECT id, agency_id, status, latitude, longitude, verified_at, "  # noqa: S608
            "last_confirmed_at, ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography "
            "FROM registrations_registration"
        )
        cursor.execute(f"CREATE INDEX {POSTGIS_TABLE}_geog ON {POSTGIS_TABLE} USING GIST (geog)")
        cursor.execute(f"VACUUM ANALYZE {POSTGIS_TABLE}")


POSTGIS_ALIAS = "postgis"


def _second_database(url: str) -> bool:
    """Open the PostgreSQL bench database as a second connection (alias "postgis"); False when its copy is missing.

    So a SQLite cell times PostGIS interleaved with ours in one process: the same busy moments hit both.
    """
    import dj_database_url
    from django.db import connections

    postgis = dj_database_url.parse(url)
    postgis["OPTIONS"] = {"prepare_threshold": 0}  # its statements prepared, as cameraregistry.settings does
    databases = connections.configure_settings({"default": connections.settings["default"], POSTGIS_ALIAS: postgis})
    connections.settings[POSTGIS_ALIAS] = databases[POSTGIS_ALIAS]
    try:
        with connections[POSTGIS_ALIAS].cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [POSTGIS_TABLE])
            return bool(cursor.fetchone()[0])
    except Exception as error:  # noqa: BLE001 - no server or no database: the cell runs without PostGIS
        print(f"  PostGIS from SQLite: {error}", file=sys.stderr)
        return False


def _marker(registrations: int, seed: int, generator: str, seed_s: float | None, seed_rss_kb: int | None) -> dict:
    """Record that this database holds this seed, or read back how it was seeded when it is reused."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (registrations integer, seed integer, "
            "generator varchar(64), seed_seconds double precision, seed_max_rss_kb bigint)"
        )
        if seed_s is not None:
            cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608
            cursor.execute(
                f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                [registrations, seed, generator, seed_s, seed_rss_kb],
            )
        cursor.execute(f"SELECT seed_seconds, seed_max_rss_kb FROM {MARKER_TABLE}")  # noqa: S608
        row = cursor.fetchone()
    return {"seed_s": row[0] if row else None, "seed_max_rss_kb": row[1] if row else None}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--generator", required=True)
    parser.add_argument("--seed-seconds", type=float, default=None, help="Given when the database was just seeded.")
    parser.add_argument("--seed-max-rss-kb", type=int, default=None)
    parser.add_argument("--radii", default="150,500,1000")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--naive-queries", type=int, default=5)
    parser.add_argument("--postgis", action="store_true")
    parser.add_argument(
        "--postgis-url",
        default="",
        help="From a SQLite cell: the PostgreSQL bench database of the same size, whose PostGIS copy is timed "
        "interleaved with ours, query by query, in this process.",
    )
    return parser.parse_args()


# Table and column names are our own constants; every value is a query parameter.
# The registrations within reach first (a materialized CTE), then their cameras by the foreign-key index:
# joined in one query, the planner estimates ST_DWithin at one row and at 1,500 m scans every camera for
# each of thousands of registrations (11 s instead of 0.1 s at 10k).
POSTGIS_SQL = (
    "WITH near AS MATERIALIZED (SELECT r.id, r.latitude, r.longitude, r.last_confirmed_at, "  # noqa: S608
    "(r.verified_at IS NOT NULL AND r.status = %s) AS verified, "
    "ST_Distance(r.geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography) AS distance "
    f"FROM {POSTGIS_TABLE} r WHERE r.agency_id = ANY(%s) AND r.status = ANY(%s) "
    "AND ST_DWithin(r.geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s)) "
    "SELECT r.id, r.latitude, r.longitude, c.id, c.records_street, c.bearing_degrees, c.field_of_view_degrees, "
    "c.range_m, c.retention_days, r.last_confirmed_at, r.verified "
    "FROM near r JOIN registrations_camera c ON c.registration_id = r.id ORDER BY r.distance"
)


def _search_methods(agency_ids: list[int], window_start, now, postgis_database: str) -> dict:
    """The three ways of finding the candidates, each followed by the same ranking: name -> function(area)."""
    from canvass import ranking
    from canvass.candidates import SEARCHABLE_STATUSES, facts_from_sql, facts_of, prepared_facts
    from registrations.models import Registration, Status

    scoped = Registration.objects.filter(agency_id__in=agency_ids)
    searchable = [str(status) for status in SEARCHABLE_STATUSES]

    def ours(area):
        return ranking.rank(prepared_facts(agency_ids, area), area, window_start=window_start, now=now)

    def postgis(area):
        lat, lon = area.place
        parameters = [str(Status.ACTIVE), lon, lat, agency_ids, searchable, lon, lat, area.radius_m + 1.0]
        # Read by the same code as ours (facts_from_sql): only the SQL differs.
        facts = facts_from_sql(POSTGIS_SQL, parameters, postgis_database)
        return ranking.rank(facts, area, window_start=window_start, now=now)

    def naive(area):
        facts = facts_of(scoped.filter(status__in=SEARCHABLE_STATUSES, cameras__id__isnull=False).order_by())
        return ranking.rank(facts, area, window_start=window_start, now=now)

    return {"ours": ours, "postgis": postgis, "naive": naive}


def _measure_radius(radius: int, areas: list, methods: list[tuple], results: dict) -> None:
    """One radius: every method on the same areas, interleaved query by query; timings and any mismatch go into
    `results`. `methods`: (name, function, how many of the areas it runs)."""
    for _name, method, _how_many in methods:
        method(areas[0])  # warm caches and the connection
    timings: dict[str, list[float]] = {name: [] for name, _method, _how_many in methods}
    sizes: dict[str, list[int]] = {name: [] for name, _method, _how_many in methods}
    # Interleaved, query by query, in turns: on a shared machine a busy moment then hits every method alike.
    for index, area in enumerate(areas):
        turn = methods[index % len(methods) :] + methods[: index % len(methods)]
        identities = {}
        for name, method, how_many in turn:
            if index >= how_many:
                continue
            start = time.perf_counter()
            ranked = method(area)
            timings[name].append((time.perf_counter() - start) * 1000)
            sizes[name].append(len(ranked))
            identities[name] = [item.camera.camera_id for item in ranked]
        for name, identity in identities.items():
            if identity != identities["ours"]:
                message = (
                    f"MISMATCH: {name} ranked {len(identity)} cameras, ours {len(identities['ours'])}, "
                    f"not the same ids in the same order (radius {radius} m, query {index}, place {area.place})"
                )
                print(f"!!!!! {message} !!!!!", file=sys.stderr, flush=True)
                results["mismatches"].append(message)
    for name, _method, how_many in methods:
        results["cells"].append(
            {
                "method": name,
                "radius_m": radius,
                "queries": how_many,
                "p50_ms": round(percentile(timings[name], 0.5), 2),
                "p95_ms": round(percentile(timings[name], 0.95), 2),
                "mean_cameras": round(statistics.mean(sizes[name]), 1),
                "same_ids": not any(
                    f"radius {radius} m," in m and m.startswith(f"MISMATCH: {name} ") for m in results["mismatches"]
                ),
            }
        )


def main() -> None:
    arguments = _arguments()
    _setup()

    from django.db import connection
    from django.utils import timezone

    from agencies.models import Agency
    from canvass import ranking
    from registrations.models import Registration

    started = time.perf_counter()
    _migrate_and_analyze(fresh=arguments.seed_seconds is not None)
    count = Registration.objects.count()
    if count != arguments.registrations:
        raise SystemExit(f"expected {arguments.registrations} registrations, found {count}")
    postgis_ready = arguments.postgis and connection.vendor == "postgresql"
    if postgis_ready:
        _ensure_postgis_copy()
    postgis_database = "default"
    if arguments.postgis_url and connection.vendor != "postgresql":
        postgis_ready, postgis_database = _second_database(arguments.postgis_url), POSTGIS_ALIAS
    seeding = _marker(count, arguments.seed, arguments.generator, arguments.seed_seconds, arguments.seed_max_rss_kb)
    prepared_s = time.perf_counter() - started

    agency_ids = list(Agency.objects.values_list("pk", flat=True))
    now = timezone.now()
    rng = random.Random(11)
    # Incident places: registered addresses picked at random (where incidents and cameras are).
    ids = sorted(rng.sample(range(1, count + 1), min(arguments.queries, count)))
    places = list(Registration.objects.filter(pk__in=ids).values_list("latitude", "longitude"))
    search = _search_methods(agency_ids, now - timedelta(days=2), now, postgis_database)
    results = {
        "backend": connection.vendor,
        "registrations": count,
        "prepare_s": round(prepared_s, 1),
        "seed_s": seeding["seed_s"],
        "seed_max_rss_kb": seeding["seed_max_rss_kb"],
        "reused": arguments.seed_seconds is None,
        "cells": [],
        "mismatches": [],
    }
    for radius in [int(r) for r in arguments.radii.split(",")]:
        areas = [ranking.SearchArea(kind=ranking.RADIUS, place=place, radius_m=float(radius)) for place in places]
        methods = [("ours", search["ours"], len(areas))]
        if postgis_ready:
            methods.append(("postgis", search["postgis"], len(areas)))
        if arguments.naive_queries:
            methods.append(("naive", search["naive"], min(arguments.naive_queries, len(areas))))
        _measure_radius(radius, areas, methods, results)
        print(f"  radius {radius} m done", file=sys.stderr, flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
