"""An import job moves uploaded -> queued -> running -> saving -> done once: a second submit of the mapping
page, or the task delivered twice, changes nothing; outsiders cannot move another agency's job."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client, TestCase

from administration.imports import job_selectors, jobs
from administration.models import ImportJob
from administration.tasks import run_import_job
from registrations.models import Registration
from tests.administration import messy_files
from tests.staff_fixtures import make_staff, staff_client

UPLOAD = "/staff/admin/import/"


@pytest.fixture
def staff(town):
    return make_staff(town["maple"], "administrator")


@pytest.fixture
def uploaded(staff, tmp_path) -> tuple[Client, str]:
    client = staff_client(Client(raise_request_exception=False), staff)
    path = messy_files.google_forms_csv(tmp_path)
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    assert response.status_code == 302
    return client, response["Location"]


def _mapping_answers(client: Client, url: str, mode: str) -> dict[str, str]:
    form = client.get(url).context["form"]
    columns = {f"column_{i}": form.fields[f"column_{i}"].initial or "" for i in range(len(messy_files.HEADERS))}
    return {**columns, "mode": mode}


def test_the_mapping_page_submitted_twice_queues_the_job_once_and_keeps_the_first_choice(uploaded, run_tasks):
    client, url = uploaded
    answers = _mapping_answers(client, url, "dry_run")
    before = Registration.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True) as queued:
        assert client.post(url, answers).status_code == 302
        second = client.post(url, {**answers, "mode": "valid_rows"})
    assert len(queued) == 1
    assert second.status_code == 200 and "administration/import_progress.html" in [t.name for t in second.templates]
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.QUEUED and job.dry_run
    run_tasks()
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.report["rows_valid"] == 4
    assert Registration.objects.count() == before  # the dry run first chosen, not the import asked for second


def test_the_service_refuses_to_queue_or_change_a_started_job(uploaded, staff):
    client, url = uploaded
    job = ImportJob.objects.get()
    table = job_selectors.import_job_table(job, None)
    mapping = job_selectors.import_job_mapping(job, table)
    jobs.import_job_queue(job=job, table=table, mapping=mapping, mode="dry_run")
    with pytest.raises(ValidationError, match="already started"):
        jobs.import_job_queue(job=job, table=table, mapping=mapping, mode="valid_rows")
    with pytest.raises(ValidationError, match="already started"):
        jobs.import_job_header_row_change(job=job, sheet=None, header_row=2)
    job.refresh_from_db()
    assert job.dry_run and job.header_row is None


def test_an_unknown_mode_is_refused_with_a_message(uploaded):
    job = ImportJob.objects.get()
    table = job_selectors.import_job_table(job, None)
    with pytest.raises(ValidationError, match="Choose how to run the import"):
        jobs.import_job_queue(job=job, table=table, mapping={}, mode="everything")
    job.refresh_from_db()
    assert job.state == ImportJob.State.UPLOADED


def test_the_task_delivered_twice_imports_once(uploaded, town):
    client, url = uploaded
    with TestCase.captureOnCommitCallbacks(execute=False):
        assert client.post(url, _mapping_answers(client, url, "valid_rows")).status_code == 302
    job = ImportJob.objects.get()
    before = Registration.objects.count()
    run_import_job.call(job.pk)
    job.refresh_from_db()
    first_report = job.report
    assert job.state == ImportJob.State.DONE and first_report["rows_valid"] == 4
    assert Registration.objects.count() == before + 4
    run_import_job.call(job.pk)
    job.refresh_from_db()
    assert job.report == first_report and Registration.objects.count() == before + 4


def test_another_agencys_staff_and_an_investigator_do_not_see_the_job(uploaded, town):
    job = ImportJob.objects.get()
    outsider = make_staff(town["cedar"], "administrator")
    with pytest.raises(Http404):
        job_selectors.import_job_for(outsider, job.public_id)
    assert job.public_id not in [j.public_id for j in job_selectors.import_jobs_recent(outsider)]
    investigator = staff_client(Client(), make_staff(town["maple"], "investigator"))
    assert investigator.get(f"{UPLOAD}{job.public_id}/progress/").status_code in (302, 403, 404)
