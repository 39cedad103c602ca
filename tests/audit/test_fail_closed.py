"""Audit logging fails closed: no audit entry, no action; the user is told, the administrators are alerted."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import DatabaseError
from django.test import Client

from accounts.models import StaffSession, User
from administration.models import RegistrationHistory
from administration.services import purge_expired
from audit.models import AuditEntry
from audit.services import AuditWriteFailed
from canvass.models import CanvassSearch, Case
from registrations.models import Registration, Status
from tests.canvass.helpers import form_data
from tests.staff_fixtures import make_staff, sign_in_with_password, staff_client, totp_code

NOTICE = b"could not record the audit entry"


@pytest.fixture
def broken_audit(monkeypatch, settings):
    settings.ADMINS = [("Registry operations", "ops@registry.example")]

    def refuse(**kwargs):
        raise DatabaseError("disk I/O error")

    def install():
        monkeypatch.setattr("audit.services._append", refuse)

    return install


@pytest.fixture
def maple_admin(town):
    return make_staff(town["maple"], "administrator", username="boss.maple", email="boss@maple.example")


def assert_refused(response, caplog):
    assert response.status_code == 503
    assert NOTICE in response.content.lower()
    assert b"nothing was changed" in response.content.lower()
    assert b"Traceback" not in response.content
    assert any(record.levelno >= logging.ERROR and "audit" in record.getMessage().lower() for record in caplog.records)


def alerted() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_a_staff_change_is_undone_when_its_audit_entry_fails(client, town, maple_admin, broken_audit, caplog):
    member = make_staff(town["maple"], "investigator")
    staff_client(client, maple_admin)
    before = AuditEntry.objects.count()
    broken_audit()

    response = client.post(f"/staff/accounts/{member.pk}/role/", {"role": "supervisor"})

    assert_refused(response, caplog)
    member.refresh_from_db()
    assert member.role == "investigator"
    assert AuditEntry.objects.count() == before
    assert {"ops@registry.example", "boss@maple.example"} <= alerted()
    assert "staff.role_change" in mail.outbox[0].body


def test_a_verification_is_undone_when_its_audit_entry_fails(client, town, maple_admin, broken_audit, caplog):
    registration = Registration.objects.filter(agency=town["maple"], status=Status.PENDING).first()
    staff_client(client, make_staff(town["maple"], "supervisor"))
    broken_audit()

    response = client.post(f"/staff/admin/registrations/{registration.public_id}/verify/")

    assert_refused(response, caplog)
    registration.refresh_from_db()
    assert registration.status == Status.PENDING and registration.verified_at is None
    assert not RegistrationHistory.objects.filter(registration=registration).exists()
    assert {"ops@registry.example", "boss@maple.example"} <= alerted()


def test_a_canvass_search_is_not_saved_when_its_audit_entry_fails(client, town, maple_admin, broken_audit, caplog):
    staff_client(client, make_staff(town["maple"], "investigator"))
    broken_audit()

    response = client.post("/staff/canvass/", form_data(town["maple"]))

    assert_refused(response, caplog)
    assert not CanvassSearch.objects.exists() and not Case.objects.exists()
    assert "boss@maple.example" in alerted()


def test_reading_contact_details_is_refused_when_the_read_cannot_be_recorded(client, town, broken_audit, caplog):
    registration = Registration.objects.filter(agency=town["maple"]).first()
    staff_client(client, make_staff(town["maple"], "investigator"))
    broken_audit()

    response = client.post(f"/staff/registrations/{registration.public_id}/contact/")

    assert_refused(response, caplog)
    assert registration.owner_phone.encode() not in response.content


def test_a_sign_in_does_not_complete_when_it_cannot_be_recorded(town, broken_audit, caplog):
    user = make_staff(town["maple"], "investigator", username="det.maple")
    client = Client()
    assert sign_in_with_password(client, "det.maple").status_code == 302
    broken_audit()

    response = client.post("/staff/sign-in/verify/", {"method": "totp", "code": totp_code(user.test_totp_device)})

    assert_refused(response, caplog)
    assert client.get("/staff/").status_code == 302  # still not signed in
    assert not StaffSession.objects.filter(user=user).exists()


def test_an_expired_session_is_not_let_through_when_its_end_cannot_be_recorded(client, town, broken_audit, settings):
    import time

    from accounts.middleware import LAST_ACTIVITY_KEY

    staff_client(client, make_staff(town["maple"], "investigator"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - settings.STAFF_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    broken_audit()

    response = client.get("/staff/registrations/")

    assert response.status_code == 503 and NOTICE in response.content.lower()


def test_the_retention_purge_is_undone_when_its_audit_entry_fails(town, broken_audit, caplog):
    from datetime import timedelta

    from django.utils import timezone

    Registration.objects.filter(agency=town["maple"]).update(last_confirmed_at=timezone.now() - timedelta(days=4000))
    count = Registration.objects.count()
    broken_audit()

    with pytest.raises(AuditWriteFailed):
        purge_expired()

    assert Registration.objects.count() == count
    assert "ops@registry.example" in alerted()


def test_alerts_are_throttled_but_every_failure_is_logged(client, town, maple_admin, broken_audit, caplog):
    member = make_staff(town["maple"], "investigator")
    staff_client(client, maple_admin)
    broken_audit()

    for role in ("supervisor", "auditor", "supervisor"):
        assert client.post(f"/staff/accounts/{member.pk}/role/", {"role": role}).status_code == 503

    assert len([message for message in mail.outbox if "ops@registry.example" in message.to]) == 1
    failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(failures) >= 3
    assert User.objects.get(pk=member.pk).role == "investigator"


def test_an_import_keeps_nothing_when_its_audit_entry_fails(town, broken_audit, caplog):
    from pathlib import Path

    from administration.importing import ImportOptions, registrations_import

    fixture = Path(__file__).parent.parent / "administration" / "fixtures" / "clean.csv"
    count = Registration.objects.count()
    broken_audit()

    with pytest.raises(AuditWriteFailed):
        registrations_import(path=fixture, options=ImportOptions(agency=town["maple"], dry_run=False))

    assert Registration.objects.count() == count
    assert "ops@registry.example" in alerted()
