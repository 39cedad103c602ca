"""Values read the way people write them, from a Google-Forms-like CSV and the same answers as XLSX
(openpyxl, LibreOffice): what each row is imported as, or refused with which message naming its
row and column header; and any cell content gives a row verdict, never a traceback."""

from __future__ import annotations

import csv
from datetime import datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula

from administration.importing import ImportOptions, registrations_import
from administration.imports.values import (
    FORMULA_PROBLEM,
    is_placeholder,
    parse_locations,
    parse_records_street,
    parse_yes_no,
)
from registrations.models import ConsentSource, Registration
from registrations.validators import normalize_phone
from tests.administration import messy_files

MAKERS = {
    "google forms csv": messy_files.google_forms_csv,
    "openpyxl xlsx": messy_files.openpyxl_workbook,
    "libreoffice xlsx": messy_files.libreoffice_workbook,
}


def _import(town, path, **options):
    return registrations_import(
        path=path,
        options=ImportOptions(agency=town["maple"], dry_run=False, all_or_nothing=False, **options),
    )


def _by_name(name: str) -> Registration:
    return next(r for r in Registration.objects.filter(consents__source=ConsentSource.IMPORT) if r.owner_name == name)


@pytest.fixture(params=list(MAKERS))
def messy_file(request, tmp_path):
    return MAKERS[request.param](tmp_path)


@pytest.mark.slow
def test_each_row_is_imported_as_written_or_refused_naming_row_and_column(town, messy_file):
    report = _import(town, messy_file)
    assert [(p.row, p.column, p.problem) for p in report.problems] == [
        (6, messy_files.NOTES, FORMULA_PROBLEM),
        (7, "Phone", "Enter a 10-digit phone number, including the area code."),
    ]
    assert report.rows_created == 4

    maria = _by_name("Maria Garcia")
    assert maria.owner_phone == "708-555-0101" and maria.owner_email == "maria.garcia@example.com"
    assert (maria.property_type, maria.business_name) == ("residence", "")
    assert (maria.alternate_name, maria.alternate_phone, maria.alternate_email) == ("", "", "")
    assert maria.notes_for_detectives == "- gate code 4411, ring twice"
    assert maria.created_at.date().isoformat() == "2025-03-14"
    camera = maria.cameras.get()
    assert camera.locations == ["driveway", "front"]  # no "other", no "Location: Business" in the description
    assert camera.records_street and camera.description == "The roadway at 1403 1st St"
    assert camera.retention_days == 14 and camera.exports_common_format == "yes"

    robert = _by_name("Robert Smith")
    assert robert.owner_phone == "708-555-0102 x12" and robert.owner_email == ""
    assert (robert.property_type, robert.business_name, robert.alternate_name) == ("residence", "", "")
    assert robert.notes_for_detectives == "@ night the porch light is off"
    camera = robert.cameras.get()
    assert camera.locations == ["back"] and not camera.records_street and camera.description == "Back yard"
    assert camera.exports_common_format == "no" and camera.retention_days == 14

    ana = _by_name("Ana Nowak")
    assert (ana.property_type, ana.business_name) == ("business", "Nowak Deli")
    assert (ana.alternate_name, ana.alternate_phone, ana.alternate_email) == ("Piotr Nowak", "708-555-0113", "")
    assert ana.notes_for_detectives == "+1 camera inside, not registered"
    camera = ana.cameras.get()
    assert camera.locations == ["parking_lot", "side"] and camera.records_street
    assert camera.description == "Parking lot and door; Corner of 5th St & Oak Ave"
    assert camera.exports_common_format == "unknown" and camera.retention_days == 30

    jose = _by_name("Jose Lopez")
    assert jose.owner_phone == "708-555-0104"
    assert (jose.property_type, jose.business_name) == ("residence", "")  # business name "N/A" is no business
    camera = jose.cameras.get()
    assert camera.locations == ["front"] and camera.records_street and camera.description == "Partially - Elm Ave"


def test_a_formula_cell_of_an_xlsx_is_reported_even_with_a_harmless_value(town, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(messy_files.HEADERS)
    row = list(messy_files.ROWS[0])
    row[1] = '=PROPER("maria garcia")'  # a clerk's formula: its shown value would be fine, it is still a formula
    sheet.append(row)
    sheet.append(list(messy_files.ROWS[1]))
    sheet["P3"] = ArrayFormula("P3:P3", '=CONCAT("@ night", "")')  # an array formula in the notes column
    path = tmp_path / "log.xlsx"
    workbook.save(path)
    report = _import(town, path)
    assert [(p.row, p.column, p.problem) for p in report.problems] == [
        (2, "Name", FORMULA_PROBLEM),
        (3, messy_files.NOTES, FORMULA_PROBLEM),
    ]
    assert report.rows_created == 0


@pytest.mark.parametrize(
    ("answer", "records", "text"),
    [
        ("The roadway at 1403 1st St", True, "The roadway at 1403 1st St"),
        ("Corner of 5th St & Oak Ave", True, "Corner of 5th St & Oak Ave"),
        ("Partially - Elm Ave", True, "Partially - Elm Ave"),
        ("Yes - Roosevelt Rd", True, "Roosevelt Rd"),
        ("No, only my backyard", False, ""),
        ("No - inside the garage only", False, ""),
        ("yes", True, ""),
        ("No", False, ""),
        ("Not sure", None, ""),
        ("10300 Roosevelt", True, "10300 Roosevelt"),
        ("Yes, 2 cameras", True, ""),
    ],
)
def test_the_street_traffic_answer_is_read_as_people_write_it(answer, records, text):
    assert parse_records_street(answer) == (records, text)


def test_an_answer_that_says_nothing_about_the_street_is_still_refused():
    from administration.imports.values import ValueProblem

    with pytest.raises(ValueProblem, match="'maybe so' is not yes or no."):
        parse_records_street("maybe so")
    for answer in ("only my backyard", "0 cameras", "2 of them"):
        with pytest.raises(ValueProblem):
            parse_records_street(answer)


@pytest.mark.parametrize(
    ("answer", "locations", "unknown"),
    [
        ("Front of Residence/Business", ["front"], []),
        ("Front of Residence/Business, Back of Residence/Business, Driveway", ["back", "driveway", "front"], []),
        ("Side of Residence / Business;Alley", ["alley", "side"], []),
        ("Front of Residence/Business, pool house", ["front", "other"], ["pool house"]),
        ("Driveway/Garage", ["driveway", "garage"], []),
        ("Front, Driveway; Alley", ["alley", "driveway", "front"], []),
    ],
)
def test_form_options_with_a_slash_are_matched_before_splitting(answer, locations, unknown):
    assert parse_locations(answer) == (locations, unknown)


@pytest.mark.parametrize("text", ["N/A", "n/a", "none", "None.", "-", "Residence", " n/a ", "NA", "—"])
def test_placeholders_mean_empty(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["Nowak Deli", "Piotr", "ana@example.com", "Nadia", "Residence Inn"])
def test_real_values_are_not_placeholders(text):
    assert not is_placeholder(text)


def test_residence_is_a_placeholder_for_a_business_name_but_a_word_in_notes():
    assert is_placeholder("Residence") and not is_placeholder("Residence", business=False)
    assert is_placeholder("N/A", business=False)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+1 (708) 555-0101", "708-555-0101"),
        ("+1 708 555 0101 (cell)", "708-555-0101"),
        ("Cell: 708-555-0101", "708-555-0101"),
        ("708.555.0101 mobile", "708-555-0101"),
        ("708-555-0101 ext. 12", "708-555-0101 x12"),
        ("(708) 555-0101 x 12 (work)", "708-555-0101 x12"),
        ("708-555-0101 #3", "708-555-0101 x3"),
        ("708–555–0101", "708-555-0101"),
        ("7085550101", "708-555-0101"),
        ("+52 55 1234 5678", "+525512345678"),
    ],
)
def test_phone_numbers_in_any_common_format_are_stored_in_one(written, stored):
    assert normalize_phone(written) == stored


def test_the_public_form_reads_phones_by_the_same_rule():
    from registrations.forms import RegistrationForm

    form = RegistrationForm(data={"owner_phone": "+1 (708) 555-0101 (cell)"})
    form.is_valid()
    assert form.cleaned_data["owner_phone"] == "708-555-0101"


@pytest.mark.parametrize("written", ["call me maybe", "708-555-0101 / 708-555-0199", "555-12", "+1"])
def test_what_is_not_one_phone_number_is_still_refused(written):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        normalize_phone(written)


# ---------------------------------------------------------------- any cell content: a verdict per row

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"), max_size=60)
_CELL = st.one_of(
    _TEXT,
    st.sampled_from(["N/A", "-", "=SUM(A1:A2)", "+1 (708) 555-0101", "Front of Residence/Business", "No, none"]),
)
_ADDRESSES = st.sampled_from(["101 1st St", "203 2nd St", "305 3rd St", "9999 Nowhere Rd", ""])
_ROW = st.lists(_CELL, min_size=len(messy_files.HEADERS), max_size=len(messy_files.HEADERS))
_ROWS = st.lists(st.tuples(_ADDRESSES, _ROW), min_size=1, max_size=6)


def _assert_a_verdict_per_row(report, rows: int):
    assert not report.file_problems
    assert report.rows_total == rows
    with_problems = {p.row for p in report.problems}
    assert with_problems <= set(range(2, rows + 2))
    assert all(isinstance(p.column, str) and p.problem for p in report.problems)
    assert report.rows_valid + len(with_problems) == rows


@pytest.mark.slow
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_ROWS)
def test_any_csv_cell_content_gives_a_row_verdict(town, tmp_path, rows):
    path = tmp_path / "fuzz.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(messy_files.HEADERS)
        for address, cells in rows:
            cells[2] = address
            cells[3] = cells[3] or "708-555-0101"
            writer.writerow(cells)
    _assert_a_verdict_per_row(registrations_import(path=path, options=ImportOptions(agency=town["maple"])), len(rows))


_TYPED = st.one_of(
    _TEXT,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(['=HYPERLINK("http://x","y")', "=1/0", "- dash", "@ at"]),
)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.lists(_TYPED, min_size=len(messy_files.HEADERS), max_size=len(messy_files.HEADERS)), min_size=1, max_size=4
    )
)
@pytest.mark.slow
def test_any_xlsx_cell_type_gives_a_row_verdict(town, tmp_path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(messy_files.HEADERS)
    for cells in rows:
        cells[2] = "101 1st St"
        sheet.append(cells)
    path = tmp_path / "fuzz.xlsx"
    workbook.save(path)
    _assert_a_verdict_per_row(registrations_import(path=path, options=ImportOptions(agency=town["maple"])), len(rows))


@pytest.mark.parametrize(("answer", "expected"), [("No, it's proprietary", False), ("No - DVR only", False)])
def test_a_no_with_a_reason_is_a_no(answer, expected):
    assert parse_yes_no(answer) is expected


@pytest.mark.parametrize(
    ("answer", "degrees"),
    [
        ("North-east", 45),
        ("NE", 45),
        ("north east", 45),
        ("Facing west", 270),
        ("S", 180),
        ("noroeste", 315),
        ("270", 270),
        ("90°", 90),
        ("", None),
    ],
)
def test_a_direction_is_read_in_degrees_or_as_a_compass_point(answer, degrees):
    from administration.imports.values import parse_direction

    assert parse_direction(answer) == degrees


@pytest.mark.parametrize(
    ("answer", "message"),
    [("towards the park", "compass point such as NE"), ("400", "from 0 to 359"), ("45.5", "from 0 to 359")],
)
def test_a_direction_that_is_neither_says_what_to_give(answer, message):
    from administration.imports.values import ValueProblem, parse_direction

    with pytest.raises(ValueProblem, match=message):
        parse_direction(answer)


@pytest.mark.parametrize("zone_name", ["Asia/Tokyo", "Pacific/Honolulu", "America/Chicago"])
def test_a_submission_an_hour_old_is_not_in_the_future_whatever_the_zone(zone_name):
    """A form written in a zone ahead of the server's clock was once refused as "in the future"."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from administration.imports.values import ValueProblem, parse_date

    zone = ZoneInfo(zone_name)
    an_hour_ago = timezone.now().astimezone(zone) - timezone.timedelta(hours=1)
    written = an_hour_ago.strftime("%m/%d/%Y %H:%M:%S")
    assert parse_date(written, zone) == an_hour_ago.replace(microsecond=0)
    in_an_hour = (an_hour_ago + timezone.timedelta(hours=2)).strftime("%m/%d/%Y %H:%M:%S")
    with pytest.raises(ValueProblem, match="is in the future"):
        parse_date(in_an_hour, zone)
