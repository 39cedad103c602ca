"""Source profiles read right: a Google Forms CSV export, a Microsoft Forms XLSX export and a clerk's
hand-kept sheet (title rows above the header, short headers, Excel date cells), with what each row becomes."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from administration.importing import (
    PROFILE_LABELS,
    ImportOptions,
    describe_mapping,
    guess_mapping,
    read_table,
    registrations_import,
    source_profile,
)
from administration.imports.layout import looks_like_total_or_notes
from administration.imports.values import is_sign_in_placeholder
from registrations.models import ConsentSource, Registration
from tests.administration import profile_files as files

ADDRESS_NOT_FOUND = "Address not found in the address table; check the spelling or load the county's address points."
PHONE_INCOMPLETE = "Enter a 10-digit phone number, including the area code."


def run(town, path, **options):
    defaults = {"agency": town["maple"], "dry_run": True}
    defaults.update(options)
    return registrations_import(path=path, options=ImportOptions(**defaults))


def problems(report):
    return [(p.row, p.column, p.problem, p.severity) for p in report.problems]


def imported(phone):
    """Contact fields are encrypted with a random nonce, so they are compared after reading, not in SQL."""
    return next(r for r in Registration.objects.filter(consents__source=ConsentSource.IMPORT) if r.owner_phone == phone)


def local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


# ---------------------------------------------------------------- Google Forms


def test_google_forms_export_is_recognised_and_every_question_is_accounted_for(tmp_path):
    table = read_table(files.google_forms_csv(tmp_path))
    assert source_profile(table.headers) == "google_forms" and table.header_row == 1 and not table.notes
    used, unused = describe_mapping(table.headers, guess_mapping(table.headers))
    assert used == [
        ("Timestamp", "Date submitted"),
        ("Name", "Owner name"),
        ("Address", "Street address"),
        ("Phone Number", "Owner phone"),
        ("Email Address", "Owner email"),
        ("Residence or Business?", "Residence or business"),
        ("Business Name", "Business name"),
        ("Alternate Person's Name", "Alternate person's name"),
        ("Alternate Person's Phone", "Alternate person's phone"),
        ("Camera Locations. Select all that apply.", "Camera locations (multi-select)"),
        ("Do any cameras record the street traffic?", "Records street traffic (yes/no)"),
        ("Windows Media Player Compliant", "Exports a common format (Windows Media Player compliant)"),
        (files.WESTCHESTER_NOTES, "Notes for detectives"),
    ]
    assert unused == [files.WESTCHESTER_TERMS]


def test_google_forms_rows_are_imported_or_refused_one_by_one(town, tmp_path):
    report = run(town, files.google_forms_csv(tmp_path), dry_run=False, all_or_nothing=False)
    assert problems(report) == [
        (4, "Phone Number", PHONE_INCOMPLETE, "error"),
        (5, "Address", ADDRESS_NOT_FOUND, "error"),
        (
            6,
            "Address",
            "The address is in Cedar Grove Police Department's jurisdiction, not Maple Falls Police Department's.",
            "error",
        ),
        (7, "", "Same address and owner as row 2; not imported twice.", "skipped"),
    ]
    assert report.rows_total == 6 and report.rows_created == 2
    maria = imported("708-555-0101")  # row 2: the Timestamp is the registration date
    assert local(maria.created_at) == datetime(2025, 3, 14, 9, 2, 11)
    assert maria.owner_email == "maria.garcia@example.com" and maria.property_type == "residence"
    assert maria.alternate_name == "Luis Garcia" and maria.alternate_phone == "708-555-0111"
    camera = maria.cameras.get()
    assert camera.locations == ["driveway", "front"] and camera.records_street  # "Front of Residence/Business"
    assert camera.exports_common_format == "yes" and maria.notes_for_detectives == "Recorder is in the basement."
    deli = imported("708-555-0103")  # row 3: a business, the street answered the way the form's example invites
    assert deli.property_type == "business" and deli.business_name == "Nowak Deli"
    camera = deli.cameras.get()
    assert camera.locations == ["parking_lot", "side"] and camera.records_street
    assert camera.description == "Corner of 5th St & Oak Ave" and camera.exports_common_format == "unknown"


# ---------------------------------------------------------------- Microsoft Forms


def test_microsoft_forms_export_takes_completion_time_and_the_questions_not_the_sign_in(tmp_path):
    table = read_table(files.microsoft_forms_xlsx(tmp_path))
    assert source_profile(table.headers) == "microsoft_forms"
    assert PROFILE_LABELS["microsoft_forms"] == "Microsoft Forms export"
    used, unused = describe_mapping(table.headers, guess_mapping(table.headers))
    assert used[0] == ("Completion time", "Date submitted")
    assert ("Owner's full name", "Owner name") in used and ("Email address", "Owner email") in used
    assert unused == ["ID", "Start time", "Email", "Name"]


def test_microsoft_forms_rows_keep_the_owner_from_the_questions(town, tmp_path):
    report = run(town, files.microsoft_forms_xlsx(tmp_path), dry_run=False, all_or_nothing=False)
    assert problems(report) == [(5, "Phone number", PHONE_INCOMPLETE, "error")]
    assert report.rows_created == 3
    kevin = imported("708-555-0105")  # sign-in "anonymous": the question's answers are the owner
    assert kevin.owner_name == "Kevin Patel" and kevin.owner_email == "kevin@example.com"
    assert local(kevin.created_at) == datetime(2025, 3, 14, 9, 2, 11)  # Completion time, not Start time
    assert kevin.cameras.get().locations == ["driveway", "front"]  # Microsoft Forms joins choices with ";"
    assert kevin.cameras.get().retention_days == 14
    jose = imported("708-555-0104")  # a clerk signed in: the clerk is not the owner
    assert jose.owner_name == "Jose Lopez" and jose.owner_email == "jose@example.com"
    assert jose.cameras.get().records_street and jose.cameras.get().description == "Partially - Elm Ave"
    li = imported("708-555-0102")  # no email asked back: none stored, never the sign-in
    assert li.owner_name == "Li Wei" and li.owner_email == "" and li.cameras.get().retention_days == 30


def test_microsoft_forms_sign_in_is_the_contact_when_no_question_holds_it(town, tmp_path):
    path = files.microsoft_forms_xlsx(tmp_path, files.MS_SIGN_IN_HEADERS, files.MS_SIGN_IN_ROWS)
    headers = read_table(path).headers
    used, unused = describe_mapping(headers, guess_mapping(headers))
    assert ("Email", "Owner email") in used and ("Name", "Owner name") in used and unused == ["ID", "Start time"]
    report = run(town, path, dry_run=False, all_or_nothing=False)
    assert problems(report) == [
        (3, "Name", "'Anonymous' is the form's sign-in placeholder, not the owner's name.", "error"),
    ]
    maria = imported("708-555-0101")
    assert maria.owner_name == "Maria Garcia" and maria.owner_email == "maria.garcia@example.com"
    robert = imported("708-555-0103")  # signed in as "anonymous" but gave a name: no email, not "anonymous"
    assert robert.owner_name == "Robert Smith" and robert.owner_email == ""
    assert report.rows_created == 2


@pytest.mark.parametrize("text", ["anonymous", "Anonymous", " ANONYMOUS ", "Anonymous User", "guest", "(anonymous)"])
def test_sign_in_placeholders_are_never_a_name_or_email(text):
    assert is_sign_in_placeholder(text)


@pytest.mark.parametrize("text", ["Anonymous Smith", "anon@example.com", "Guestavo Ruiz", "Ann Onymous"])
def test_real_names_and_emails_are_not_sign_in_placeholders(text):
    assert not is_sign_in_placeholder(text)


def test_anonymous_in_a_clerk_sheet_or_google_form_is_no_owner_either(town, tmp_path):
    rows = [list(row) for row in files.GOOGLE_ROWS[:2]]
    rows[0][1], rows[1][4] = "anonymous", "ANONYMOUS"
    path = tmp_path / "responses.csv"
    path.write_text(
        "\n".join(",".join(f'"{cell}"' for cell in row) for row in [files.GOOGLE_HEADERS, *rows]), encoding="utf-8"
    )
    report = run(town, path, dry_run=False, all_or_nothing=False)
    assert problems(report) == [
        (2, "Name", "'anonymous' is the form's sign-in placeholder, not the owner's name.", "error"),
    ]
    assert imported("708-555-0103").owner_email == ""


# ---------------------------------------------------------------- a clerk's sheet


def test_clerk_sheet_header_is_found_below_its_title_rows(tmp_path):
    table = read_table(files.clerk_sheet_xlsx(tmp_path))
    assert table.header_row == files.CLERK_HEADER_ROW and table.headers == files.CLERK_HEADERS
    assert table.rows[0][0] == files.CLERK_HEADER_ROW + 1
    assert table.notes == [f"The header is row 3; the rows above it were skipped as titles ({files.CLERK_TITLE})."]
    assert source_profile(table.headers) == "spreadsheet"
    used, unused = describe_mapping(table.headers, guess_mapping(table.headers))
    assert dict(used) == {
        "Date": "Date submitted",
        "Owner": "Owner name",
        "Address": "Street address",
        "Phone": "Owner phone",
        "Email": "Owner email",
        "Business": "Business name",
        "Alt. Contact": "Alternate person's name",
        "Alt. Phone": "Alternate person's phone",
        "Locations": "Camera locations (multi-select)",
        "Notes": "Notes for detectives",
    }
    assert unused == ["# Cams"]


def test_a_given_header_row_is_taken_as_is(tmp_path):
    table = read_table(files.clerk_sheet_xlsx(tmp_path), header_row=1)
    assert table.header_row == 1 and table.headers[0] == files.CLERK_TITLE and not table.notes
    assert table.rows[0] == (3, files.CLERK_HEADERS)


def test_clerk_sheet_rows_with_excel_dates_and_short_headers(town, tmp_path):
    path = files.clerk_sheet_xlsx(tmp_path, total=[], note=None)
    report = run(town, path, dry_run=False, all_or_nothing=False)
    assert problems(report) == [(7, "Address", "Enter the street address where the cameras are.", "error")]
    maria = imported("708-555-0101")
    assert local(maria.created_at) == datetime(2025, 1, 6)  # an Excel date cell
    assert maria.property_type == "residence" and maria.business_name == ""  # Business "N/A" is no business
    assert maria.alternate_name == "Luis Garcia" and maria.alternate_phone == "708-555-0111"
    assert maria.notes_for_detectives == "Gate code at the desk"
    deli = imported("708-555-0103")
    assert deli.property_type == "business" and deli.business_name == "Nowak Deli" and deli.alternate_name == ""
    assert deli.cameras.get().locations == ["entrance", "parking_lot"]
    assert local(imported("708-555-0102").created_at) == datetime(2025, 2, 2)


def test_total_and_notes_rows_at_the_bottom_are_skipped_with_a_report_line(town, tmp_path):
    report = run(town, files.clerk_sheet_xlsx(tmp_path))
    assert problems(report) == [(7, "Address", "Enter the street address where the cameras are.", "error")]
    assert report.notes[-2:] == [
        f"Row {files.CLERK_TOTAL_ROW} skipped: it looks like a total/notes row (TOTAL 7).",
        f"Row {files.CLERK_NOTES_ROW} skipped: it looks like a total/notes row ({files.CLERK_NOTE}).",
    ]
    assert report.rows_total == len(files.CLERK_ROWS) and report.rows_valid == 3


def test_a_total_row_does_not_block_an_all_or_nothing_import(town, tmp_path):
    path = files.clerk_sheet_xlsx(tmp_path, rows=files.CLERK_ROWS[:3], total=["Total: 6 cameras"])
    report = run(town, path, dry_run=False, all_or_nothing=True)
    assert report.ok and report.rows_created == 3 and not report.problems
    assert report.notes[-2:] == [
        "Row 7 skipped: it looks like a total/notes row (Total: 6 cameras).",
        f"Row 9 skipped: it looks like a total/notes row ({files.CLERK_NOTE}).",
    ]


def test_a_total_row_in_the_middle_is_still_a_problem(town, tmp_path):
    rows = [*files.CLERK_ROWS[:1], files.CLERK_TOTAL, *files.CLERK_ROWS[1:3]]
    report = run(town, files.clerk_sheet_xlsx(tmp_path, rows=rows, total=[], note=None))
    assert {p.row for p in report.problems} == {5} and report.rows_valid == 3 and not report.ok


MAPPING = {"owner_name": 1, "street_address": 2, "owner_phone": 3}


@pytest.mark.parametrize(
    "cells",
    [
        ["Total", "", "", ""],
        ["TOTAL: 14"],
        ["", "", "", "", "14"],
        ["# 14"],
        ["Grand total", "", "", "", "1,204"],
        ["=SUM(I4:I17)"],
        ["Notes: entries after 6/30 are in the binder"],
        ["Checked by the records unit, March 2025"],
        ["NB: two owners moved away"],
    ],
)
def test_totals_and_notes_are_recognised(cells):
    assert looks_like_total_or_notes(cells, MAPPING)


@pytest.mark.parametrize(
    "cells",
    [
        ["Total Fitness", "Ann Lee", "305 3rd St", "708-555-0103"],  # a business named Total...
        ["", "", "", "708-555-0103"],  # a phone: somebody's registration, however incomplete
        ["", "Jose Lopez"],  # a name without the rest is refused, not skipped
        ["Summit Ave resident", "", "407 4th St"],
        [],
    ],
)
def test_registration_rows_are_not_totals(cells):
    assert not looks_like_total_or_notes(cells, MAPPING)


def test_a_data_row_that_names_fields_never_becomes_the_header(tmp_path):
    path = tmp_path / "spanish.csv"
    path.write_text(
        "Nombre,Domicilio,Teléfono\n"
        "Ana Ruiz,Street view from the front door,Phone in the range of the camera\n"
        "Luis Paz,101 1st St,708-555-0101\n",
        encoding="utf-8",
    )
    table = read_table(path)
    assert table.header_row == 1 and table.headers == ["Nombre", "Domicilio", "Teléfono"] and len(table.rows) == 2


def test_title_rows_of_one_or_two_cells_are_passed_over(tmp_path):
    path = tmp_path / "titles.csv"
    path.write_text(
        "Camera Registry,2025\n,\nPrepared by,Records Unit\nName,Address,Phone\nLuis Paz,101 1st St,708-555-0101\n",
        encoding="utf-8",
    )
    table = read_table(path)
    assert table.header_row == 4 and table.headers == ["Name", "Address", "Phone"]


def test_google_form_questions_as_people_word_them_are_guessed():
    """Question titles a department writes itself, not our field names."""
    headers = [
        "Timestamp",
        "Best way to reach you",
        "How many days does your system keep video?",
        "Anything a detective should know?",
        "Which direction does your main camera face?",
        "Can you export video as MP4 / Windows Media Player?",
    ]
    mapping = guess_mapping(headers)
    assert mapping == {
        "submitted_at": 0,
        "preferred_contact_method": 1,
        "retention_days": 2,
        "notes_for_detectives": 3,
        "bearing_degrees": 4,
        "exports_common_format": 5,
    }
