"""Import files as departments really have them, made by the tests: a Google-Forms-like CSV, the same
answers as an XLSX workbook written by openpyxl (typed cells, a real formula cell), and the CSV
converted to XLSX by LibreOffice (`libreoffice --headless --convert-to xlsx`, Debian's libreoffice-calc).

Addresses are points of the demo town's address table (tests/conftest.py `town`).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

HEADERS = [
    "Timestamp",
    "Name",
    "Address",
    "Phone",
    "Email",
    "Residence or Business",
    "Business Name",
    "Alternate Name",
    "Alternate Phone",
    "Alternate Email",
    "Camera Locations. Select all that apply.",
    "Do any cameras record the street traffic?",
    "What do the cameras depict? Example: The Roadway at 10300 Roosevelt",
    "Windows Media Player Compliant",
    "How many days of footage are kept?",
    "Is there any additional information about your cameras or what they depict that you wish to tell our Detectives?",
]
NOTES = HEADERS[15]
HYPERLINK = '=HYPERLINK("http://evil.example","click")'

# One row per kind of value; the spreadsheet row number is the index + 2.
ROWS = [
    [
        "3/14/2025 9:02:11", "Maria Garcia", "101 1st St", "+1 (708) 555-0101 (cell)", "maria.garcia@example.com",
        "Residence", "N/A", "n/a", "-", "none", "Front of Residence/Business, Driveway",
        "The roadway at 1403 1st St", "", "Yes", "14", "- gate code 4411, ring twice",
    ],
    [
        "3/14/2025 18:40:02", "Robert Smith", "203 2nd St", "708.555.0102 ext. 12", "none",
        "Residence", "Residence", "none", "", "", "Back of Residence/Business",
        "No, only my backyard", "Back yard", "No", "2 weeks", "@ night the porch light is off",
    ],
    [
        "3/15/2025 7:15:30", "Ana Nowak", "305 3rd St", "708-555-0103", "ana@example.com",
        "Business", "Nowak Deli", "Piotr Nowak", "(708) 555-0113 (cell)", "N/A",
        "Parking Lot, Side of Residence/Business", "Corner of 5th St & Oak Ave", "Parking lot and door",
        "Not sure", "30", "+1 camera inside, not registered",
    ],
    [
        "3/16/2025 12:00:00", "Jose Lopez", "407 4th St", "Cell: 708 555 0104", "",
        "", "N/A", "", "", "", "Front of Residence/Business",
        "Partially - Elm Ave", "", "Yes", "7", "",
    ],
    [
        "3/17/2025 8:30:00", "Kevin Patel", "505 5th St", "708-555-0105", "",
        "Residence", "", "", "", "", "Front", "Yes", "", "Yes", "7", HYPERLINK,
    ],
    [
        "3/18/2025 9:45:00", "David Miller", "605 6th St", "555-12", "",
        "Residence", "", "", "", "", "Front", "Yes", "", "Yes", "7", "",
    ],
]  # fmt: skip

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def google_forms_csv(folder: Path) -> Path:
    path = folder / "Camera Registration (Responses) - Form Responses 1.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        writer.writerows(ROWS)
    return path


def openpyxl_workbook(folder: Path) -> Path:
    """The same answers as a workbook: dates as date cells, numbers as numbers, the link as a real formula."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Form Responses 1"
    sheet.append(HEADERS)
    for row in ROWS:
        cells: list[object] = list(row)
        cells[0] = datetime.strptime(row[0], "%m/%d/%Y %H:%M:%S")
        cells[14] = int(row[14]) if row[14].isdigit() else row[14]
        sheet.append(cells)  # openpyxl writes a text starting with "=" as a formula cell
    sheet.cell(row=5, column=4, value=7085550104)  # Jose's phone typed as a number
    path = folder / "responses.xlsx"
    workbook.save(path)
    return path


def libreoffice_workbook(folder: Path) -> Path:
    """The CSV opened and saved as .xlsx by LibreOffice Calc, as a clerk would."""
    if LIBREOFFICE is None:  # under REQUIRE_ALL_TESTS (CI) the root conftest fails the run on this skip
        print("LibreOffice is not installed: the LibreOffice workbook test skips")
        pytest.skip(
            "LibreOffice is not installed (apt-get install libreoffice-calc); the LibreOffice workbook test skips."
        )
    source = google_forms_csv(folder)
    out = folder / "libreoffice"
    subprocess.run(  # noqa: S603 - a fixed program and arguments
        [
            LIBREOFFICE,
            f"-env:UserInstallation=file://{folder / 'lo-profile'}",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (converted,) = out.glob("*.xlsx")
    return converted
