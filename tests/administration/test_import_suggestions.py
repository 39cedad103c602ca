"""An address the table lacks is reported with the most alike addresses of the table, so the person
fixing the spreadsheet sees what was meant; the summary still counts such rows under one reason."""

from __future__ import annotations

import csv

from administration.importing import ImportOptions, registrations_import
from registrations.models import AddressPoint

HEADERS = ["Timestamp", "Name", "Address", "Phone Number", "Residence or Business?", "Camera Locations"]


def _file(tmp_path, addresses: list[str]):
    path = tmp_path / "Form Responses 1.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for number, address in enumerate(addresses):
            writer.writerow(
                [f"3/14/2025 9:0{number}:11", f"Resident {number}", address, "(708) 555-0101", "Residence", "Driveway"]
            )
    return path


def test_a_typo_in_the_street_comes_with_the_nearest_addresses(town, tmp_path):
    real = AddressPoint.objects.order_by("pk").first()
    number, _, street = real.address.partition(" ")
    typo = f"{number} {street.rsplit(' ', 1)[0]}"  # "100 1st": the street type left out, as people write it
    report = registrations_import(
        path=_file(tmp_path, [typo, "12 Qqqqq Zzzz Blvd"]),
        options=ImportOptions(agency=town["maple"], dry_run=True),
    )
    problems = {p.row: p.problem for p in report.problems if p.severity == "error"}
    assert problems[2].startswith("Address not found in the address table")
    assert f"Nearest in the address table: {real.address}" in problems[2]
    assert "Nearest in the address table" not in problems[3]  # nothing alike: no guess
    reasons = report.reasons()
    assert len(reasons) == 1 and reasons[0][2] == 2 and "Nearest" not in reasons[0][1]
