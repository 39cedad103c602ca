"""Privileged actions need a second-factor check from the last 15 minutes."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from tests.staff_fixtures import Clock, make_staff, staff_client, totp_code

CONFIRM = "/staff/confirm/"


@pytest.fixture
def admin_setup(town, monkeypatch):
    clock = Clock(monkeypatch)
    admin = make_staff(town["maple"], "administrator")
    member = make_staff(town["maple"], "investigator")
    client = staff_client(Client(), admin)
    return clock, admin, member, client


def confirm(client: Client, admin: User, clock: Clock, next_url: str = "/staff/accounts/"):
    code = totp_code(admin.test_totp_device, at=clock.now.timestamp())
    return client.post(CONFIRM, {"code": code, "next": next_url})


@pytest.mark.django_db
def test_within_fifteen_minutes_actions_just_work(admin_setup):
    clock, admin, member, client = admin_setup
    clock.advance(minutes=14)
    assert client.post(f"/staff/accounts/{member.pk}/disable/").status_code == 302
    member.refresh_from_db()
    assert not member.is_active


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["disable", "enable", "lockout-release", "mfa-reset"])
def test_a_stale_post_asks_for_a_code_and_does_nothing(admin_setup, action):
    clock, admin, member, client = admin_setup
    clock.advance(minutes=16)
    response = client.post(f"/staff/accounts/{member.pk}/{action}/", HTTP_REFERER=f"/staff/accounts/{member.pk}/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "authenticator" in body and "again" in body
    assert not AuditEntry.objects.filter(action__startswith="staff.").exists()
    member.refresh_from_db()
    assert member.is_active
    done = confirm(client, admin, clock, next_url=f"/staff/accounts/{member.pk}/")
    assert done.status_code == 302 and done["Location"] == f"/staff/accounts/{member.pk}/"
    assert client.post(f"/staff/accounts/{member.pk}/{action}/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.fresh_mfa", outcome="success", actor=admin).count() == 1


@pytest.mark.django_db
def test_a_stale_get_goes_to_the_confirm_page_and_back(admin_setup):
    clock, admin, member, client = admin_setup
    clock.advance(minutes=16)
    response = client.get("/staff/accounts/new/")
    assert response.status_code == 302 and response["Location"].startswith(CONFIRM)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "/staff/accounts/new/" in page.content.decode()
    done = confirm(client, admin, clock, next_url="/staff/accounts/new/")
    assert done["Location"] == "/staff/accounts/new/"
    assert client.get("/staff/accounts/new/").status_code == 200
    clock.advance(minutes=16)
    assert client.get("/staff/accounts/new/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_code_is_refused_audited_and_counted(admin_setup):
    clock, admin, member, client = admin_setup
    clock.advance(minutes=16)
    wrong = client.post(CONFIRM, {"code": "000000", "next": "/staff/accounts/"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    entry = AuditEntry.objects.get(action="auth.fresh_mfa", outcome="failure")
    assert entry.actor == admin and entry.agency == admin.agency and "000000" not in str(entry.parameters)
    assert client.post(f"/staff/accounts/{member.pk}/disable/").status_code == 403


@pytest.mark.django_db
def test_it_refuses_a_foreign_next(admin_setup):
    clock, admin, member, client = admin_setup
    clock.advance(minutes=16)
    done = confirm(client, admin, clock, next_url="https://evil.example/staff/")
    assert done.status_code == 302 and done["Location"] == "/staff/"


@pytest.mark.django_db
def test_anonymous_and_unverified_cannot_use_the_confirm_page(client, town):
    assert client.get(CONFIRM).status_code == 302
    assert client.post(CONFIRM, {"code": "123456"})["Location"].startswith("/staff/sign-in/")


@pytest.mark.slow
@pytest.mark.django_db
def test_sharing_settings_and_contact_exports_ask_too(admin_setup, town):
    clock, admin, member, client = admin_setup
    clock.advance(minutes=16)
    grant = client.post(
        "/staff/sharing/",
        {
            "receiving_agency": town["cedar"].pk,
            "scope": ["view_registrations"],
            "starts_on": "2020-01-01",
            "ends_on": "2099-01-01",
        },
    )
    assert grant.status_code == 403
    assert client.get("/staff/sharing/").status_code == 200
    assert client.post("/staff/admin/settings/", {"action": "offense", "name": "Arson"}).status_code == 403
    assert client.get("/staff/admin/settings/").status_code == 200
    assert client.post("/staff/admin/export/", {"format": "csv", "contacts": "on"}).status_code == 403
    assert client.post("/staff/admin/export/", {"format": "csv"}).status_code == 200
    assert not AuditEntry.objects.filter(action__in=["sharing.grant", "agency.offense_type_add"]).exists()
    confirm(client, admin, clock)
    assert client.post("/staff/admin/export/", {"format": "csv", "contacts": "on"}).status_code == 200
