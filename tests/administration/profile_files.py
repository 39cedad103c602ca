"""Import files as the three kinds of source really look, written by the tests:

- a Google Forms CSV export of the Westchester camera form (Timestamp `3/14/2025 9:02:11`, the form's
  questions as headers, checkbox answers joined by ", ");
- the same kind of answers exported by Microsoft Forms as XLSX (`ID, Start time, Completion time, Email,
  Name` then the questions; Email/Name are the respondent's sign-in, `anonymous` or empty on a public form);
- a records clerk's hand-kept workbook: two title rows above the header, short headers (`Alt. Contact`,
  `Alt. Phone`, `Business`, `# Cams`), dates as Excel date cells, a total row and a notes row at the bottom.

Addresses are points of the demo town's address table (tests/conftest.py `town`): `1101 1st St` lies in
Cedar Grove's jurisdiction, the others in Maple Falls'.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl

# ---------------------------------------------------------------- Google Forms (CSV)

WESTCHESTER_NOTES = (
    "Is there any additional information about your cameras or what they depict that you wish to tell our "
    "Detectives? If you have more than two cameras you can let us know that also by describing what they depict, etc."
)
WESTCHESTER_TERMS = "By submitting this form — you agree to these terms."
GOOGLE_HEADERS = [
    "Timestamp",
    "Name",
    "Address",
    "Phone Number",
    "Email Address",
    "Residence or Business?",
    "Business Name",
    "Alternate Person's Name",
    "Alternate Person's Phone",
    "Camera Locations. Select all that apply.",
    "Do any cameras record the street traffic?",
    "Windows Media Player Compliant",
    WESTCHESTER_NOTES,
    WESTCHESTER_TERMS,
]
# Spreadsheet row number = index + 2.
GOOGLE_ROWS = [
    [
        "3/14/2025 9:02:11", "Maria Garcia", "101 1st St", "(708) 555-0101", "maria.garcia@example.com",
        "Residence", "", "Luis Garcia", "708-555-0111", "Front of Residence/Business, Driveway",
        "Yes", "Yes", "Recorder is in the basement.", "I agree",
    ],
    [
        "3/14/2025 18:40:02", "Ana Nowak", "305 3rd St", "708-555-0103", "ana@example.com",
        "Business", "Nowak Deli", "", "", "Parking Lot, Side of Residence/Business",
        "Corner of 5th St & Oak Ave", "Not sure", "", "I agree",
    ],
    [
        "3/15/2025 7:15:30", "David Miller", "605 6th St", "555-12", "",
        "Residence", "", "", "", "Front of Residence/Business", "No", "Yes", "", "I agree",
    ],
    [
        "3/15/2025 10:01:00", "Nora Quinn", "9999 Nowhere Rd", "708-555-0106", "",
        "Residence", "", "", "", "Front of Residence/Business", "No", "Yes", "", "I agree",
    ],
    [
        "3/16/2025 12:00:00", "Omar Reyes", "1101 1st St", "708-555-0107", "omar@example.com",
        "Residence", "", "", "", "Driveway", "No", "Yes", "", "I agree",
    ],
    [
        "3/17/2025 8:30:00", "Maria Garcia", "101 1st St", "(708) 555-0101", "maria.garcia@example.com",
        "Residence", "", "Luis Garcia", "708-555-0111", "Front of Residence/Business, Driveway",
        "Yes", "Yes", "Recorder is in the basement.", "I agree",
    ],
]  # fmt: skip


def google_forms_csv(folder: Path) -> Path:
    path = folder / "Camera Registration (Responses) - Form Responses 1.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(GOOGLE_HEADERS)
        writer.writerows(GOOGLE_ROWS)
    return path


# ---------------------------------------------------------------- Microsoft Forms (XLSX)

MS_QUESTIONS = [
    "Owner's full name",
    "Street address of the property",
    "Phone number",
    "Email address",
    "Camera Locations. Select all that apply.",
    "Do any cameras record the street traffic?",
    "How many days of footage are kept?",
]
MS_HEADERS = ["ID", "Start time", "Completion time", "Email", "Name", *MS_QUESTIONS]
_START = datetime(2025, 3, 14, 9, 0, 5)


def _ms_row(number: int, completed: datetime, email: str | None, name: str | None, answers: list) -> list:
    return [number, _START, completed, email, name, *answers]


MS_ROWS = [
    # A public form: the sign-in says "anonymous", the questions hold the owner.
    _ms_row(
        1, datetime(2025, 3, 14, 9, 2, 11), "anonymous", None,
        ["Kevin Patel", "505 5th St", "708-555-0105", "kevin@example.com", "Front;Driveway;", "No", 14],
    ),
    # A clerk signed in and typed the answers for a resident: the sign-in is the clerk, not the owner.
    _ms_row(
        2, datetime(2025, 3, 14, 10, 15, 0), "clerk@maplefalls.example", "Pat Clerk",
        ["Jose Lopez", "407 4th St", "708-555-0104", "jose@example.com", "Front", "Partially - Elm Ave", 7],
    ),
    # Anonymous, and no email given in the question: no email at all, never "anonymous".
    _ms_row(
        3, datetime(2025, 3, 15, 8, 0, 0), "Anonymous", "", ["Li Wei", "203 2nd St", "708-555-0102", "", "Back", "No", 30]
    ),
    # A refused row: the phone is incomplete.
    _ms_row(
        4, datetime(2025, 3, 16, 11, 30, 0), "anonymous", None,
        ["Sam Okafor", "407 4th St", "555-0199", "", "Front", "No", 7],
    ),
]  # fmt: skip


def microsoft_forms_xlsx(folder: Path, headers: list[str] | None = None, rows: list[list] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(headers or MS_HEADERS)
    for row in MS_ROWS if rows is None else rows:
        sheet.append(row)
    path = folder / "Camera registration(1-4).xlsx"
    workbook.save(path)
    return path


# Microsoft Forms without name/email questions: the sign-in columns are the only contact there is.
MS_SIGN_IN_HEADERS = ["ID", "Start time", "Completion time", "Email", "Name", "Address", "Phone"]
MS_SIGN_IN_ROWS = [
    [1, _START, datetime(2025, 3, 14, 9, 2, 11), "maria.garcia@example.com", "Maria Garcia", "101 1st St", "7085550101"],
    [2, _START, datetime(2025, 3, 14, 9, 5, 0), "ANONYMOUS", "Anonymous", "203 2nd St", "7085550102"],
    [3, _START, datetime(2025, 3, 14, 9, 6, 0), "anonymous", "Robert Smith", "305 3rd St", "7085550103"],
]  # fmt: skip


# ---------------------------------------------------------------- a clerk's sheet (XLSX)

CLERK_TITLE = "Maple Falls PD — Camera Registry 2025"
CLERK_HEADERS = [
    "Date", "Owner", "Address", "Phone", "Email", "Business", "Alt. Contact", "Alt. Phone", "# Cams", "Locations",
    "Notes",
]  # fmt: skip
CLERK_HEADER_ROW = 3
# Spreadsheet row number = index + 4.
CLERK_ROWS = [
    [date(2025, 1, 6), "Maria Garcia", "101 1st St", "708-555-0101", "maria.garcia@example.com", "N/A",
     "Luis Garcia", "708-555-0111", 2, "Front, Driveway", "Gate code at the desk"],
    [date(2025, 1, 9), "Ana Nowak", "305 3rd St", "708-555-0103", "", "Nowak Deli",
     "N/A", "", 3, "Parking lot, Entrance", ""],
    [date(2025, 2, 2), "Robert Smith", "203 2nd St", "708 555 0102", "", "",
     "", "", 1, "Back", ""],
    [date(2025, 2, 20), "Jose Lopez", "", "708-555-0104", "", "",
     "", "", 1, "Front", "moved, address to follow"],
]  # fmt: skip
CLERK_TOTAL_ROW = CLERK_HEADER_ROW + len(CLERK_ROWS) + 1  # "TOTAL" and the number of cameras
CLERK_NOTES_ROW = CLERK_TOTAL_ROW + 2  # one blank row, then a note in the first cell
CLERK_TOTAL = ["TOTAL", "", "", "", "", "", "", "", 7]
CLERK_NOTE = "Notes: entries after 6/30 are in the binder"


def clerk_sheet_xlsx(
    folder: Path, *, rows: list[list] | None = None, total: list | None = None, note: str | None = CLERK_NOTE
) -> Path:
    """The clerk's workbook; the total row follows the last registration, then a blank row and the note."""
    rows = CLERK_ROWS if rows is None else rows
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Registry 2025"
    sheet.cell(row=1, column=1, value=CLERK_TITLE)  # row 2 is left blank
    for column, header in enumerate(CLERK_HEADERS, start=1):
        sheet.cell(row=CLERK_HEADER_ROW, column=column, value=header)
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=CLERK_HEADER_ROW + offset, column=column, value=value)
            if column == 1:
                cell.number_format = "m/d/yyyy"
    total_row = CLERK_HEADER_ROW + len(rows) + 1
    for column, value in enumerate(CLERK_TOTAL if total is None else total, start=1):
        sheet.cell(row=total_row, column=column, value=value)
    if note:
        sheet.cell(row=total_row + 2, column=1, value=note)
    path = folder / "camera log 2025.xlsx"
    workbook.save(path)
    return path
