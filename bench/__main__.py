"""`python -m bench` (or `make bench`): the ranked canvass search against PostGIS and a naive scan.

For each town size and backend a fresh database is seeded with the demo town, then
bench.worker times the ranked search (selector + ranking, no HTTP) for each radius
from the same incident places. PostgreSQL databases are named registry_bench_* and
dropped afterwards; SQLite files live under /tmp/registry-bench/.

BENCH_SCALE=small runs a reduced version (smaller towns, fewer queries) in under a minute.
BENCH_BACKENDS=sqlite or =postgresql runs one backend only.
BENCH_POSTGRES_URL overrides the server (default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

FULL = {"sizes": [10_000, 100_000, 1_000_000], "queries": 40, "naive_queries": 5}
SMALL = {"sizes": [2_000, 10_000], "queries": 15, "naive_queries": 3}
RADII = "150,500,1000"
WORK_DIR = Path("/tmp/registry-bench")  # noqa: S108 - scratch space for throwaway bench databases
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")


def _postgres_admin(server: str, sql: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql)
        return True
    except psycopg.Error as error:
        print(f"  PostgreSQL: {error}".strip(), file=sys.stderr)
        return False


def ensure_postgis() -> bool:
    """Install Debian's PostGIS for PostgreSQL 15 when it is missing (needs root and the Debian mirror)."""
    if POSTGIS_CONTROL.exists():
        return True
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("Installing postgresql-15-postgis-3 with apt-get …", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql-15-postgis-3"], check=False)  # noqa: S607
    return POSTGIS_CONTROL.exists()


def run_cell(backend: str, size: int, plan: dict, server: str, postgis: bool) -> dict | None:
    environment = dict(os.environ)
    data_dir = WORK_DIR / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    environment.setdefault("DATA_DIR", str(data_dir))
    # Throwaway secrets: the bench's databases hold only the fictional demo town and are deleted afterwards.
    environment.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    environment.setdefault("FIELD_ENCRYPTION_KEYS", base64.b64encode(os.urandom(32)).decode())
    # DEBUG would keep every query in memory and slow the loop down.
    environment["DEBUG"] = "false"
    database_name = f"registry_bench_{size}"
    if backend == "sqlite":
        path = WORK_DIR / f"{database_name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        environment["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        if not _postgres_admin(server, f"DROP DATABASE IF EXISTS {database_name}"):
            return None
        if not _postgres_admin(server, f"CREATE DATABASE {database_name}"):
            return None
        environment["DATABASE_URL"] = f"{server}/{database_name}"
    command = [
        sys.executable,
        "-m",
        "bench.worker",
        "--registrations",
        str(size),
        "--radii",
        RADII,
        "--queries",
        str(plan["queries"]),
        "--naive-queries",
        str(plan["naive_queries"] if size < 1_000_000 else 3),
    ]
    if backend == "postgresql" and postgis:
        command.append("--postgis")
    print(f"== {backend}, {size:,} registrations", file=sys.stderr, flush=True)
    try:
        completed = subprocess.run(command, env=environment, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
    finally:
        if backend == "postgresql":
            _postgres_admin(server, f"DROP DATABASE IF EXISTS {database_name}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{WORK_DIR / database_name}.sqlite3{suffix}").unlink(missing_ok=True)
    if completed.returncode != 0:
        print(f"  failed with exit code {completed.returncode}", file=sys.stderr)
        return None
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _cell(results: list[dict], backend: str, size: int, method: str, radius: int) -> dict | None:
    for result in results:
        if result["backend"] == backend and result["registrations"] == size:
            for cell in result["cells"]:
                if cell["method"] == method and cell["radius_m"] == radius:
                    return cell
    return None


def _ms(cell: dict | None, key: str) -> str:
    return f"{cell[key]:.1f}" if cell else "—"


def _ratio(numerator: dict | None, denominator: dict | None) -> str:
    if not numerator or not denominator or not denominator["p95_ms"]:
        return "—"
    return f"{numerator['p95_ms'] / denominator['p95_ms']:.2f}"


def table(results: list[dict], sizes: list[int]) -> str:
    header = (
        "| registrations | radius m | cameras | ours SQLite p50/p95 ms | ours PostgreSQL p50/p95 ms | "
        "PostGIS p50/p95 ms | naive SQLite p95 ms | naive PostgreSQL p95 ms | "
        "ours SQLite ÷ PostGIS (p95) | ours PostgreSQL ÷ PostGIS (p95) | naive PostgreSQL ÷ ours PostgreSQL (p95) |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for size in sizes:
        for radius in (int(r) for r in RADII.split(",")):
            ours_sqlite = _cell(results, "sqlite", size, "ours", radius)
            ours_pg = _cell(results, "postgresql", size, "ours", radius)
            postgis = _cell(results, "postgresql", size, "postgis", radius)
            naive_sqlite = _cell(results, "sqlite", size, "naive", radius)
            naive_pg = _cell(results, "postgresql", size, "naive", radius)
            cameras = (ours_sqlite or ours_pg or {}).get("mean_cameras", "—")
            lines.append(
                f"| {size:,} | {radius} | {cameras} | {_ms(ours_sqlite, 'p50_ms')} / {_ms(ours_sqlite, 'p95_ms')} | "
                f"{_ms(ours_pg, 'p50_ms')} / {_ms(ours_pg, 'p95_ms')} | {_ms(postgis, 'p50_ms')} / {_ms(postgis, 'p95_ms')} | "
                f"{_ms(naive_sqlite, 'p95_ms')} | {_ms(naive_pg, 'p95_ms')} | {_ratio(ours_sqlite, postgis)} | "
                f"{_ratio(ours_pg, postgis)} | {_ratio(naive_pg, ours_pg)} |"
            )
    return "\n".join(lines)


def main() -> None:
    plan = SMALL if os.environ.get("BENCH_SCALE", "").lower() == "small" else FULL
    backends = [b for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    postgis = "postgresql" in backends and ensure_postgis()
    if "postgresql" in backends and not postgis:
        print("PostGIS is not available: its column stays empty.", file=sys.stderr)
    results = []
    for size in plan["sizes"]:
        for backend in backends:
            result = run_cell(backend, size, plan, server, postgis)
            if result:
                results.append(result)
                print(f"  seeded and migrated in {result['seed_and_migrate_s']} s", file=sys.stderr, flush=True)
    (WORK_DIR / "results.json").write_text(json.dumps(results, indent=1))
    print(table(results, plan["sizes"]))
    print(f"\nRaw results: {WORK_DIR / 'results.json'}")


if __name__ == "__main__":
    main()
