"""The retention purge of evidence after a case closes, of spam-rejected registrations, and what is left behind."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from administration.models import PurgeRecord, RegistrationHistory
from administration.selectors import program_stats
from administration.services import purge_expired
from audit.models import AuditEntry
from canvass.models import CaseStatus
from footage.models import EvidenceFile, RequestEvent
from footage.services import footage_purge_for_agency
from registrations.models import Registration, Status
from registrations.services import registration_reject
from tests.footage.helpers import make_request, mp4_bytes, owners_with_email
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

DAYS = 30


def evidence_for(footage_request, name: str) -> EvidenceFile:
    """A real stored file in the test's storage folder, recorded as evidence."""
    content = mp4_bytes(2000)
    import hashlib

    stored = default_storage.save(f"evidence/{footage_request.pk}/{name}.bin", ContentFile(content))
    return EvidenceFile.objects.create(
        request=footage_request,
        original_name=f"{name}.mp4",
        stored_name=stored,
        size=len(content),
        content_type="MP4/MOV",
        sha256=hashlib.sha256(content).hexdigest(),
        uploader_description="test",
    )


def closed(footage_request, days_ago: float | None):
    case = footage_request.case
    if days_ago is not None:
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now() - timedelta(days=days_ago)
        case.close_reason = "test"
        case.save()
    return case


@pytest.fixture
def three_cases(town):
    maple = town["maple"]
    maple.footage_retention_days_after_close = DAYS
    maple.save()
    owners = owners_with_email(maple, 3)
    expired = make_request(maple, owners[0])
    recent = make_request(maple, owners[1])
    still_open = make_request(maple, owners[2])
    files = {
        "expired": [evidence_for(expired, "expired-a"), evidence_for(expired, "expired-b")],
        "recent": [evidence_for(recent, "recent")],
        "open": [evidence_for(still_open, "open")],
    }
    closed(expired, DAYS + 1)
    closed(recent, DAYS - 1)
    return {"maple": maple, "requests": (expired, recent, still_open), "files": files}


def exists(evidence: EvidenceFile) -> bool:
    return default_storage.exists(evidence.stored_name)


def test_it_removes_exactly_the_expired_evidence_files(three_cases):
    files = three_cases["files"]
    assert all(exists(f) for group in files.values() for f in group)
    report = purge_expired()
    assert report.totals["footage_files"] == 2
    for evidence in files["expired"]:
        assert not exists(evidence)
        assert not Path(default_storage.path(evidence.stored_name)).exists()
        tombstone = EvidenceFile.objects.get(pk=evidence.pk)
        # The chain of custody stays readable: what it was, its hash and size, and when it was purged.
        assert tombstone.purged_at is not None and tombstone.sha256 == evidence.sha256
        assert tombstone.size == evidence.size
    for evidence in [*files["recent"], *files["open"]]:
        assert exists(evidence) and EvidenceFile.objects.get(pk=evidence.pk).purged_at is None
    expired_request = three_cases["requests"][0]
    assert RequestEvent.objects.filter(request=expired_request, kind="evidence_purged").count() == 2
    entry = AuditEntry.objects.get(action="evidence.purge")
    assert entry.parameters["files"] == 2 and entry.parameters["case"] == expired_request.case.case_number
    assert PurgeRecord.objects.get(kind="footage_files", agency=three_cases["maple"]).count == 2


def test_running_the_purge_twice_removes_nothing_more(three_cases):
    now = timezone.now()
    assert footage_purge_for_agency(agency=three_cases["maple"], now=now) == 2
    assert footage_purge_for_agency(agency=three_cases["maple"], now=now) == 0
    assert purge_expired(now=now).totals["footage_files"] == 0
    assert AuditEntry.objects.filter(action="evidence.purge").count() == 1
    assert exists(three_cases["files"]["recent"][0]) and exists(three_cases["files"]["open"][0])


def test_a_reopened_case_keeps_its_evidence(three_cases):
    case = three_cases["requests"][0].case
    case.status, case.closed_at = CaseStatus.OPEN, None
    case.save()
    assert purge_expired().totals["footage_files"] == 0
    assert all(exists(f) for f in three_cases["files"]["expired"])


def test_the_other_agencys_rule_is_its_own(town, three_cases):
    cedar = town["cedar"]
    request = make_request(cedar, owners_with_email(cedar, 1)[0])
    kept = evidence_for(request, "cedar")
    closed(request, DAYS + 1)  # cedar keeps evidence 365 days after close by default
    purge_expired()
    assert exists(kept)


def test_the_transparency_page_counts_purged_evidence_files(client, three_cases):
    purge_expired()
    assert program_stats(None)["evidence_files_purged"] == 2
    assert program_stats(three_cases["maple"])["evidence_files_purged"] == 2
    page = client.get("/transparency/").content.decode()
    assert "<strong>2</strong> evidence files purged" in page
    cedar_page = client.get("/transparency/", {"agency": "cedar-grove"}).content.decode()
    assert "<strong>0</strong> evidence files purged" in cedar_page


@pytest.mark.slow
def test_downloading_a_purged_file_explains_instead_of_failing(town, three_cases):
    purge_expired()
    evidence = three_cases["files"]["expired"][0]
    investigator = three_cases["requests"][0].created_by
    staff = staff_client(Client(), investigator)
    for response in (
        staff.get(f"/footage/staff/evidence/{evidence.pk}/download/"),
        staff.post(f"/footage/staff/evidence/{evidence.pk}/verify/"),
    ):
        assert response.status_code == 410
        text = response.content.decode()
        assert "purged on" in text and "retention rule" in text and evidence.sha256 in text
    assert not AuditEntry.objects.filter(action="evidence.hash_mismatch").exists()
    detail = staff.get(f"/footage/staff/requests/{evidence.request_id}/").content.decode()
    assert "Purged on" in detail
    manifest = staff.get(f"/footage/staff/cases/{evidence.request.case_id}/evidence-manifest.csv").content.decode()
    assert evidence.sha256 in manifest and "purged_at_utc" in manifest
    # A file of a recently closed case can still be downloaded.
    recent = three_cases["files"]["recent"][0]
    staff_recent = staff_client(Client(), three_cases["requests"][1].created_by)
    assert staff_recent.get(f"/footage/staff/evidence/{recent.pk}/download/").status_code == 200
    # Outsiders still get nothing, not even the purge notice.
    outsider = staff_client(Client(), make_staff(town["cedar"], "investigator"))
    assert outsider.get(f"/footage/staff/evidence/{evidence.pk}/download/").status_code == 404


def test_spam_rejected_registrations_are_erased_after_the_agency_rule(town):
    maple = town["maple"]
    maple.rejected_removal_days = 30
    maple.save()
    now = timezone.now()
    Registration.objects.update(last_confirmed_at=now - timedelta(days=1))
    old, recent, active = list(Registration.objects.filter(agency=maple).order_by("pk")[:3])
    for registration in (old, recent):
        registration_reject(registration=registration, actor=None, note="spam")
    RegistrationHistory.objects.filter(registration=old).update(occurred_at=now - timedelta(days=31))
    Registration.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=31))
    RegistrationHistory.objects.filter(registration=recent).update(occurred_at=now - timedelta(days=29))
    Registration.objects.filter(pk=recent.pk).update(updated_at=now - timedelta(days=29))
    report = purge_expired(now=now)
    assert report.totals["rejected_registrations"] == 1
    assert not Registration.objects.filter(pk=old.pk).exists()
    assert Registration.objects.get(pk=recent.pk).status == Status.REJECTED
    assert Registration.objects.filter(pk=active.pk).exists()
    assert PurgeRecord.objects.get(kind="rejected_registrations").count == 1
    assert purge_expired(now=now).totals["rejected_registrations"] == 0


def test_the_command_prints_what_it_removed_per_agency(three_cases):
    out = StringIO()
    call_command("purge_expired", stdout=out)
    text = out.getvalue()
    assert "Maple Falls" in text and "Cedar Grove" in text
    maple_line = next(line for line in text.splitlines() if "Maple Falls" in line)
    assert "2 evidence files" in maple_line


def test_administrators_set_the_spam_rule_in_agency_settings(client, town):
    from administration.services import SETTINGS_FIELDS

    maple = town["maple"]
    staff_client(client, make_staff(maple, "administrator"))
    data = {name: getattr(maple, name) for name in SETTINGS_FIELDS}
    data.update(action="settings", rejected_removal_days=45)
    assert client.post("/staff/admin/settings/", data).status_code == 302
    maple.refresh_from_db()
    assert maple.rejected_removal_days == 45
    data.update(rejected_removal_days=0)
    assert "rejected_removal_days" in client.get("/staff/admin/settings/").content.decode()
    refused = client.post("/staff/admin/settings/", data)
    assert refused.status_code != 302 and "greater than or equal to 1" in refused.content.decode()
    maple.refresh_from_db()
    assert maple.rejected_removal_days == 45


def test_the_transparency_request_figures_come_from_the_real_statuses(town):
    from footage.models import RequestStatus

    maple = town["maple"]
    owners = owners_with_email(maple, 3)
    waiting, received, declined = (make_request(maple, owner) for owner in owners)
    for footage_request, status in ((received, RequestStatus.FOOTAGE_RECEIVED), (declined, RequestStatus.DECLINED)):
        footage_request.status = status
        footage_request.answered_at = footage_request.created_at + timedelta(hours=3)
        footage_request.save()
    stats = program_stats(maple)["requests"]
    assert (stats["sent"], stats["answered"], stats["fulfilled"]) == (3, 2, 1)
    assert stats["average_response_hours"] == 3.0
    assert program_stats(town["cedar"])["requests"]["sent"] == 0
