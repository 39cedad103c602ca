"""Duplicates and resubmissions: the same owner at the same address is one registration, the newest answer
wins and the report says what changed; an owner already registered is updated, never doubled; two imports
of one file at once give the second a clear message."""

from __future__ import annotations

import csv
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from administration.importing import ImportOptions, registrations_import
from administration.models import ImportedRow, RunningImport
from agencies.selectors import agency_for_point
from audit.models import AuditEntry
from registrations.models import AddressPoint, Registration
from tests.staff_fixtures import make_staff

HEADERS = ["Timestamp", "Name", "Address", "Phone", "Email", "Camera Locations", "How many days of footage are kept?"]


def write_file(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def free_maple_addresses(town, count: int) -> list[str]:
    """Addresses in Maple Falls where nobody is registered yet."""
    taken = set(Registration.objects.values_list("street_address", flat=True))
    found = []
    for point in AddressPoint.objects.order_by("id"):
        if point.address not in taken and agency_for_point(point.latitude, point.longitude) == town["maple"]:
            found.append(point.address)
            if len(found) == count:
                return found
    raise AssertionError("the demo town has too few free addresses")


def row(when: str, name: str, address: str, phone: str, email: str = "") -> list[str]:
    return [when, name, address, phone, email, "Front", "14"]


def do_import(path, town, actor=None, **options):
    options.setdefault("dry_run", False)
    return registrations_import(path=path, options=ImportOptions(agency=town["maple"], actor=actor, **options))


def lines(report):
    return [(p.row, p.problem, p.severity) for p in report.problems]


def test_a_resubmission_with_a_changed_phone_is_one_registration_and_the_newest_answer_wins(town, tmp_path):
    first, second = free_maple_addresses(town, 2)
    path = write_file(
        tmp_path / "answers.csv",
        [
            row("2025-01-10 09:00:00", "Ann Lee", first, "708-555-0001"),
            row("2025-03-02 18:30:00", "Bo Chen", second, "708-555-0003", "bo@example.com"),
            row("2025-02-01 12:00:00", "ann  LEE", first, "(708) 555-0002"),  # same owner, new phone
            row("2025-01-05 08:00:00", "Bo Chen", second, "708-555-0009", "bo@example.com"),  # older answer
        ],
    )
    before = Registration.objects.count()
    report = do_import(path, town)
    assert lines(report) == [
        (2, "Row 4 replaces row 2: name, phone changed.", "skipped"),
        (5, "Row 3 replaces row 5: phone changed.", "skipped"),
    ]
    assert report.rows_created == 2 and Registration.objects.count() == before + 2
    ann = Registration.objects.get(street_address=first)
    assert ann.owner_phone == "708-555-0002" and ann.owner_name == "ann  LEE"
    assert Registration.objects.get(street_address=second).owner_phone == "708-555-0003"
    assert "Replaced by a newer answer of the same owner in this file: 2 rows." in report.summary_lines()


def test_the_same_answers_twice_stay_a_repeat_of_the_first_row(town, tmp_path):
    (address,) = free_maple_addresses(town, 1)
    path = write_file(
        tmp_path / "twice.csv",
        [
            row("2025-01-10 09:00:00", "Ann Lee", address, "708-555-0001"),
            row("2025-02-10 09:00:00", "Ann Lee", address, "708-555-0001"),
        ],
    )
    report = do_import(path, town)
    assert lines(report) == [(3, "Same address and owner as row 2; not imported twice.", "skipped")]
    assert timezone.localtime(Registration.objects.get(street_address=address).created_at).month == 1


def test_a_newer_answer_in_a_later_file_updates_the_imported_registration(town, tmp_path):
    (address,) = free_maple_addresses(town, 1)
    staff = make_staff(town["maple"], "administrator")
    do_import(write_file(tmp_path / "2024.csv", [row("2024-05-01 10:00:00", "Ann Lee", address, "708-555-0001")]), town)
    ann = Registration.objects.get(street_address=address)
    later = write_file(tmp_path / "2025.csv", [row("2025-05-01 10:00:00", "Ann Lee", address, "708-555-0002")])

    dry = do_import(later, town, actor=staff, dry_run=True)
    assert lines(dry) == [(2, "Updates the registration answered on 2024-05-01: phone changed.", "updated")]
    assert "Would update: 1 registration (a newer answer of an owner already registered)." in dry.summary_lines()
    assert Registration.objects.get(pk=ann.pk).owner_phone == "708-555-0001"

    count = Registration.objects.count()
    report = do_import(later, town, actor=staff)
    assert report.rows_created == 0 and report.rows_changed == 1 and Registration.objects.count() == count
    ann.refresh_from_db()
    assert ann.owner_phone == "708-555-0002" and "owner_phone" in ann.owner_changes
    entry = AuditEntry.objects.filter(action="registration.import_update").get()
    assert entry.object_id == str(ann.pk) and entry.actor_id == staff.pk

    again = do_import(later, town, actor=staff)
    assert lines(again) == [(2, "Already imported from an earlier file.", "skipped")]
    assert again.rows_changed == 0 and AuditEntry.objects.filter(action="registration.import_update").count() == 1


def _form_registration(town) -> Registration:
    """A registration made on the form (the demo's), in Maple Falls, answered more than two days ago."""
    for registration in Registration.objects.filter(agency=town["maple"], unit="").order_by("pk"):
        answered = max(registration.created_at, registration.owner_changed_at or registration.created_at)
        if answered < timezone.now() - timedelta(days=2) and not registration.owner_email:
            return registration
    raise AssertionError("no suitable demo registration")


def test_a_form_registration_is_updated_by_a_newer_answer_without_email_and_kept_against_an_older(town, tmp_path):
    registration = _form_registration(town)
    cameras = registration.cameras.count()
    answered = timezone.localtime(registration.created_at)
    older = (answered - timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
    newer = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    name, address = registration.owner_name.upper(), registration.street_address

    old_file = write_file(tmp_path / "old.csv", [row(older, name, address, "708-555-0199")])
    report = do_import(old_file, town)
    assert lines(report) == [
        (
            2,
            f"Same owner and address as the registration answered on {answered.date().isoformat()}; "
            "this answer is older, so that registration is kept as it is.",
            "skipped",
        )
    ]
    assert Registration.objects.get(pk=registration.pk).owner_phone == registration.owner_phone

    new_file = write_file(tmp_path / "new.csv", [row(newer, name, address, "708-555-0199")])
    report = do_import(new_file, town)
    assert [(p.row, p.severity, p.kind) for p in report.problems] == [(2, "updated", "update")]
    assert report.problems[0].problem.endswith(": name, phone changed.")  # only what the file has columns for
    registration.refresh_from_db()
    assert registration.owner_phone == "708-555-0199" and registration.owner_name == name
    assert registration.cameras.count() == cameras  # the owner's cameras are kept as they are
    assert ImportedRow.objects.filter(registration=registration).count() == 1


def test_an_answer_for_another_agency_never_updates_its_registration(town, tmp_path):
    """The outsider: an import for Maple Falls does not match Cedar Grove's registrations."""
    cedar = Registration.objects.filter(agency=town["cedar"]).order_by("pk").first()
    newer = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    path = write_file(tmp_path / "cedar.csv", [row(newer, cedar.owner_name, cedar.street_address, "708-555-0188")])
    report = do_import(path, town)
    assert [(p.row, p.severity) for p in report.problems] == [(2, "error")]
    assert "Cedar Grove" in report.problems[0].problem
    assert Registration.objects.get(pk=cedar.pk).owner_phone == cedar.owner_phone


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_the_second_is_told_who_started_the_first(town, tmp_path):
    addresses = free_maple_addresses(town, 3)
    path = write_file(
        tmp_path / "same.csv",
        [row("2025-01-10 09:00:00", f"Owner {i}", a, f"708-555-010{i}") for i, a in enumerate(addresses)],
    )
    first_user = make_staff(town["maple"], "administrator", username="first.importer")
    checking, release = threading.Event(), threading.Event()
    results: dict = {}

    def hold(phase: str, done: int, total: int) -> None:
        if phase == "check":
            checking.set()
            release.wait(30)

    def first() -> None:
        try:
            results["first"] = do_import(path, town, actor=first_user, progress=hold)
        except BaseException as error:  # reported by the main thread
            results["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert checking.wait(30)
        started = timezone.localtime(RunningImport.objects.get().started_at).strftime("%H:%M")
        second = do_import(path, town, actor=make_staff(town["maple"], "administrator"))
    finally:
        release.set()
        thread.join(60)
    assert "error" not in results
    assert second.file_problems == [
        f"An import of this file is already running (started {started} by first.importer). Wait for it to finish."
    ]
    assert second.rows_created == 0 and not second.ok
    assert results["first"].rows_created == 3 and results["first"].ok
    assert not RunningImport.objects.exists()
    third = do_import(path, town)  # once the first has finished, the file can be run again: nothing to add
    assert third.rows_created == 0 and third.rows_skipped == 3


def test_an_import_killed_mid_way_does_not_block_the_next_run(town, tmp_path):
    """A marker left by a process that died on this machine (kill -9 mid-import) no longer blocks the file;
    one of a live process, or of another machine, still does."""
    import socket
    import subprocess
    import sys

    from administration.imports.running import file_digest

    addresses = free_maple_addresses(town, 2)
    path = write_file(
        tmp_path / "killed.csv",
        [row("2025-01-10 09:00:00", f"Owner {i}", a, f"708-555-011{i}") for i, a in enumerate(addresses)],
    )
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    RunningImport.objects.create(file_sha256=file_digest(path), host=socket.gethostname(), pid=dead.pid)
    report = do_import(path, town)
    assert report.file_problems == [] and report.rows_created == 2
    assert not RunningImport.objects.exists()

    other = write_file(
        tmp_path / "elsewhere.csv", [row("2025-01-10 09:00:00", "Owner 9", addresses[0], "708-555-0119")]
    )
    RunningImport.objects.create(file_sha256=file_digest(other), host="another-app-server", pid=dead.pid)
    blocked = do_import(other, town)
    assert blocked.file_problems and "already running" in blocked.file_problems[0]
