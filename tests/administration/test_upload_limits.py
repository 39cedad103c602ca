"""Import and boundary files: the size limit is enforced while the upload streams in."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from administration import services
from administration.imports import reader
from administration.models import ImportJob
from tests.staff_fixtures import make_staff, staff_client

LIMIT = 64 * 1024


@pytest.fixture
def small_limits(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", LIMIT)
    monkeypatch.setattr(services, "BOUNDARY_MAX_FILE_BYTES", LIMIT)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    return tmp_path


@pytest.fixture
def administrator(town) -> Client:
    return staff_client(Client(raise_request_exception=False), make_staff(town["maple"], "administrator"))


def _left_behind(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def _csv(size: int) -> bytes:
    header = b"street_address,owner_name\n"
    return header + b"1 Main St,Ann\n" * ((size - len(header)) // 14) + b"x" * ((size - len(header)) % 14)


def test_an_import_file_one_byte_over_the_limit_is_refused_and_nothing_is_kept(administrator, small_limits):
    response = administrator.post("/staff/admin/import/", {"file": SimpleUploadedFile("big.csv", _csv(LIMIT + 1))})
    assert response.status_code == 413
    assert "larger than 0.0625 MB; nothing was stored" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert _left_behind(small_limits / "upload-tmp") == []
    assert not (small_limits / "imports").exists() or _left_behind(small_limits / "imports") == []


def test_an_import_file_at_the_limit_is_accepted(administrator, small_limits):
    response = administrator.post("/staff/admin/import/", {"file": SimpleUploadedFile("ok.csv", _csv(LIMIT))})
    assert response.status_code == 302
    assert ImportJob.objects.count() == 1


def test_a_far_larger_body_is_not_read_past_the_limit(administrator, small_limits, monkeypatch):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    written = []
    original = TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(
        TemporaryFileUploadHandler,
        "receive_data_chunk",
        lambda self, raw, start: written.append(len(raw)) or original(self, raw, start),
    )
    body = SimpleUploadedFile("huge.csv", _csv(40 * LIMIT))
    response = administrator.post("/staff/admin/import/", {"file": body})
    assert response.status_code == 413
    assert sum(written) <= LIMIT  # what reached the disk before the upload was stopped
    assert _left_behind(small_limits / "upload-tmp") == []
    assert not ImportJob.objects.exists()


def test_a_boundary_file_over_the_limit_is_refused_with_a_message(administrator, small_limits, town):
    before = town["maple"].boundary
    upload = SimpleUploadedFile("b.geojson", b'{"type": "Polygon", "coordinates": []}' + b" " * LIMIT)
    response = administrator.post("/staff/admin/settings/", {"action": "boundary", "boundary_file": upload})
    assert response.status_code == 413
    assert "The boundary file is larger than 0.0625 MB; nothing was stored." in response.content.decode()
    town["maple"].refresh_from_db()
    assert town["maple"].boundary == before
    assert _left_behind(small_limits / "upload-tmp") == []


def test_the_limited_views_still_check_csrf(town, small_limits):
    client = staff_client(Client(enforce_csrf_checks=True), make_staff(town["maple"], "administrator"))
    response = client.post("/staff/admin/import/", {"file": SimpleUploadedFile("ok.csv", _csv(100))})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_outsiders_cannot_upload(client, town, small_limits):
    response = client.post("/staff/admin/import/", {"file": SimpleUploadedFile("ok.csv", _csv(100))})
    assert response.status_code in (302, 403)
    investigator = staff_client(Client(), make_staff(town["maple"], "investigator"))
    response = investigator.post("/staff/admin/import/", {"file": SimpleUploadedFile("ok.csv", _csv(100))})
    assert response.status_code in (302, 403, 404)
    assert not ImportJob.objects.exists()
