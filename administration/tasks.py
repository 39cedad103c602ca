from __future__ import annotations

from django_tasks import task

from administration import import_storage
from administration.importing import ImportOptions, ImportReport, registrations_import
from administration.models import ImportJob
from audit.services import AuditWriteFailed


def import_file_path(job: ImportJob):
    return import_storage.local_path(job.stored_name)


@task()
def run_import_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("agency", "created_by").filter(pk=job_id).first()
    if job is None or job.state not in (ImportJob.State.QUEUED,):
        return
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)

    def progress(phase: str, done: int, total: int) -> None:
        # Autocommitted row updates: the page polling this job sees them while the import runs.
        state = ImportJob.State.RUNNING if phase == "check" else ImportJob.State.SAVING
        if phase == "check":
            ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total, state=state)
        elif done == 0 or done == total:
            ImportJob.objects.filter(pk=job.pk).update(state=state)

    try:
        report = _run(job, progress)
    except AuditWriteFailed:
        # Nothing was imported (the import rolls back with its audit entry); say so instead of "running" forever.
        problem = "The audit entry could not be written, so nothing was imported. Try again later."
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, report={"summary": problem, "file_problems": [problem], "problems": []}
        )
        raise
    state = ImportJob.State.FAILED if report.file_problems else ImportJob.State.DONE
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, report=report.as_dict(), rows_total=report.rows_total, rows_done=report.rows_total
    )


def _run(job: ImportJob, progress) -> ImportReport:
    return registrations_import(
        path=import_file_path(job),
        source_name=job.original_name,
        options=ImportOptions(
            agency=job.agency,
            mapping={k: int(v) for k, v in job.mapping.items()},
            sheet=job.sheet or None,
            header_row=job.header_row,
            dry_run=job.dry_run,
            all_or_nothing=job.all_or_nothing,
            other_agencies=job.other_agencies,
            actor=job.created_by,
            progress=progress,
        ),
    )
