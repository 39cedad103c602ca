"""Backups that restore (`manage.py backup` / `manage.py restore`).

A backup is one folder:

    database.sqlite3 | database.pgdump   the database, consistent at one instant while the app serves
                                          (SQLite's online backup API; PostgreSQL's pg_dump custom format)
    files/evidence/...                    the evidence files, as stored (local storage), or
    evidence-objects.json                 with object storage (STORAGE_URL): each object's name and SHA-256
    audit-anchors.log                     the audit chain anchors
    manifest.json                         what the backup is, and the SHA-256 of every other file

It never holds SECRET_KEY or FIELD_ENCRYPTION_KEYS: the contact fields in the database stay sealed with
the keys, which must be kept apart (README, Backups). The anchors are copied before the database, so every
anchored entry is in the copy; evidence is copied after it, so every evidence row has its file.
A backup is written under a `.partial` name and renamed when complete: a crash leaves no folder that
looks finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

from audit.anchors import anchor_path
from footage.models import EvidenceFile

FORMAT = 1
MANIFEST = "manifest.json"
ANCHORS = "audit-anchors.log"
OBJECTS = "evidence-objects.json"
FILES = "files"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def object_storage_in_use() -> bool:
    """Evidence lives in a bucket (STORAGE_URL): the backup lists objects instead of copying them."""
    return bool(getattr(settings, "STORAGE_URL", ""))


def storage_location() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def _pg_environment() -> dict[str, str]:
    """libpq variables from DATABASE_URL's parameters, so no password is on a command line."""
    database = connection.settings_dict
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": str(database["NAME"]),
    }
    return {**os.environ, **{name: value for name, value in values.items() if value}}


def pg_run(command: list[str], what: str) -> None:
    try:
        # Fixed PostgreSQL client programs with our own paths; the password travels in PGPASSWORD
        result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).") from None
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[:500]}")


def _dump_database(folder: Path) -> str:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(folder / SQLITE_FILE)
        try:
            with target:
                source.backup(target)  # all pages in one step: one consistent instant
            # A single self-contained file: no -wal/-shm beside it when it is opened again.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
            source.close()
        return SQLITE_FILE
    if connection.vendor == "postgresql":
        pg_run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", str(folder / PG_FILE)], "pg_dump")
        return PG_FILE
    raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}.")


def _evidence_rows():
    return EvidenceFile.objects.filter(purged_at__isnull=True).order_by("id").values("stored_name", "size", "sha256")


def _copy_evidence(folder: Path) -> int:
    """Copy every stored evidence file the database copy knows (and still holds) into files/."""
    if object_storage_in_use():
        # Hook for object storage: the bucket keeps the bytes (with object lock where supported);
        # the backup records which objects the database refers to, to be checked on restore.
        objects = [dict(row) for row in _evidence_rows()]
        (folder / OBJECTS).write_text(json.dumps(objects, indent=1))
        return len(objects)
    root, copied = storage_location(), 0
    for row in _evidence_rows():
        source = root / row["stored_name"]
        if not source.exists():
            continue  # purged after the database copy was taken
        target = folder / FILES / row["stored_name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        copied += 1
    return copied


def _write_manifest(folder: Path, details: dict) -> None:
    files = {
        path.relative_to(folder).as_posix(): sha256_of(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    manifest = {"format": FORMAT, **details, "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))


def backup_create(destination: Path) -> Path:
    """Write a complete backup folder under `destination` and return its path."""
    destination.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    name = f"backup-{created:%Y%m%dT%H%M%S%fZ}"
    partial = destination / f"{name}.partial"
    partial.mkdir()
    try:
        if anchor_path().exists():
            shutil.copy2(anchor_path(), partial / ANCHORS)
        database_file = _dump_database(partial)
        evidence = _copy_evidence(partial)
        _write_manifest(
            partial,
            {
                "created_at": created.isoformat(),
                "database": {"vendor": connection.vendor, "file": database_file},
                "evidence": {"kind": "objects" if object_storage_in_use() else "files", "count": evidence},
            },
        )
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    final = destination / name
    partial.rename(final)
    return final


def backups_prune(destination: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest complete backups (and any left-over partial one)."""
    complete = sorted(path for path in destination.glob("backup-*") if path.is_dir() and path.suffix != ".partial")
    removed = [*destination.glob("backup-*.partial"), *(complete[:-keep] if keep else complete)]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


@dataclass
class Manifest:
    folder: Path
    database_vendor: str
    database_file: str
    evidence_kind: str
    files: dict[str, str]


def manifest_verify(folder: Path) -> Manifest:
    """Check every file against manifest.json; raise BackupError naming the first that differs."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(manifest_path.read_text())
        files, database = manifest["files"], manifest["database"]
        evidence_kind = manifest["evidence"]["kind"]
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{manifest_path} cannot be read as a backup manifest.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path} has format {manifest.get('format')!r}; this version reads {FORMAT}.")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}
    for name in sorted(set(files) | present):
        if name not in present:
            raise BackupError(f"The backup is incomplete: {name} is in the manifest but missing. Refusing to restore.")
        if name not in files:
            raise BackupError(f"The backup was altered: {name} is not in the manifest. Refusing to restore.")
        found = sha256_of(folder / name)
        if found != files[name]:
            raise BackupError(
                f"The backup was altered or damaged: {name} has SHA-256 {found}, the manifest says {files[name]}. "
                "Refusing to restore."
            )
    return Manifest(folder, database["vendor"], database["file"], evidence_kind, files)
