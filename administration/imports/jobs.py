"""The staff page's moves of an import job: the upload stored and read, its header row and sheet chosen,
then queued for the background task. Everything here applies to a job waiting for its mapping only
(`job_states.is_waiting_for_mapping`); a job already started is refused with a clear message.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from administration.tasks import run_import_job

from .. import import_storage
from ..models import ImportJob
from .files import stored_extension
from .job_states import is_waiting_for_mapping, job_file_path
from .mapping import guess_mapping
from .reader import Table, read_table

# The three ways the mapping page runs a file.
MODES = ("dry_run", "all_or_nothing", "valid_rows")


def store_upload(upload: UploadedFile, header_row: int | None = None) -> tuple[str, Table]:
    """Keep the upload as `<uuid>.csv` or `<uuid>.xlsx` (by its content, not its name) and read it once;
    a file that cannot be read is removed again, so nothing is left half-saved."""
    upload.seek(0)
    extension = stored_extension(upload.read(8), upload.name or "")
    upload.seek(0)
    folder = import_storage.local_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{extension}"
    try:
        with (folder / stored).open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        table = read_table(folder / stored, header_row=header_row)
        import_storage.keep(stored)  # with a bucket, also there: a worker elsewhere reads the same file
        return stored, table
    except BaseException:
        (folder / stored).unlink(missing_ok=True)
        raise


def _require_waiting(job: ImportJob) -> None:
    if not is_waiting_for_mapping(job):
        raise ValidationError(_("This import was already started; upload the file again to run it another way."))


def import_job_create(*, upload: UploadedFile, header_row: int | None, actor: User) -> ImportJob:
    """The upload kept and read, and a job for the actor's agency with the columns guessed.
    Raises HeaderRowError (the header row given is not one), ImportFileError (the file cannot be read)
    or ValidationError (the actor belongs to no agency)."""
    agency = actor.agency
    if agency is None:
        raise ValidationError(_("Your account belongs to no agency, so it cannot import registrations."))
    stored, table = store_upload(upload, header_row)
    return ImportJob.objects.create(
        agency=agency,
        created_by=actor,
        original_name=(upload.name or "")[:200],
        stored_name=stored,
        sheet=table.sheet,
        header_row=header_row,
        mapping=guess_mapping(table.headers),
    )


def import_job_header_row_change(*, job: ImportJob, sheet: str | None, header_row: int | None) -> None:
    """The file read again with the header row chosen on the mapping page, and its columns guessed again.
    Raises HeaderRowError or ImportFileError as `import_job_create` does; nothing is changed then."""
    _require_waiting(job)
    table = read_table(job_file_path(job), sheet, header_row)
    job.header_row, job.sheet, job.mapping = header_row, table.sheet, guess_mapping(table.headers)
    job.save(update_fields=["header_row", "sheet", "mapping"])


def import_job_sheet_choose(*, job: ImportJob, table: Table, mapping: dict[str, int]) -> None:
    """Another sheet of the workbook was chosen: the job keeps it, with the columns guessed for it."""
    _require_waiting(job)
    if table.sheet != job.sheet:
        job.sheet, job.mapping = table.sheet, mapping
        job.save(update_fields=["sheet", "mapping"])


def import_job_queue(
    *, job: ImportJob, table: Table, mapping: dict[str, int], mode: str, other_agencies: str = ""
) -> None:
    """uploaded -> queued with the mapping and mode chosen; the background task runs it once this commits.
    `mode`: "dry_run" (check only), "all_or_nothing" (every row or none), "valid_rows" (the rows that pass)."""
    _require_waiting(job)
    if mode not in MODES:
        raise ValidationError(_("Choose how to run the import (one of: %(modes)s).") % {"modes": ", ".join(MODES)})
    job.mapping = mapping
    job.sheet = table.sheet
    job.dry_run = mode == "dry_run"
    job.all_or_nothing = mode != "valid_rows"
    job.other_agencies = other_agencies or ""
    job.state = ImportJob.State.QUEUED
    job.rows_total = len(table.rows)
    job.save()
    job_pk = job.pk
    transaction.on_commit(lambda: run_import_job.enqueue(job_pk))
