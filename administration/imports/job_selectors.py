"""Reads of import jobs for the staff pages. A job is seen by the people of the agency it was uploaded
for (the pages also require the import permission); anyone else gets the same 404 as a made-up id."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User

from ..models import ImportJob
from .job_states import is_finished, job_file_path
from .mapping import guess_mapping
from .reader import Table, read_table

RECENT_JOBS = 10


def import_job_for(user: User, public_id: uuid.UUID) -> ImportJob:
    job = import_jobs_of(user).filter(public_id=public_id).first()
    if job is None:
        raise Http404
    return job


def import_jobs_of(user: User) -> QuerySet[ImportJob]:
    """The jobs of the user's agency, newest first; none for an account of no agency."""
    if user.agency_id is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(agency_id=user.agency_id)


def import_jobs_recent(user: User) -> QuerySet[ImportJob]:
    return import_jobs_of(user)[:RECENT_JOBS]


def import_job_problems(job: ImportJob) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The finished report's row problems: (refused rows, skipped rows)."""
    problems = job.report.get("problems", []) if isinstance(job.report, dict) else []
    refused = [p for p in problems if p.get("severity") != "skipped"]
    skipped = [p for p in problems if p.get("severity") == "skipped"]
    return refused, skipped


def import_job_status(job: ImportJob) -> dict[str, Any]:
    """What the progress page polls for."""
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "finished": is_finished(job),
        "summary": job.report.get("summary", ""),
    }


def import_job_table(job: ImportJob, sheet: str | None) -> Table:
    """The job's file read with its header row, on `sheet` (None: the first). Raises ImportFileError."""
    return read_table(job_file_path(job), sheet, job.header_row)


def import_job_mapping(job: ImportJob, table: Table) -> dict[str, int]:
    """The columns as chosen for the job's sheet; guessed again for another sheet."""
    mapping = job.mapping if table.sheet == job.sheet else guess_mapping(table.headers)
    return {target: int(index) for target, index in mapping.items()}
