"""Agency routing: rows in another agency's jurisdiction are counted per agency before anything is written,
and imported for that agency (against its terms) only when the person importing may import for it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase
from django.utils import timezone

from accounts.models import SharingAgreement
from administration.importing import ImportOptions, registrations_import
from administration.models import ImportJob
from agencies.selectors import agency_for_point
from registrations.models import AddressPoint, ConsentRecord, ConsentSource, Registration
from tests.staff_fixtures import make_staff, staff_client

HEADERS = ["Timestamp", "Name", "Address", "Phone", "Email", "Camera Locations", "How many days of footage are kept?"]
CEDAR = "Cedar Grove Police Department"
ASK = f"2 rows fall in {CEDAR}'s jurisdiction: import them for {CEDAR}, or skip them."


def free_address(agency, skip: int = 0) -> str:
    """The (skip+1)-th unregistered address of the agency's area, in the table's order (stops when found: each
    point's agency is a query, 4 s a test on PostgreSQL when all 1,500 were asked)."""
    taken = set(Registration.objects.values_list("street_address", flat=True))
    for point in AddressPoint.objects.order_by("id")[:1500]:
        if point.address not in taken and agency_for_point(point.latitude, point.longitude) == agency:
            if skip == 0:
                return point.address
            skip -= 1
    raise AssertionError(f"no free address in {agency}")


@pytest.fixture
def mixed_file(town, tmp_path) -> Path:
    """One Maple Falls row, then two rows whose addresses are in Cedar Grove."""
    path = tmp_path / "mixed.csv"
    rows = [
        ("Ann Lee", free_address(town["maple"]), "708-555-0001"),
        ("Bo Chen", free_address(town["cedar"]), "708-555-0002"),
        ("Cy Diaz", free_address(town["cedar"], 1), "708-555-0003"),
    ]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        writer.writerows(
            ["2025-01-10 09:00:00", name, address, phone, "", "Front", "14"] for name, address, phone in rows
        )
    return path


def do_import(path, town, **options):
    options.setdefault("dry_run", False)
    options.setdefault("all_or_nothing", False)
    return registrations_import(path=path, options=ImportOptions(agency=town["maple"], **options))


def verdicts(report):
    return [(p.row, p.severity, p.problem) for p in report.problems]


@pytest.mark.slow
def test_without_a_choice_other_agencies_rows_are_refused_and_counted_per_agency(town, mixed_file):
    report = do_import(mixed_file, town, dry_run=True)
    refused = f"The address is in {CEDAR}'s jurisdiction, not Maple Falls Police Department's."
    assert verdicts(report) == [(3, "error", refused), (4, "error", refused)]
    assert report.summary_lines()[-1] == ASK and report.rows_valid == 1


@pytest.mark.slow
def test_skip_leaves_them_out_and_imports_the_rest(town, mixed_file):
    report = do_import(mixed_file, town, other_agencies="skip", all_or_nothing=True)
    skipped = f"The address is in {CEDAR}'s jurisdiction; skipped, as chosen."
    assert verdicts(report) == [(3, "skipped", skipped), (4, "skipped", skipped)]
    assert report.ok and report.rows_created == 1
    assert f"2 rows fall in {CEDAR}'s jurisdiction: skipped, as chosen." in report.summary_lines()
    assert not Registration.objects.filter(agency=town["cedar"], owner_phone__in=["708-555-0002"]).exists()


@pytest.mark.slow
def test_import_from_the_command_line_records_them_for_that_agency_against_its_terms(town, mixed_file):
    out = io.StringIO()
    call_command(
        "import_registrations", str(mixed_file), "--agency", "maple-falls", "--other-agencies", "import", stdout=out
    )
    assert f"2 rows fall in {CEDAR}'s jurisdiction: imported for {CEDAR}." in out.getvalue()
    cedar_rows = Registration.objects.filter(agency=town["cedar"], consents__source=ConsentSource.IMPORT)
    assert cedar_rows.count() == 2
    consents = ConsentRecord.objects.filter(registration__in=cedar_rows)
    assert {consent.terms_version_id for consent in consents} == {town["cedar"].current_terms().pk}


@pytest.mark.slow
def test_a_maple_administrator_may_not_import_for_cedar_grove(town, mixed_file):
    """The outsider: an administrator of Maple Falls has no right to import for Cedar Grove."""
    maple_admin = make_staff(town["maple"], "administrator")
    report = do_import(mixed_file, town, other_agencies="import", actor=maple_admin)
    refused = f"The address is in {CEDAR}'s jurisdiction, and you may not import registrations for {CEDAR}."
    assert verdicts(report) == [(3, "error", refused), (4, "error", refused)]
    assert f"2 rows fall in {CEDAR}'s jurisdiction: refused: you may not import registrations for {CEDAR}." in (
        report.summary_lines()
    )
    assert report.rows_created == 1 and not Registration.objects.filter(agency=town["cedar"], pk__gt=0).filter(
        consents__source=ConsentSource.IMPORT
    )
    # An investigator of Maple (no import permission) may not either.
    investigator = make_staff(town["maple"], "investigator")
    assert do_import(mixed_file, town, other_agencies="import", actor=investigator, dry_run=True).error_rows == 2


@pytest.mark.slow
def test_an_agreement_that_covers_importing_allows_it_and_a_revoked_one_does_not(town, mixed_file):
    maple_admin = make_staff(town["maple"], "administrator")
    now = timezone.now()
    agreement = SharingAgreement.objects.create(
        granting_agency=town["cedar"],
        receiving_agency=town["maple"],
        scope=["import_data"],
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
    )
    allowed = do_import(mixed_file, town, other_agencies="import", actor=maple_admin, dry_run=True)
    assert allowed.ok and allowed.rows_valid == 3
    assert f"2 rows fall in {CEDAR}'s jurisdiction: would be imported for {CEDAR}." in allowed.summary_lines()
    agreement.revoked_at = now
    agreement.save()
    refused = do_import(mixed_file, town, other_agencies="import", actor=maple_admin, dry_run=True)
    assert refused.rows_valid == 1 and refused.error_rows == 2


@pytest.mark.slow
def test_the_page_offers_the_choice_and_the_job_keeps_it(town, mixed_file, run_tasks):
    administrator = staff_client(Client(raise_request_exception=False), make_staff(town["maple"], "administrator"))
    response = administrator.post(
        "/staff/admin/import/", {"file": SimpleUploadedFile("mixed.csv", mixed_file.read_bytes())}
    )
    assert response.status_code == 302
    page = administrator.get(response["Location"])
    content = page.content.decode()
    assert "another agency&#x27;s jurisdiction" in content and 'value="skip"' in content
    # Offered once: two radio groups with one name would post whichever the browser sends last.
    assert content.count('name="other_agencies" value="skip"') == 1
    form = page.context["form"]
    fields = {f"column_{i}": form.fields[f"column_{i}"].initial or "" for i in range(len(HEADERS))}
    with TestCase.captureOnCommitCallbacks(execute=True):
        posted = administrator.post(response["Location"], {**fields, "mode": "valid_rows", "other_agencies": "skip"})
    assert posted.status_code == 302
    run_tasks()
    job = ImportJob.objects.get()
    assert job.other_agencies == "skip" and job.state == ImportJob.State.DONE
    assert f"2 rows fall in {CEDAR}'s jurisdiction: skipped, as chosen." in job.report["summary_lines"]
    assert job.report["rows_created"] == 1


@pytest.mark.slow
def test_without_an_agency_each_row_goes_to_its_own_and_the_summary_counts_them_per_agency(town, mixed_file):
    report = registrations_import(path=mixed_file, options=ImportOptions(agency=None, dry_run=True))
    assert report.ok and report.rows_valid == 3
    assert report.summary_lines()[-2:] == [
        f"2 rows fall in {CEDAR}'s jurisdiction: for {CEDAR}, unless listed with a problem.",
        "1 row falls in Maple Falls Police Department's jurisdiction: for Maple Falls Police Department, "
        "unless listed with a problem.",
    ]
