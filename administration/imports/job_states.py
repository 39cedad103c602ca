"""An import job's states and the moves between them, as the background task makes them.

    uploaded (waiting for its column mapping) -> queued -> running (checking rows) -> saving -> done | failed

Only the staff page moves a job out of `uploaded` (`jobs`: the file stored, its header row and sheet
chosen, then queued); only the task (`administration.tasks.run_import_job`) moves it on from `queued`,
with the functions here. Each write is one autocommitted UPDATE, so the page polling the job sees it at once.
"""

from __future__ import annotations

from pathlib import Path

from .. import import_storage
from ..models import ImportJob
from .report import ImportReport

State = ImportJob.State
FINISHED = (State.DONE, State.FAILED)


def job_file_path(job: ImportJob) -> Path:
    """The uploaded file on this machine (fetched from the bucket the first time, when there is one)."""
    return import_storage.local_path(job.stored_name)


def is_waiting_for_mapping(job: ImportJob) -> bool:
    """Whether the job's columns, sheet and header row may still be chosen (it was not started yet)."""
    return job.state == State.UPLOADED


def is_finished(job: ImportJob) -> bool:
    return job.state in FINISHED


def import_job_start(job_id: int) -> ImportJob | None:
    """queued -> running; the job, or None when it is gone or not queued (a task delivered twice runs once)."""
    if not ImportJob.objects.filter(pk=job_id, state=State.QUEUED).update(state=State.RUNNING):
        return None
    return ImportJob.objects.select_related("agency", "created_by").get(pk=job_id)


def import_job_progress(job: ImportJob, phase: str, done: int, total: int) -> None:
    """The importer's progress: rows checked while `running`, then `saving` while the rows are written."""
    if phase == "check":
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total, state=State.RUNNING)
    elif done == 0 or done == total:
        ImportJob.objects.filter(pk=job.pk).update(state=State.SAVING)


def import_job_finish(job: ImportJob, report: ImportReport) -> None:
    """-> done with the report, or failed when the file itself could not be read."""
    state = State.FAILED if report.file_problems else State.DONE
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, report=report.as_dict(), rows_total=report.rows_total, rows_done=report.rows_total
    )


def import_job_fail(job: ImportJob, problem: str) -> None:
    """-> failed with nothing imported, and why (instead of "running" forever)."""
    ImportJob.objects.filter(pk=job.pk).update(
        state=State.FAILED, report={"summary": problem, "file_problems": [problem], "problems": []}
    )
