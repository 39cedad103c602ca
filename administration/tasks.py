from __future__ import annotations

from django_tasks import task

from administration.imports.job_states import (
    import_job_fail,
    import_job_finish,
    import_job_progress,
    import_job_start,
    job_file_path,
)
from administration.imports.options import ImportOptions
from administration.imports.report import ImportReport
from administration.imports.service import registrations_import
from administration.models import ImportJob
from audit.services import AuditWriteFailed


@task()
def run_import_job(job_id: int) -> None:
    job = import_job_start(job_id)
    if job is None:
        return
    try:
        report = _run(job)
    except AuditWriteFailed:
        # Nothing was imported (the import rolls back with its audit entry); say so.
        import_job_fail(job, "The audit entry could not be written, so nothing was imported. Try again later.")
        raise
    import_job_finish(job, report)


def _run(job: ImportJob) -> ImportReport:
    def progress(phase: str, done: int, total: int) -> None:
        import_job_progress(job, phase, done, total)

    return registrations_import(
        path=job_file_path(job),
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
