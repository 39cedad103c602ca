"""`python -m bench` (or `make bench`): the ranked canvass search against PostGIS and a naive scan.

For each town size and backend a database is seeded once with `manage.py seed_demo`
(timed, with its peak memory) and reused by later runs while the marker table
bench_seed says it holds the same size, seed and demo generator; then bench.worker
times the ranked search (selector + ranking, no HTTP) for each radius from the same
incident places. PostgreSQL databases are named registry_bench_<size>; SQLite files
live under $DATA_DIR/bench/ (or /tmp/registry-bench/). Drop them to reclaim the space.

BENCH_SCALE=small runs a reduced version (smaller towns, fewer queries) in under a minute.
BENCH_BACKENDS=sqlite or =postgresql runs one backend only; BENCH_SIZES=100000,1000000 chooses the sizes.
BENCH_POSTGRES_URL overrides the server (default postgres://postgres@127.0.0.1:5432).
BENCH_ONLY=ranking runs only the ranked-search cells (not the import, storage, canvass HTTP and API benches).
BENCH_RADII=500,1000 chooses the radii; BENCH_QUERIES=80 the incident places per cell; BENCH_NAIVE=0 skips the
naive scans. BENCH_DB_SUFFIX=_mine names the databases registry_bench_<size>_mine (and the SQLite files alike),
so two people benchmarking on one server do not re-seed each other's databases.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

SEED = 2025
# Naive full scans stop at 100k: at 1M one scan takes tens of seconds and says nothing new.
FULL = {"sizes": [10_000, 100_000, 1_000_000], "queries": 40, "naive_queries": 5, "naive_up_to": 100_000}
SMALL = {"sizes": [10_000], "queries": 12, "naive_queries": 2, "naive_up_to": 10_000}
# 1,500 m is the agency maximum (the default max_search_radius_m, the demo agencies' setting).
RADII = "150,500,1000,1500"
MAX_RADIUS_M = 1500
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
ROOT = Path(__file__).resolve().parent.parent


def work_dir() -> Path:
    """Bench databases live under DATA_DIR/bench when DATA_DIR is set, else /tmp/registry-bench."""
    data_dir = os.environ.get("DATA_DIR")
    return Path(data_dir) / "bench" if data_dir else Path("/tmp/registry-bench")  # noqa: S108 - scratch space


def generator_digest() -> str:
    """Which demo generator seeded a database: a changed generator means the seeded rows are no longer the same."""
    return hashlib.sha256((ROOT / "demo" / "town.py").read_bytes()).hexdigest()[:16]


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


def read_marker(backend: str, target: str) -> tuple | None:
    """(registrations, seed, generator) recorded by bench.worker in a database it prepared, or None."""
    query = "SELECT registrations, seed, generator FROM bench_seed"
    try:
        if backend == "sqlite":
            if not Path(target).exists():
                return None
            with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as connection:
                row = connection.execute(query).fetchone()
        else:
            import psycopg

            with psycopg.connect(target, connect_timeout=5) as connection:
                row = connection.execute(query).fetchone()
    except Exception:  # noqa: BLE001 - no database, no table or a half-built one: all mean "seed it again"
        return None
    return tuple(row) if row else None


def seed(environment: dict, size: int) -> tuple[float, int]:
    """migrate + `manage.py seed_demo` under /usr/bin/time -v: (elapsed seconds, peak resident KiB) of seeding."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=environment, check=True)  # noqa: S603
    seed_command = [*manage, "seed_demo", "--registrations", str(size), "--seed", str(SEED)]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        if Path("/usr/bin/time").exists():
            seed_command = ["/usr/bin/time", "-v", "-o", report.name, *seed_command]
        subprocess.run(seed_command, env=environment, check=True)  # noqa: S603
        elapsed = time.perf_counter() - started
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read())
    return round(elapsed, 1), int(peak.group(1)) if peak else 0


def database_name(size: int) -> str:
    return f"registry_bench_{size}{os.environ.get('BENCH_DB_SUFFIX', '')}"


def prepare(backend: str, size: int, server: str, environment: dict) -> tuple[dict, list[str]] | None:
    """The database for one cell, seeded once and reused while its marker matches; extra worker arguments."""
    name = database_name(size)
    expected = (size, SEED, generator_digest())
    if backend == "sqlite":
        path = work_dir() / f"{name}.sqlite3"
        target = str(path)
        environment["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        target = f"{server}/{name}"
        environment["DATABASE_URL"] = target
    if read_marker(backend, target) == expected:
        print(f"== {backend}, {size:,} registrations: reusing the seeded database", file=sys.stderr, flush=True)
        return environment, []
    print(f"== {backend}, {size:,} registrations: seeding", file=sys.stderr, flush=True)
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif not (
        _postgres_admin(server, f"DROP DATABASE IF EXISTS {name}")
        and _postgres_admin(server, f"CREATE DATABASE {name}")
    ):
        return None
    seconds, peak_kb = seed(environment, size)
    print(f"  seeded in {seconds} s, peak memory {peak_kb / 1024:.0f} MiB", file=sys.stderr, flush=True)
    return environment, ["--seed-seconds", str(seconds), "--seed-max-rss-kb", str(peak_kb)]


def run_cell(backend: str, size: int, plan: dict, server: str, postgis: bool, postgis_url: str = "") -> dict | None:
    environment = dict(os.environ)
    data_dir = work_dir() / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    environment.setdefault("DATA_DIR", str(data_dir))
    # Throwaway secrets: the bench's databases hold only the fictional demo town.
    environment.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    environment.setdefault("FIELD_ENCRYPTION_KEYS", base64.b64encode(os.urandom(32)).decode())
    # DEBUG would keep every query in memory and slow the loop down.
    environment["DEBUG"] = "false"
    try:
        prepared = prepare(backend, size, server, environment)
    except subprocess.CalledProcessError as error:
        print(f"  seeding failed: {error}", file=sys.stderr)
        return None
    if prepared is None:
        return None
    environment, seeded_arguments = prepared
    command = [
        sys.executable,
        "-m",
        "bench.worker",
        "--registrations",
        str(size),
        "--seed",
        str(SEED),
        "--generator",
        generator_digest(),
        *seeded_arguments,
        "--radii",
        plan["radii"],
        "--queries",
        str(plan["queries"]),
        "--naive-queries",
        str(plan["naive_queries"] if size <= plan["naive_up_to"] else 0),
    ]
    if backend == "postgresql" and postgis:
        command.append("--postgis")
    if backend == "sqlite" and postgis_url:
        command += ["--postgis-url", postgis_url]
    completed = subprocess.run(command, env=environment, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
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
        "PostGIS p50/p95 ms | PostGIS in the SQLite run p50/p95 ms | naive SQLite p95 ms | naive PostgreSQL p95 ms | "
        "ours SQLite ÷ PostGIS (p95) | ours PostgreSQL ÷ PostGIS (p95) | naive PostgreSQL ÷ ours PostgreSQL (p95) | "
        "same ranked ids |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for size in sizes:
        for radius in (int(r) for r in os.environ.get("BENCH_RADII", RADII).split(",")):
            ours_sqlite = _cell(results, "sqlite", size, "ours", radius)
            ours_pg = _cell(results, "postgresql", size, "ours", radius)
            postgis = _cell(results, "postgresql", size, "postgis", radius)
            # Timed interleaved with ours SQLite in its own process (bench.worker --postgis-url), when it could be.
            beside = _cell(results, "sqlite", size, "postgis", radius)
            naive_sqlite = _cell(results, "sqlite", size, "naive", radius)
            naive_pg = _cell(results, "postgresql", size, "naive", radius)
            cameras = (ours_sqlite or ours_pg or {}).get("mean_cameras", "—")
            cells = [cell for cell in (ours_sqlite, ours_pg, postgis, beside, naive_sqlite, naive_pg) if cell]
            same = "yes" if all(cell.get("same_ids", True) for cell in cells) else "**NO — MISMATCH**"
            label = f"{radius} (max)" if radius == MAX_RADIUS_M else str(radius)
            lines.append(
                f"| {size:,} | {label} | {cameras} | {_ms(ours_sqlite, 'p50_ms')} / {_ms(ours_sqlite, 'p95_ms')} | "
                f"{_ms(ours_pg, 'p50_ms')} / {_ms(ours_pg, 'p95_ms')} | {_ms(postgis, 'p50_ms')} / {_ms(postgis, 'p95_ms')} | "
                f"{_ms(beside, 'p50_ms')} / {_ms(beside, 'p95_ms')} | "
                f"{_ms(naive_sqlite, 'p95_ms')} | {_ms(naive_pg, 'p95_ms')} | {_ratio(ours_sqlite, beside or postgis)} | "
                f"{_ratio(ours_pg, postgis)} | {_ratio(naive_pg, ours_pg)} | {same} |"
            )
    return "\n".join(lines)


def seeding_table(results: list[dict]) -> str:
    lines = ["| backend | registrations | seed_demo s | seed_demo peak MiB |", "|---|---|---|---|"]
    for result in results:
        peak = result.get("seed_max_rss_kb")
        lines.append(
            f"| {result['backend']} | {result['registrations']:,} | {result.get('seed_s') or '—'} | "
            f"{round(peak / 1024) if peak else '—'} |"
        )
    return "\n".join(lines)


def main() -> None:
    scale = "small" if os.environ.get("BENCH_SCALE", "").lower() == "small" else "full"
    plan = SMALL if scale == "small" else FULL
    if os.environ.get("BENCH_SIZES"):
        plan = {**plan, "sizes": [int(size) for size in os.environ["BENCH_SIZES"].split(",")]}
    plan = {**plan, "radii": os.environ.get("BENCH_RADII", RADII)}
    if os.environ.get("BENCH_QUERIES"):
        plan["queries"] = int(os.environ["BENCH_QUERIES"])
    if os.environ.get("BENCH_NAIVE") == "0":
        plan["naive_queries"] = 0
    backends = [b for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    work_dir().mkdir(parents=True, exist_ok=True)
    postgis = "postgresql" in backends and ensure_postgis()
    if "postgresql" in backends and not postgis:
        print("PostGIS is not available: its column stays empty.", file=sys.stderr)
    results = []
    for size in plan["sizes"]:
        # PostgreSQL first: its PostGIS copy is then timed again inside the SQLite cell, interleaved with ours.
        postgis_url = ""
        for backend in sorted(backends, key=lambda name: name != "postgresql"):
            result = run_cell(backend, size, plan, server, postgis, postgis_url)
            if result and backend == "postgresql" and postgis:
                postgis_url = f"{server}/{database_name(size)}"
            if result:
                results.append(result)
                print(f"  prepared in {result['prepare_s']} s", file=sys.stderr, flush=True)
    results_path = work_dir() / f"results{os.environ.get('BENCH_DB_SUFFIX', '')}.json"
    results_path.write_text(json.dumps(results, indent=1))
    print(table(results, plan["sizes"]))
    for result in results:
        for mismatch in result.get("mismatches", []):
            print(f"!!!!! {result['backend']}, {result['registrations']:,}: {mismatch}", file=sys.stderr)
    print()
    print(seeding_table(results))
    print(f"\nRaw results: {results_path}")
    print()
    if os.environ.get("BENCH_ONLY") == "ranking":
        return
    from bench import imports

    print("\n".join(imports.run(scale)))
    from bench import storage as storage_bench

    print("\n".join(storage_bench.run(scale)))

    from bench import canvass_http

    print("\n".join(canvass_http.run(scale)))
    from bench import api_http

    print("\n".join(api_http.run(scale)))


if __name__ == "__main__":
    main()
