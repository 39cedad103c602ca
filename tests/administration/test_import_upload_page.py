"""The staff upload page with real files: a Google-Forms-like CSV, workbooks made by openpyxl and by
LibreOffice; hostile files get one clear message and leave nothing behind; outsiders get nothing."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from administration.models import ImportJob
from tests.administration import messy_files
from tests.staff_fixtures import make_staff, staff_client

UPLOAD = "/staff/admin/import/"
MAKERS = {
    "google forms csv": messy_files.google_forms_csv,
    "openpyxl xlsx": messy_files.openpyxl_workbook,
    "libreoffice xlsx": messy_files.libreoffice_workbook,
}


@pytest.fixture
def administrator(town) -> Client:
    return staff_client(Client(raise_request_exception=False), make_staff(town["maple"], "administrator"))


def _upload(client: Client, name: str, content: bytes):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def _stored_files(settings) -> list:
    folder = settings.DATA_DIR / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(MAKERS))
def test_the_page_accepts_the_file_shows_the_mapping_and_dry_runs_it(
    administrator, tmp_path, settings, kind, run_tasks
):
    path = MAKERS[kind](tmp_path)
    response = _upload(administrator, path.name, path.read_bytes())
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    extension = ".csv" if kind.endswith("csv") else ".xlsx"
    assert re.fullmatch(r"[0-9a-f]{32}" + re.escape(extension), job.stored_name)
    assert _stored_files(settings) == [job.stored_name] and job.original_name == path.name

    page = administrator.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "6 rows" in content and "Column 4: Phone" in content
    form = page.context["form"]
    chosen = {form.fields[f"column_{i}"].initial: header for i, header in enumerate(messy_files.HEADERS)}
    assert chosen["owner_phone"] == "Phone" and chosen["camera_locations"].startswith("Camera Locations")
    assert chosen["records_street"] == "Do any cameras record the street traffic?"
    assert chosen["notes_for_detectives"] == messy_files.NOTES and chosen["business_name"] == "Business Name"

    fields = {f"column_{i}": form.fields[f"column_{i}"].initial or "" for i in range(len(messy_files.HEADERS))}
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert administrator.post(response["Location"], {**fields, "mode": "dry_run"}).status_code == 302
    run_tasks()
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.report["rows_valid"] == 4
    assert [(p["row"], p["column"]) for p in job.report["problems"]] == [(6, messy_files.NOTES), (7, "Phone")]


def test_a_workbook_named_csv_is_stored_and_read_as_a_workbook(administrator, tmp_path):
    path = messy_files.openpyxl_workbook(tmp_path)
    response = _upload(administrator, "responses.csv", path.read_bytes())
    assert response.status_code == 302
    assert ImportJob.objects.get().stored_name.endswith(".xlsx")


def test_a_job_stored_before_the_fix_as_dot_upload_still_opens(administrator, town, tmp_path, settings):
    path = messy_files.openpyxl_workbook(tmp_path)
    (settings.DATA_DIR / "imports").mkdir()
    (settings.DATA_DIR / "imports" / "0123abcd.upload").write_bytes(path.read_bytes())
    job = ImportJob.objects.create(agency=town["maple"], original_name="old.xlsx", stored_name="0123abcd.upload")
    page = administrator.get(f"/staff/admin/import/{job.public_id}/")
    assert page.status_code == 200 and "Column 4: Phone" in page.content.decode()


def _workbook_bytes(tmp_path) -> bytes:
    return messy_files.openpyxl_workbook(tmp_path).read_bytes()


def _rezip(original: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, (replace or {}).get(entry.filename, source.read(entry.filename)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("responses.csv", "Name,Address\nAnn,101 1st St\n")
    return out.getvalue()


HOSTILE = {
    "csv text named .xlsx": (
        "responses.xlsx",
        lambda tmp: b"Name,Address\nAnn,101 1st St\n",
        "The file is named .xlsx but is not an Excel workbook",
    ),
    "zip bomb-ish workbook": (
        "responses.xlsx",
        lambda tmp: _rezip(_workbook_bytes(tmp), add={"xl/media/padding.bin": b"\0" * (8 * 1024 * 1024)}),
        "The workbook unpacks to far more data than a spreadsheet of its size holds",
    ),
    "a zip that is no workbook": (
        "responses.xlsx",
        lambda tmp: _plain_zip(),
        "This is a ZIP archive but not an Excel workbook.",
    ),
    "truncated workbook": (
        "responses.xlsx",
        lambda tmp: _workbook_bytes(tmp)[:3000],
        "The workbook is damaged or uses a compression method we cannot read",
    ),
    "sheet that is not XML": (
        "responses.xlsx",
        lambda tmp: _rezip(_workbook_bytes(tmp), replace={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"}),
        "The file looks like an Excel workbook but cannot be read",
    ),
    "old excel or password-protected": (
        "responses.xlsx",
        lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000,
        "This is an old Excel (.xls) file or a password-protected workbook.",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_or_broken_file_gets_one_clear_message_and_nothing_is_kept(administrator, tmp_path, settings, case):
    name, content, message = HOSTILE[case]
    response = _upload(administrator, name, content(tmp_path))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ImportJob.objects.exists()
    assert _stored_files(settings) == []


def test_anonymous_and_investigators_cannot_upload(client, town, tmp_path, settings):
    content = messy_files.openpyxl_workbook(tmp_path).read_bytes()
    anonymous = client.post(UPLOAD, {"file": SimpleUploadedFile("r.xlsx", content)})
    assert anonymous.status_code in (302, 403)
    investigator = staff_client(Client(), make_staff(town["maple"], "investigator"))
    assert _upload(investigator, "r.xlsx", content).status_code in (302, 403, 404)
    assert investigator.get(UPLOAD).status_code in (302, 403, 404)
    assert not ImportJob.objects.exists() and _stored_files(settings) == []


def test_another_agencys_administrator_cannot_see_or_start_the_job(administrator, town, tmp_path, run_tasks):
    path = messy_files.openpyxl_workbook(tmp_path)
    mapping_url = _upload(administrator, path.name, path.read_bytes())["Location"]
    job = ImportJob.objects.get()
    other = staff_client(Client(), make_staff(town["cedar"], "administrator"))
    assert other.get(mapping_url).status_code == 404
    assert other.post(mapping_url, {"mode": "valid_rows", "column_2": "street_address"}).status_code == 404
    assert other.get(f"{mapping_url}progress/").status_code == 404
    assert other.get(f"{mapping_url}report.csv").status_code == 404
    assert path.name not in other.get(UPLOAD).content.decode()
    run_tasks()
    job.refresh_from_db()
    assert job.state == ImportJob.State.UPLOADED
