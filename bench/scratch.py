"""What the HTTP, import and API benchmarks share: a scratch PostgreSQL database, the environment of a
production-like child process (DEBUG off, keys made for the run), and running a bench module in it."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def postgres_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def fresh_postgres_database(name: str, who: str) -> str | None:
    """A new empty database `name` on the server, or None (the reason on stderr) when there is no server."""
    try:
        import psycopg

        with psycopg.connect(f"{postgres_url()}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    except Exception as error:  # noqa: BLE001 - no server, no rights: the SQLite figures still stand
        print(f"{who}: PostgreSQL skipped: {error}", file=sys.stderr)
        return None
    return f"{postgres_url()}/{name}"


def child_environment(data_dir: str, database_url: str | None, **settings: str) -> dict:
    """Production-like: DEBUG would log and format every query's parameters. SQLite in `data_dir` unless
    `database_url` is given; `settings` add or override variables."""
    env = {
        **os.environ,
        "DATA_DIR": data_dir,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "DJANGO_SETTINGS_MODULE": "cameraregistry.settings",
        **settings,
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_child(module: str, args: list[str], env: dict, timeout: float | None = None):
    """Run `python -m module args` and return the JSON of its last output line, or its last error line."""
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own module
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["?"])[-1]
    return json.loads(result.stdout.strip().splitlines()[-1])
