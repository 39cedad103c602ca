"""`manage.py backup` while registrations are being written, `manage.py restore` into a fresh instance.

Each instance is real and separate: its own DATA_DIR and its own database (a SQLite file, or a scratch
PostgreSQL database created here), driven through manage.py in its own processes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from cameraregistry.backups import backups_prune

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BACKUP_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SECRET_KEY = "backup-test-" + secrets.token_hex(16)
FIELD_KEY = "Zm9yLXRoZS1iYWNrdXAtdGVzdC1vbmx5LTMyLWJ5dGU="  # 32 bytes, base64


class Instance:
    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        self.data_dir = data_dir
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "STORAGE_URL")},
            "DATA_DIR": str(data_dir),
            "SECRET_KEY": SECRET_KEY,
            "FIELD_ENCRYPTION_KEYS": FIELD_KEY,
            "EMAIL_URL": "console://",
        }
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if check:
            assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
        return result

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, check=check)

    def counts(self) -> dict[str, int]:
        return json.loads(self.run("-m", "tests.backup_instance", "counts").stdout)


def _pg_databases(count: int):
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: skipping")
        pytest.skip(f"PostgreSQL is not reachable ({error.__class__.__name__}); the PostgreSQL backup test skips.")
    names = [f"backup_test_{secrets.token_hex(4)}" for _ in range(count)]
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    return admin, names


# Each runs in the CI pass on its own database (the suite runs once on SQLite, once on PostgreSQL).
@pytest.fixture(
    params=[pytest.param("sqlite", marks=pytest.mark.sqlite), pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def instances(request, tmp_path):
    """A source instance and two fresh targets on the same kind of database."""
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    admin, names = (None, [None] * 3)
    if request.param == "postgresql":
        admin, names = _pg_databases(3)
    urls = [f"{base}/{name}" if name else None for name in names]
    made = [Instance(tmp_path / label, url) for label, url in zip(("source", "busy", "quiet"), urls, strict=True)]
    yield made
    if admin is not None:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _backup(instance: Instance, destination: Path) -> Path:
    output = instance.manage("backup", "--dest", str(destination)).stdout
    assert "Backup written to" in output
    (folder,) = [path for path in destination.iterdir() if path.name not in _seen]
    _seen.add(folder.name)
    return folder


_seen: set[str] = set()


def _assert_restored(target: Instance, backup: Path) -> str:
    output = target.manage("restore", str(backup)).stdout
    assert "2 evidence files verified" in output
    assert "intact" in output.lower() or "verified" in output.lower()
    target.run("-m", "tests.backup_instance", "verify")
    return output


@pytest.mark.slow
def test_backup_under_writes_restores_into_a_fresh_instance(instances, tmp_path):
    source, busy_target, quiet_target = instances
    source.manage("migrate", "--noinput")
    source.run("-m", "tests.backup_instance", "seed")
    before = source.counts()

    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.backup_instance", "write", str(stop)],
        cwd=ROOT,
        env=source.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "writing", writer.stderr.read() if writer.poll() else ""
        busy = _backup(source, tmp_path / "backups")
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = int(out.strip())
    after = source.counts()
    assert after["registrations"] == before["registrations"] + written

    # Taken while the writer ran: a consistent instant between before and after, audit chain intact.
    _assert_restored(busy_target, busy)
    restored = busy_target.counts()
    assert before["registrations"] < restored["registrations"] <= after["registrations"]
    assert restored["cameras"] - before["cameras"] == restored["registrations"] - before["registrations"]

    # Taken at rest: identical counts.
    quiet = _backup(source, tmp_path / "backups")
    _assert_restored(quiet_target, quiet)
    assert quiet_target.counts() == after

    # The keys are never in a backup.
    for path in quiet.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET_KEY.encode() not in data and FIELD_KEY.encode() not in data, path

    # A second restore into the now populated instance is refused, and changes nothing.
    again = quiet_target.manage("restore", str(quiet), check=False)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert quiet_target.counts() == after


def _fresh_sqlite(tmp_path: Path, label: str) -> Instance:
    return Instance(tmp_path / label, None)


@pytest.fixture(scope="module")
def _sqlite_backup_once(tmp_path_factory) -> Path:
    """One seeded SQLite instance's backup for the module (migrating and seeding it takes seconds)."""
    base = tmp_path_factory.mktemp("backup-source")
    source = _fresh_sqlite(base, "source")
    source.manage("migrate", "--noinput")
    source.run("-m", "tests.backup_instance", "seed")
    return _backup(source, base / "backups")


@pytest.fixture
def sqlite_backup(_sqlite_backup_once, tmp_path) -> Path:
    """A copy of that backup of the test's own, to tamper with."""
    return Path(shutil.copytree(_sqlite_backup_once, tmp_path / "backup" / _sqlite_backup_once.name))


@pytest.mark.slow
@pytest.mark.sqlite
def test_a_tampered_evidence_file_is_refused_and_nothing_is_restored(sqlite_backup, tmp_path):
    manifest = json.loads((sqlite_backup / "manifest.json").read_text())
    (evidence_name,) = [name for name in manifest["files"] if name.endswith("clip0.bin")]
    (sqlite_backup / evidence_name).write_bytes(b"not the clip that was uploaded")
    target = _fresh_sqlite(tmp_path, "target")
    result = target.manage("restore", str(sqlite_backup), check=False)
    assert result.returncode == 1
    assert f"{evidence_name} has SHA-256" in result.stderr and "Refusing to restore" in result.stderr
    assert not (target.data_dir / "audit-anchors.log").exists()
    assert not (target.data_dir / "uploads" / "evidence").exists()


@pytest.mark.slow
@pytest.mark.sqlite
def test_an_added_or_missing_file_is_refused(sqlite_backup, tmp_path):
    (sqlite_backup / "extra.txt").write_text("slipped in")
    result = _fresh_sqlite(tmp_path, "one").manage("restore", str(sqlite_backup), check=False)
    assert result.returncode == 1 and "extra.txt is not in the manifest" in result.stderr
    (sqlite_backup / "extra.txt").unlink()
    (sqlite_backup / "audit-anchors.log").unlink()
    result = _fresh_sqlite(tmp_path, "two").manage("restore", str(sqlite_backup), check=False)
    assert result.returncode == 1 and "audit-anchors.log is in the manifest but missing" in result.stderr


@pytest.mark.slow
def test_a_folder_without_a_manifest_is_refused(tmp_path):
    target = _fresh_sqlite(tmp_path, "target")
    result = target.manage("restore", str(tmp_path), check=False)
    assert result.returncode == 1 and "no manifest.json" in result.stderr


def test_old_backups_beyond_keep_are_removed_with_any_partial_one(tmp_path):
    for name in ("backup-20260101T000000000000Z", "backup-20260102T000000000000Z", "backup-20260103T000000000000Z"):
        (tmp_path / name).mkdir()
    (tmp_path / "backup-20260104T000000000000Z.partial").mkdir()
    removed = backups_prune(tmp_path, keep=2)
    assert len(removed) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "backup-20260102T000000000000Z",
        "backup-20260103T000000000000Z",
    ]
