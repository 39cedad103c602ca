"""Server-side idle and absolute limits, and sessions ended when an account is disabled or its MFA reset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import StaffSession
from audit.models import AuditEntry
from tests.staff_fixtures import make_staff, staff_client


class Clock:
    """A controllable django.utils.timezone.now."""

    def __init__(self, monkeypatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.mark.django_db
def test_idle_limit_ends_the_session(client, town, monkeypatch, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 30 * 60
    clock = Clock(monkeypatch)
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200  # activity resets the idle clock
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"] == "/staff/sign-in/?expired=idle"
    assert client.get("/staff/").status_code == 302
    expired = AuditEntry.objects.get(action="auth.session_expired")
    assert expired.actor == user and expired.parameters == {"reason": "idle"}


@pytest.mark.slow
@pytest.mark.django_db
def test_absolute_limit_ends_an_active_session(client, town, monkeypatch, settings):
    settings.STAFF_ABSOLUTE_TIMEOUT_SECONDS = 12 * 3600
    clock = Clock(monkeypatch)
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    for _ in range(47):  # busy all day: a request every 15 minutes for 11h45m
        clock.advance(minutes=15)
        assert client.get("/staff/").status_code == 200
    clock.advance(minutes=15)
    response = client.get("/staff/")
    assert response["Location"] == "/staff/sign-in/?expired=absolute"
    assert AuditEntry.objects.filter(action="auth.session_expired", parameters__reason="absolute").count() == 1


@pytest.mark.django_db
def test_expired_session_on_a_public_page_just_signs_out(client, town, monkeypatch):
    clock = Clock(monkeypatch)
    staff_client(client, make_staff(town["maple"], "investigator"))
    clock.advance(hours=1)
    assert client.get("/").status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_disabling_an_account_ends_all_its_sessions(town):
    user = make_staff(town["maple"], "investigator")
    laptop, phone = staff_client(Client(), user), staff_client(Client(), user)
    assert laptop.get("/staff/").status_code == 200 and phone.get("/staff/").status_code == 200
    assert StaffSession.objects.filter(user=user).count() == 2
    admin_client = staff_client(Client(), make_staff(town["maple"], "administrator"))
    assert admin_client.post(f"/staff/accounts/{user.pk}/disable/").status_code == 302
    assert laptop.get("/staff/").status_code == 302
    assert phone.get("/staff/registrations/").status_code == 302
    assert not StaffSession.objects.filter(user=user).exists()
    keys = {laptop.cookies["sessionid"].value, phone.cookies["sessionid"].value}
    assert not Session.objects.filter(session_key__in=keys).exists()
    entry = AuditEntry.objects.get(action="staff.disable")
    assert entry.parameters == {"username": user.username, "sessions_ended": 2}


@pytest.mark.django_db
def test_mfa_reset_ends_sessions_and_forces_enrolment(town):
    user = make_staff(town["maple"], "investigator")
    session = staff_client(Client(), user)
    admin_client = staff_client(Client(), make_staff(town["maple"], "administrator"))
    assert admin_client.post(f"/staff/accounts/{user.pk}/mfa-reset/").status_code == 302
    assert session.get("/staff/").status_code == 302
    fresh = Client()
    fresh.post(
        "/staff/sign-in/",
        {"acknowledge": "on", "username": user.username, "password": "correct-horse-battery-staple-42"},
    )
    page = fresh.get("/staff/sign-in/verify/")
    assert "Set up your authenticator" in page.content.decode()
