"""Rebuild a fresh instance from a backup folder (cameraregistry/backups.py describes the layout).

Everything is checked before anything is written: the manifest's hashes, that the database is the same
kind and empty, that DATA_DIR has no audit anchors and the storage no evidence. Then the database is
loaded, the evidence files put back and checked against the SHA-256 the database recorded at upload,
the anchors put back, the schema migrated to this version, and the audit chain verified.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from audit.anchors import anchor_path
from cameraregistry.backups import (
    ANCHORS,
    FILES,
    OBJECTS,
    BackupError,
    Manifest,
    manifest_verify,
    pg_run,
    sha256_of,
    storage_location,
)
from footage.models import EvidenceFile


def _check_fresh(manifest: Manifest) -> None:
    if manifest.database_vendor != connection.vendor:
        raise BackupError(
            f"The backup holds a {manifest.database_vendor} database; this instance uses {connection.vendor}."
        )
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database is not empty ({len(tables)} tables): a restore needs a fresh, empty database "
            "(DATABASE_URL naming a new database, or a DATA_DIR without registry.sqlite3)."
        )
    if anchor_path().exists():
        raise BackupError(f"{anchor_path()} already exists: restore into a fresh DATA_DIR.")
    evidence = storage_location() / "evidence"
    if evidence.exists() and any(evidence.iterdir()):
        raise BackupError(f"{evidence} already holds evidence: restore into empty storage.")


def _load_database(manifest: Manifest) -> None:
    source_path = manifest.folder / manifest.database_file
    if connection.vendor == "sqlite":
        connection.close()
        source = sqlite3.connect(f"file:{source_path}?mode=ro&immutable=1", uri=True)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        name = connection.settings_dict["NAME"]
        pg_run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={name}", str(source_path)],
            "pg_restore",
        )
    connection.close()  # the next query sees the restored tables


def _restore_evidence(manifest: Manifest) -> int:
    """Put the files back (or check the objects are there) and verify each against its recorded SHA-256."""
    rows = EvidenceFile.objects.filter(purged_at__isnull=True).order_by("id")
    if manifest.evidence_kind == "objects":
        missing = [row.stored_name for row in rows if not default_storage.exists(row.stored_name)]
        if missing:
            raise BackupError(f"{len(missing)} evidence objects are not in the bucket, e.g. {missing[0]} ({OBJECTS}).")
        return rows.count()
    source_root, target_root = manifest.folder / FILES, storage_location()
    if source_root.exists():
        shutil.copytree(source_root, target_root, dirs_exist_ok=True)
    checked = 0
    for row in rows:
        path = target_root / row.stored_name
        if not path.exists():
            raise BackupError(f"Evidence file {row.stored_name} (evidence #{row.pk}) is not in the backup.")
        if sha256_of(path) != row.sha256:
            raise BackupError(f"Evidence file {row.stored_name} does not match the SHA-256 recorded at upload.")
        checked += 1
    return checked


def restore_from(folder: Path) -> dict[str, object]:
    """Restore the backup in `folder` into this (fresh) instance; returns what was restored."""
    manifest = manifest_verify(folder)
    _check_fresh(manifest)
    _load_database(manifest)
    if (folder / ANCHORS).exists():
        anchor_path().parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / ANCHORS, anchor_path())
    evidence = _restore_evidence(manifest)
    call_command("migrate", interactive=False, verbosity=0)
    output = io.StringIO()
    call_command("verify_audit_log", stdout=output)  # CommandError (exit 1) if the chain is broken
    return {"evidence_verified": evidence, "audit": output.getvalue().strip()}
