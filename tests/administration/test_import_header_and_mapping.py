"""The header row (detected, or given with --header-row / on the upload page) and the mapping shown before
anything is imported: the profile recognised, each column as written -> field, and every column left out.
Hostile headers get one clear message, never a traceback."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, TestCase

from administration.importing import ImportOptions, registrations_import
from administration.models import ImportJob
from tests.administration import profile_files as files
from tests.staff_fixtures import make_staff, staff_client

UPLOAD = "/staff/admin/import/"
BEYOND = "Row 99 is beyond the end of the file (its last row with anything in it is row 10); it cannot be the header."
BLANK = "Row 2 is empty; the header row must hold the column names."
NOT_A_NUMBER = "The header row must be a row number as the spreadsheet shows it (1 for the first row), not 'C'."
ZERO = "The header row must be a row number from 1 on (the spreadsheet's first row is 1)."


def command(path, *arguments, tmp_path):
    """(exit code, output) of import_registrations --dry-run on `path`."""
    out = io.StringIO()
    try:
        call_command(
            "import_registrations",
            str(path),
            "--agency",
            "maple-falls",
            "--dry-run",
            "--report",
            str(tmp_path / "report.csv"),
            *arguments,
            stdout=out,
            stderr=io.StringIO(),
        )
    except SystemExit as exit_info:
        return exit_info.code, out.getvalue()
    return 0, out.getvalue()


def run(town, path, **options):
    return registrations_import(path=path, options=ImportOptions(agency=town["maple"], dry_run=True, **options))


# ---------------------------------------------------------------- the command


def test_command_prints_the_profile_header_row_and_every_column_before_importing(town, tmp_path):
    code, out = command(files.microsoft_forms_xlsx(tmp_path), tmp_path=tmp_path)
    assert code == 1  # row 5's phone is incomplete
    lines = out.splitlines()
    assert lines[:10] == [
        "Read as: Microsoft Forms export, sheet 'Sheet1'; header row 1.",
        "Columns imported:",
        "  Completion time → Date submitted",
        "  Owner's full name → Owner name",
        "  Street address of the property → Street address",
        "  Phone number → Owner phone",
        "  Email address → Owner email",
        "  Camera Locations. Select all that apply. → Camera locations (multi-select)",
        "  Do any cameras record the street traffic? → Records street traffic (yes/no)",
        "  How many days of footage are kept? → Days of footage kept",
    ]
    assert lines[10] == "Not imported: ID, Start time, Email, Name"
    assert out.index("Not imported:") < out.index("4 rows read") < out.index("row 5, column 'Phone number'")


def test_command_lists_a_google_form_question_it_does_not_import(town, tmp_path):
    _code, out = command(files.google_forms_csv(tmp_path), tmp_path=tmp_path)
    assert out.startswith("Read as: Google Forms export; header row 1.\n")
    assert f"Not imported: {files.WESTCHESTER_TERMS}\n" in out
    assert f"  {files.WESTCHESTER_NOTES} → Notes for detectives\n" in out


def test_command_detects_the_clerks_header_row_or_takes_the_given_one(town, tmp_path):
    path = files.clerk_sheet_xlsx(tmp_path)
    for arguments in [(), ("--header-row", "3")]:
        _code, out = command(path, *arguments, tmp_path=tmp_path)
        assert out.startswith("Read as: spreadsheet, sheet 'Registry 2025'; header row 3.\n")
        assert "  Alt. Contact → Alternate person's name\n  Alt. Phone → Alternate person's phone\n" in out
        assert "Not imported: # Cams\n" in out
        assert "Note: Row 8 skipped: it looks like a total/notes row (TOTAL 7).\n" in out


@pytest.mark.parametrize(
    ("value", "message"), [("C", NOT_A_NUMBER), ("0", ZERO), ("-1", NOT_A_NUMBER.replace("'C'", "'-1'"))]
)
def test_command_refuses_a_header_row_that_is_not_a_row_number(town, tmp_path, value, message):
    with pytest.raises(CommandError) as error:
        command(files.clerk_sheet_xlsx(tmp_path), "--header-row", value, tmp_path=tmp_path)
    assert str(error.value) == f"--header-row {value}: {message}"


@pytest.mark.parametrize(("value", "message"), [("99", BEYOND), ("2", BLANK)])
def test_command_says_why_a_row_cannot_be_the_header(town, tmp_path, value, message):
    code, out = command(files.clerk_sheet_xlsx(tmp_path), "--header-row", value, tmp_path=tmp_path)
    assert code == 1 and out.splitlines()[0] == f"The file could not be imported: {message}"


def test_a_header_row_that_names_nothing_says_which_row_was_read(town, tmp_path):
    code, out = command(files.clerk_sheet_xlsx(tmp_path), "--header-row", "1", tmp_path=tmp_path)
    assert code == 1
    assert f"Not imported: {files.CLERK_TITLE}, (column 2, no header), (column 3, no header)," in out
    assert "No column is mapped to the street address; map one (the header row is row 1)." in out


# ---------------------------------------------------------------- the report: summary first


def test_command_output_starts_with_the_summary_per_reason(town, tmp_path):
    _code, out = command(files.google_forms_csv(tmp_path), tmp_path=tmp_path)
    after_mapping = out.split(f"Not imported: {files.WESTCHESTER_TERMS}\n", 1)[1].splitlines()
    assert after_mapping[:7] == [
        "6 rows read (dry run, nothing saved).",
        "Would create: 2 registrations.",
        "Repeated rows of this file (not imported twice): 1 row.",
        "Refused: 3 rows.",
        "  1 row: Phone Number: Enter a 10-digit phone number, including the area code.",
        "  1 row: Address: Address not found in the address table; check the spelling or load the county's "
        "address points.",
        "  1 row: Address: The address is in Cedar Grove Police Department's jurisdiction, not Maple Falls "
        "Police Department's.",
    ]
    assert "row 4, column 'Phone Number': Enter a 10-digit phone number" in out
    assert "row 7" not in out  # the repeated row is counted, not listed
    assert "1 skipped rows (already imported, registered or repeated) are counted above" in out


def test_already_imported_rows_are_counted_not_listed(town, tmp_path):
    path = files.clerk_sheet_xlsx(tmp_path, rows=files.CLERK_ROWS[:3])
    outputs = []
    for _attempt in range(2):
        outputs.append(io.StringIO())
        call_command(
            "import_registrations", str(path), "--agency", "maple-falls", "--report", str(tmp_path / "again.csv"),
            stdout=outputs[-1], stderr=io.StringIO(),
        )  # fmt: skip
    assert "Created: 3 registrations." in outputs[0].getvalue()
    again = outputs[1].getvalue()
    lines = again.split("Not imported: # Cams\n", 1)[1].splitlines()
    assert lines[:3] == ["3 rows read.", "Created: 0 registrations.", "Already imported from an earlier file: 3 rows."]
    assert "row 4" not in again and "Refused" not in again
    listed = (tmp_path / "again.csv").read_text().splitlines()
    assert listed[1:] == [f"{row},,skipped,Already imported from an earlier file." for row in (4, 5, 6)]


def test_a_problem_names_the_column_as_written_never_a_field_name(town, tmp_path):
    path = tmp_path / "no-header.csv"
    path.write_text("Address,,Phone\n101 1st St,,708-555-0101\n")
    report = run(town, path, mapping={"street_address": 0, "owner_name": 1, "owner_phone": 2})
    assert [(p.row, p.column) for p in report.problems] == [(2, "(column 2, no header)")]
    assert report.columns_used[1] == ("(column 2, no header)", "Owner name")


# ---------------------------------------------------------------- hostile headers


def _workbook(tmp_path, rows) -> object:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / "hostile.xlsx"
    workbook.save(path)
    return path


def test_a_header_row_of_only_formulas(town, tmp_path):
    path = _workbook(tmp_path, [["=B2", "=C2", "=SUM(A2:A9)"], ["Ann Lee", "101 1st St", "708-555-0101"]])
    report = run(town, path)
    assert report.file_problems == [
        "Row 1, taken as the header, holds only formulas, not column names. "
        "Type the column names into the header row, or give the header row's number."
    ]


def test_a_header_ten_thousand_columns_wide(town, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"Question {i}" for i in range(10_000)) + "\n" + ",".join(["x"] * 10_000) + "\n")
    report = run(town, path)
    assert report.file_problems == [
        "Row 1 has 10,000 columns; at most 1,000 can be read. "
        "Remove the extra columns, or check that the file is the form's export."
    ]


def test_nul_bytes_in_headers(town, tmp_path):
    plain = tmp_path / "nul.csv"
    plain.write_bytes(b"Name\x00,Address,Phone\r\nAnn Lee,101 1st St,708-555-0101\r\n")
    assert run(town, plain).file_problems == ["This is not a CSV or XLSX file (it contains binary data)."]
    wide = tmp_path / "nul16.csv"  # UTF-16 is full of NUL bytes; a NUL *character* is still refused
    wide.write_bytes("Name\x00,Address,Phone\r\nAnn Lee,101 1st St,708-555-0101\r\n".encode("utf-16"))
    assert run(town, wide).file_problems == [
        "The file contains a NUL character (line 1), which a CSV file cannot hold. "
        "Open it in a spreadsheet and save it again as 'CSV UTF-8'."
    ]


def test_a_header_row_pointing_at_a_blank_row(town, tmp_path):
    assert run(town, files.clerk_sheet_xlsx(tmp_path), header_row=2).file_problems == [BLANK]
    assert run(town, files.clerk_sheet_xlsx(tmp_path), header_row=99).file_problems == [BEYOND]


def test_formatted_empty_columns_are_not_listed_but_answers_without_a_header_are(town, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Address", "Phone"])
    sheet.append(["Ann Lee", "101 1st St", "708-555-0101", "", "gate code 4411"])
    sheet.cell(row=1, column=300).fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")  # styled, empty
    path = tmp_path / "styled.xlsx"
    workbook.save(path)
    report = run(town, path)
    assert report.columns_not_imported == ["(column 4, no header)", "(column 5, no header)"]
    assert report.ok and report.rows_valid == 1


# ---------------------------------------------------------------- the staff page


@pytest.fixture
def administrator(town) -> Client:
    return staff_client(Client(raise_request_exception=False), make_staff(town["maple"], "administrator"))


def _upload(client: Client, path, header_row=""):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(path.name, path.read_bytes()), "header_row": header_row})


def _stored(settings) -> list:
    folder = settings.DATA_DIR / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_page_offers_the_header_row_and_shows_what_the_dry_run_read(administrator, tmp_path, run_tasks):
    assert "Header row (leave empty to detect)" in administrator.get(UPLOAD).content.decode()
    response = _upload(administrator, files.clerk_sheet_xlsx(tmp_path))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.header_row is None
    page = administrator.get(response["Location"]).content.decode()
    assert "Read as: spreadsheet; the header is row 3." in page and "Column 7: Alt. Contact" in page
    form = administrator.get(response["Location"]).context["form"]
    fields = {name: form.fields[name].initial or "" for name in form.fields if name.startswith("column_")}
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert administrator.post(response["Location"], {**fields, "mode": "dry_run"}).status_code == 302
    run_tasks()
    job.refresh_from_db()
    assert job.report["profile"] == "spreadsheet" and job.report["header_row"] == 3
    assert job.report["columns_not_imported"] == ["# Cams"]
    assert ["Alt. Contact", "Alternate person's name"] in job.report["columns_used"]
    result = administrator.get(response["Location"]).content.decode()
    assert "Read as: spreadsheet; the header is row 3." in result
    assert "<td>Alt. Phone</td><td>Alternate person&#x27;s phone</td>" in result
    assert "<strong>Not imported:</strong> # Cams</p>" in result
    assert "Row 8 skipped: it looks like a total/notes row (TOTAL 7)." in result
    summary = (
        '<ul class="import-summary"><li>4 rows read (dry run, nothing saved).</li><li>Would create: 3 registrations.'
    )
    assert summary in result
    assert result.index("Refused: 1 row.") < result.index("<caption>Refused rows</caption>")


def test_a_given_header_row_is_kept_with_the_job(administrator, tmp_path, run_tasks):
    response = _upload(administrator, files.clerk_sheet_xlsx(tmp_path), "3")
    assert response.status_code == 302 and ImportJob.objects.get().header_row == 3
    page = administrator.get(response["Location"]).content.decode()
    assert "the header is row 3." in page


@pytest.mark.parametrize(("value", "message"), [("C", NOT_A_NUMBER), ("0", ZERO), ("99", BEYOND), ("2", BLANK)])
def test_a_wrong_header_row_on_the_page_is_named_and_nothing_is_kept(administrator, tmp_path, settings, value, message):
    response = _upload(administrator, files.clerk_sheet_xlsx(tmp_path), value)
    assert response.status_code == 200
    assert response.context["form"].errors["header_row"] == [message]
    assert not ImportJob.objects.exists() and _stored(settings) == []


def test_a_hostile_header_on_the_page_gets_a_message_not_an_error_page(administrator, tmp_path, settings):
    path = _workbook(tmp_path, [["=B2", "=C2"], ["Ann Lee", "101 1st St"]])
    response = _upload(administrator, path)
    assert response.status_code == 200 and "holds only formulas" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists() and _stored(settings) == []


def test_another_agency_sees_nothing_of_what_was_read(administrator, town, tmp_path, run_tasks):
    response = _upload(administrator, files.clerk_sheet_xlsx(tmp_path), "3")
    other = staff_client(Client(), make_staff(town["cedar"], "administrator"))
    assert other.get(response["Location"]).status_code == 404
    assert files.CLERK_TITLE not in other.get(UPLOAD).content.decode()
    anonymous = Client().get(response["Location"])
    assert anonymous.status_code in (302, 403) and b"Alt. Contact" not in anonymous.content


def _run_on_page(client: Client, path, mode: str, run_tasks) -> str:
    location = _upload(client, path)["Location"]
    form = client.get(location).context["form"]
    fields = {name: form.fields[name].initial or "" for name in form.fields if name.startswith("column_")}
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(location, {**fields, "mode": mode}).status_code == 302
    run_tasks()
    return client.get(location).content.decode()


def test_the_page_counts_already_imported_rows_and_lists_them_last(administrator, tmp_path, run_tasks):
    path = files.clerk_sheet_xlsx(tmp_path, rows=files.CLERK_ROWS[:3])
    assert "Created: 3 registrations." in _run_on_page(administrator, path, "all_or_nothing", run_tasks)
    again = _run_on_page(administrator, path, "dry_run", run_tasks)
    assert "<li>Already imported from an earlier file: 3 rows.</li>" in again
    assert "Refused rows" not in again
    details = again.index('<details class="import-skipped"><summary>3 rows skipped because they are already there')
    assert again.index("Already imported from an earlier file: 3 rows.") < again.index("What was read") < details


def test_terminal_escapes_in_a_file_are_not_echoed_by_the_command(town, tmp_path):
    path = tmp_path / "escapes.csv"
    path.write_text('Name,Address,Phone,"Notes\x1b[2J\nmore"\nAnn Lee,101 1st St,555\x1b]0;pwned\x07,x\n')
    _code, out = command(path, tmp_path=tmp_path)
    assert "\x1b" not in out and "\x07" not in out
    assert "  Notes [2J more → Notes for detectives\n" in out


def test_a_column_mapped_by_hand_is_shown_as_mapped(town, tmp_path):
    path = files.clerk_sheet_xlsx(tmp_path)
    _code, out = command(path, "--header-row", "3", "--map", "Notes=camera_description", tmp_path=tmp_path)
    assert "  Notes → What the cameras show\n" in out and "Not imported: # Cams\n" in out
    with pytest.raises(CommandError, match="the file has no column headed 'Remarks'"):
        command(path, "--map", "Remarks=camera_description", tmp_path=tmp_path)


def test_the_header_row_can_be_corrected_on_the_mapping_page(administrator, town, tmp_path):
    location = _upload(administrator, files.clerk_sheet_xlsx(tmp_path))["Location"]
    page = administrator.get(location).content.decode()
    assert 'name="change_header"' in page and "Read as: spreadsheet; the header is row 3." in page
    answer = administrator.post(location, {"change_header": "1", "header_row": "1"})
    assert answer.status_code == 302
    job = ImportJob.objects.get()
    assert job.header_row == 1 and job.state == ImportJob.State.UPLOADED and "street_address" not in job.mapping
    assert "the header is row 1." in administrator.get(location).content.decode()
    administrator.post(location, {"change_header": "1", "header_row": ""})  # back to detected
    job.refresh_from_db()
    assert job.header_row is None and job.mapping["street_address"] == 2


@pytest.mark.parametrize(("value", "message"), [("C", NOT_A_NUMBER), ("0", ZERO), ("99", BEYOND), ("2", BLANK)])
def test_a_wrong_header_row_on_the_mapping_page_is_named(administrator, tmp_path, value, message):
    location = _upload(administrator, files.clerk_sheet_xlsx(tmp_path))["Location"]
    page = administrator.post(location, {"change_header": "1", "header_row": value})
    assert page.status_code == 200 and page.context["header_form"].errors["header_row"] == [message]
    job = ImportJob.objects.get()
    assert job.header_row is None and job.state == ImportJob.State.UPLOADED


def test_another_agency_cannot_change_the_header_row(administrator, town, tmp_path):
    location = _upload(administrator, files.clerk_sheet_xlsx(tmp_path))["Location"]
    other = staff_client(Client(), make_staff(town["cedar"], "administrator"))
    assert other.post(location, {"change_header": "1", "header_row": "1"}).status_code == 404
    assert ImportJob.objects.get().header_row is None


@pytest.mark.parametrize("case", ["wide", "nul"])
def test_hostile_headers_on_the_upload_page_get_a_message(administrator, tmp_path, settings, case):
    path = tmp_path / f"{case}.csv"
    if case == "wide":
        path.write_text(",".join(f"Q{i}" for i in range(10_000)) + "\n" + ",".join(["x"] * 10_000) + "\n")
    else:
        path.write_bytes("Name\x00,Address,Phone\r\nAnn Lee,101 1st St,708-555-0101\r\n".encode("utf-16"))
    response = _upload(administrator, path)
    assert response.status_code == 200
    assert (
        response.context["form"].errors["file"][0].startswith(("Row 1 has 10,000 columns", "The file contains a NUL"))
    )
    assert not ImportJob.objects.exists() and _stored(settings) == []
