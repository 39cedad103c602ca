"""Import uploads with a bucket (real SeaweedFS): kept there too, so a worker on another machine (here: a
DATA_DIR that lost its copy) reads the same file; a file that cannot be read leaves nothing in the bucket."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from administration.models import ImportJob
from tests.administration import messy_files
from tests.staff_fixtures import make_staff, staff_client
from tests.storage.helpers import bucket_keys

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # slow: starts a real SeaweedFS server
UPLOAD = "/staff/admin/import/"


@pytest.fixture
def administrator(town) -> Client:
    return staff_client(Client(raise_request_exception=False), make_staff(town["maple"], "administrator"))


@pytest.mark.slow
def test_an_import_file_is_kept_in_the_bucket_and_read_back_by_another_machine(
    use_bucket, administrator, town, tmp_path, run_tasks
):
    s3, bucket, prefix = use_bucket()
    path = messy_files.google_forms_csv(tmp_path)
    response = administrator.post(UPLOAD, {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert bucket_keys(s3, bucket, prefix) == [f"imports/{job.stored_name}"]

    (tmp_path / "imports" / job.stored_name).unlink()  # the worker's machine has no copy of its own
    page = administrator.get(response["Location"])
    assert page.status_code == 200 and "6 rows" in page.content.decode()
    form = page.context["form"]
    fields = {f"column_{i}": form.fields[f"column_{i}"].initial or "" for i in range(len(messy_files.HEADERS))}
    (tmp_path / "imports" / job.stored_name).unlink()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert administrator.post(response["Location"], {**fields, "mode": "dry_run"}).status_code == 302
    run_tasks()
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.report["rows_valid"] == 4
    other = staff_client(Client(), make_staff(town["cedar"], "administrator"))
    assert other.get(response["Location"]).status_code == 404


def test_an_unreadable_file_leaves_nothing_in_the_bucket(use_bucket, administrator):
    s3, bucket, prefix = use_bucket()
    response = administrator.post(UPLOAD, {"file": SimpleUploadedFile("list.xlsx", b"PK\x03\x04 not a workbook")})
    assert response.status_code == 200 and not ImportJob.objects.exists()
    assert bucket_keys(s3, bucket, prefix) == []
