"""The importer fed with fixture files: exact row-by-row reports, nothing half-imported, no traceback."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from administration.importing import ImportOptions, guess_mapping, parse_locations, registrations_import
from administration.imports.values import FORMULA_PROBLEM
from administration.models import ImportedRow
from registrations.models import Camera, ConsentRecord, ConsentSource, Registration

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS_NOT_FOUND = "Address not found in the address table; check the spelling or load the county's address points."


def run(town, name, **options):
    defaults = {"agency": town["maple"], "dry_run": True}
    defaults.update(options)
    return registrations_import(
        path=FIXTURES / name if isinstance(name, str) else name, options=ImportOptions(**defaults)
    )


def imported(phone):
    """Contact fields are encrypted with a random nonce, so they are compared after reading, not in SQL."""
    return next(r for r in Registration.objects.filter(consents__source=ConsentSource.IMPORT) if r.owner_phone == phone)


def problems(report):
    return [(p.row, p.column, p.problem, p.severity) for p in report.problems]


def test_headers_of_a_form_export_are_guessed():
    headers = (FIXTURES / "clean.csv").read_text().splitlines()[0]
    import csv

    columns = next(csv.reader([headers]))
    mapping = {target: columns[index] for target, index in guess_mapping(columns).items()}
    assert mapping == {
        "submitted_at": "Timestamp",
        "owner_name": "Name",
        "street_address": "Address",
        "owner_phone": "Phone",
        "owner_email": "Email",
        "property_type": "Residence or Business",
        "business_name": "Business Name",
        "alternate_name": "Alternate Name",
        "alternate_phone": "Alternate Phone",
        "camera_locations": "Camera Locations. Select all that apply.",
        "records_street": "Do any cameras record the street traffic?",
        "camera_description": "What do the cameras depict? Example: The Roadway at 10300 Roosevelt",
        "exports_common_format": "Windows Media Player Compliant",
        "retention_days": "How many days of footage are kept?",
        "notes_for_detectives": columns[14],
    }


def test_multi_select_lists_are_normalised():
    assert parse_locations("Front, Driveway; Alley") == (["alley", "driveway", "front"], [])
    assert parse_locations("Rear yard / pool house") == (["back", "other"], ["pool house"])


def test_clean_file_dry_run_writes_nothing(town):
    before = Registration.objects.count()
    report = run(town, "clean.csv")
    assert report.ok and report.rows_valid == 3 and report.rows_created == 0
    assert Registration.objects.count() == before and not ImportedRow.objects.exists()


def test_clean_file_imports_with_normalised_values_and_import_consent(town):
    report = run(town, "clean.csv", dry_run=False)
    assert report.ok and report.rows_created == 3
    maria = imported("708-555-0101")
    assert maria.owner_phone == "708-555-0101" and maria.alternate_phone == "708-555-0111"
    assert maria.created_at.year == 2024 and maria.status == "active" and maria.agency == town["maple"]
    camera = maria.cameras.get()
    assert camera.locations == ["alley", "driveway", "front"] and camera.records_street and camera.retention_days == 14
    assert camera.exports_common_format == "yes"
    consent = ConsentRecord.objects.get(registration=maria)
    assert consent.source == ConsentSource.IMPORT and consent.terms_version == town["maple"].current_terms()
    deli = imported("708-555-0103")  # written "+1 708 555 0103": one format for North American numbers
    assert deli.property_type == "business" and deli.cameras.get().exports_common_format == "unknown"
    assert imported("708-555-0102").cameras.get().retention_days == 14


def test_reimporting_the_same_file_creates_no_duplicates(town):
    run(town, "clean.csv", dry_run=False)
    count, cameras = Registration.objects.count(), Camera.objects.count()
    again = run(town, "windows_line_endings.csv", dry_run=False)  # same rows, other line endings
    assert again.rows_created == 0 and again.rows_skipped == 3 and again.ok
    assert {p.problem for p in again.problems} == {"Already imported from an earlier file."}
    assert Registration.objects.count() == count and Camera.objects.count() == cameras


def test_withdrawn_owner_is_not_recreated_by_an_old_spreadsheet(town):
    run(town, "clean.csv", dry_run=False)
    imported("708-555-0101").delete()
    again = run(town, "clean.csv", dry_run=False)
    assert again.rows_created == 0
    assert (
        problems(again)[0][2]
        == "Already imported from an earlier file; the owner has since withdrawn, so it is not re-created."
    )


def test_every_kind_of_bad_row_is_reported_exactly(town):
    report = run(town, "bad_rows.csv")
    assert problems(report) == [
        (3, "Address", "Enter the street address where the cameras are.", "error"),
        (4, "Address", ADDRESS_NOT_FOUND, "error"),
        (5, "Phone", "Enter a 10-digit phone number, including the area code.", "error"),
        (
            6,
            "How many days of footage are kept?",
            "400 days of footage is not possible here: it must be between 1 and 365.",
            "error",
        ),
        (7, "", "Same address and owner as row 2; not imported twice.", "skipped"),
        (8, "Name", FORMULA_PROBLEM, "error"),
        (9, "Do any cameras record the street traffic?", "'maybe so' is not yes or no.", "error"),
        (9, "Email", "Enter a valid email address, like name@example.com.", "error"),
    ]
    assert report.error_rows == 6 and report.rows_valid == 1


@pytest.mark.slow
def test_all_or_nothing_imports_nothing_when_a_row_is_bad(town):
    before = Registration.objects.count()
    report = run(town, "bad_rows.csv", dry_run=False, all_or_nothing=True)
    assert report.rows_created == 0 and not report.ok
    assert Registration.objects.count() == before and not ImportedRow.objects.exists()


def test_valid_rows_only_imports_the_good_row(town):
    before = Registration.objects.count()
    report = run(town, "bad_rows.csv", dry_run=False, all_or_nothing=False)
    assert report.rows_created == 1
    assert Registration.objects.count() == before + 1
    assert all(not r.owner_name.startswith("=") for r in Registration.objects.all())


def test_rows_of_another_agency_are_refused(town):
    path = FIXTURES / "clean.csv"
    report = run(town, path, agency=town["cedar"])
    assert report.rows_valid == 0
    assert problems(report)[0] == (
        2,
        "Address",
        "The address is in Maple Falls Police Department's jurisdiction, not Cedar Grove Police Department's.",
        "error",
    )


def test_windows_1252_file_is_read_and_reported(town):
    report = run(town, "windows_1252.csv", dry_run=False)
    assert report.ok and report.rows_created == 1
    assert report.notes[0].startswith(
        "The file is not UTF-8 (first unreadable byte on line 2); it was read as Windows-1252."
    )
    assert imported("708-555-0121").owner_name == "José Núñez"


def test_utf8_with_bom_keeps_the_first_header(town):
    report = run(town, "utf8_bom.csv", dry_run=False)
    assert report.ok and report.rows_created == 1 and not report.notes
    assert imported("708-555-0122").owner_name == "Zoë Brontë"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("binary.csv", "This is not a CSV or XLSX file (it contains binary data)."),
    ],
)
def test_unreadable_files_get_one_clear_reason(town, name, message):
    report = run(town, name, dry_run=False)
    assert report.file_problems == [message] and report.rows_created == 0


def test_xlsx_with_several_sheets_reads_first_non_empty_or_the_chosen_one(town, tmp_path):
    source = (FIXTURES / "clean.csv").read_text().splitlines()
    import csv

    rows = list(csv.reader(source))
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"  # empty first sheet
    first = workbook.create_sheet("2023")
    for row in rows[:2]:
        first.append(row)
    second = workbook.create_sheet("2024")
    for row in [rows[0], *rows[2:]]:
        second.append(row)
    second.cell(row=2, column=4, value=7085550102)  # a phone stored as a number
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = run(town, path)
    assert report.sheet == "2023" and report.rows_valid == 1
    assert report.notes == ["The workbook has 3 sheets; sheet '2023' was read."]
    chosen = run(town, path, sheet="2024", dry_run=False)
    assert chosen.rows_created == 2 and chosen.ok
    missing = run(town, path, sheet="2025")
    assert missing.file_problems == ["The workbook has no sheet named '2025'. Its sheets: Notes, 2023, 2024."]


def test_command_exits_non_zero_and_writes_the_report(town, tmp_path):
    report_path = tmp_path / "report.csv"
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_registrations",
            str(FIXTURES / "bad_rows.csv"),
            "--agency",
            "maple-falls",
            "--dry-run",
            "--report",
            str(report_path),
            stdout=out,
            stderr=io.StringIO(),
        )
    assert exit_info.value.code == 1
    lines = report_path.read_text().splitlines()
    assert lines[0] == "row,column,severity,problem"
    assert lines[1] == "3,Address,error,Enter the street address where the cameras are."
    assert "row 5, column 'Phone': Enter a 10-digit phone number, including the area code." in out.getvalue()


def test_command_imports_a_clean_file(town, tmp_path):
    out = io.StringIO()
    call_command(
        "import_registrations",
        str(FIXTURES / "clean.csv"),
        "--agency",
        "maple-falls",
        "--report",
        str(tmp_path / "r.csv"),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "3 registrations created" in out.getvalue()
    assert ImportedRow.objects.count() == 3


def test_command_refuses_unknown_agency(town):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No agency with slug 'nowhere'"):
        call_command("import_registrations", str(FIXTURES / "clean.csv"), "--agency", "nowhere")


@pytest.mark.parametrize("name", ["clean.csv", "missing.csv"])
def test_garbage_collection_is_back_on_after_an_import(town, tmp_path, name):
    import gc

    path = FIXTURES / name if name != "missing.csv" else tmp_path / name  # a file that cannot be read
    report = run(town, path, dry_run=False)
    assert report.ok is (name == "clean.csv")
    assert gc.isenabled()


def test_garbage_collection_stays_off_when_the_caller_turned_it_off(town):
    import gc

    gc.disable()
    try:
        assert run(town, "clean.csv").ok
        assert not gc.isenabled()
    finally:
        gc.enable()
