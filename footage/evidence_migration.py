"""Moving evidence from the local folder into the bucket (manage.py evidence_to_bucket).

Every file is checked against the SHA-256 recorded when it arrived, twice: while it is read from the
local folder, and again by streaming the object back from the bucket after the upload. The run can be
stopped and started again: an object already in the bucket with the right hash is skipped. Nothing that
does not verify is ever removed from the local folder; with remove_local, a file that verified is.
Each file copied and verified gets an `evidence.migrate` audit entry at once, so a run stopped half-way
has recorded what it moved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from audit.services import audit_record
from cameraregistry.bucket_storage import BucketStorage
from footage.evidence_store import hash_stored
from footage.models import EvidenceFile

READ_BYTES = 1024 * 1024


@dataclass
class MigrationReport:
    copied: list[int] = field(default_factory=list)
    already_there: list[int] = field(default_factory=list)
    removed_local: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class _HashingReader:
    """Reads a file for the upload and hashes what passed through."""

    def __init__(self, handle) -> None:
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _in_bucket_with_hash(storage: BucketStorage, evidence: EvidenceFile) -> str | None:
    """The object's SHA-256, or None when there is no such object."""
    if not storage.object_exists(evidence.stored_name):
        return None
    try:
        return hash_stored(evidence.stored_name)[0]
    except FileNotFoundError:
        return None


def migrate_one(storage: BucketStorage, source: Path, evidence: EvidenceFile, report: MigrationReport) -> bool:
    """Copy one file if needed and verify it; True when the bucket now holds it with the recorded hash."""
    label = f"evidence {evidence.pk} ({evidence.stored_name})"
    local = source / evidence.stored_name
    found = _in_bucket_with_hash(storage, evidence)
    if found == evidence.sha256:
        report.already_there.append(evidence.pk)
        return True
    if not local.is_file():
        where = "in the bucket with another SHA-256" if found else "missing from the bucket"
        report.problems.append(f"{label}: not in the local folder, and {where}")
        return False
    with local.open("rb") as handle:
        reader = _HashingReader(handle)
        storage.upload_from(evidence.stored_name, reader)
    if reader.digest.hexdigest() != evidence.sha256:
        storage.delete(evidence.stored_name)
        report.problems.append(
            f"{label}: the local file's SHA-256 is {reader.digest.hexdigest()}, not the recorded "
            f"{evidence.sha256}; not copied, local file kept"
        )
        return False
    after = _in_bucket_with_hash(storage, evidence)
    if after != evidence.sha256:
        report.problems.append(f"{label}: read back from the bucket its SHA-256 is {after}; local file kept")
        return False
    storage.protect(evidence.stored_name)
    report.copied.append(evidence.pk)
    return True


def evidence_to_bucket(
    *, storage: BucketStorage, source: Path, remove_local: bool = False, progress=None
) -> MigrationReport:
    report = MigrationReport()
    files = EvidenceFile.objects.filter(purged_at__isnull=True).select_related("request__agency").order_by("pk")
    for evidence in files.iterator(chunk_size=500):
        copied_before = len(report.copied)
        if migrate_one(storage, source, evidence, report):
            if len(report.copied) > copied_before:
                audit_record(
                    action="evidence.migrate",
                    agency=evidence.request.agency,
                    object_type="evidence_file",
                    object_id=evidence.pk,
                    parameters={"to_bucket": storage.bucket_name, "sha256": evidence.sha256, "size": evidence.size},
                )
            if remove_local and (source / evidence.stored_name).is_file():
                (source / evidence.stored_name).unlink()
                report.removed_local.append(evidence.pk)
        if progress is not None:
            progress.advance()
    return report
