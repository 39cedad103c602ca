"""Lockout cannot be turned into a denial of service: address throttle, automatic unlock, emails."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts import services
from audit.models import AuditEntry
from tests.staff_fixtures import Clock, make_staff, sign_in_with_password, staff_client, totp_code

ATTACKER = "203.0.113.66"


def attempt(username: str, password: str = "wrong-password-x", address: str = ATTACKER):
    client = Client(REMOTE_ADDR=address)
    return client.post("/staff/sign-in/", {"acknowledge": "on", "username": username, "password": password})


def full_sign_in(user, address: str = "198.51.100.7") -> int:
    client = Client(REMOTE_ADDR=address)
    first = sign_in_with_password(client, user.username)
    if first.status_code != 302:
        return first.status_code
    code = totp_code(user.test_totp_device, at=timezone.now().timestamp())
    return client.post("/staff/sign-in/verify/", {"method": "totp", "code": code}).status_code


@pytest.mark.slow
@pytest.mark.django_db
def test_it_throttles_an_address_across_accounts_and_never_locks_the_admin(town, monkeypatch):
    Clock(monkeypatch)
    admin = make_staff(town["maple"], "administrator")
    others = [make_staff(town["maple"], "investigator") for _ in range(3)]
    targets = [admin, *others]
    statuses = [attempt(targets[index % 4].username).status_code for index in range(20)]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429] * 10
    throttled = attempt(admin.username)
    body = throttled.content.decode()
    assert throttled.status_code == 429 and "Too many attempts from this network" in body and "minute" in body
    assert not services.staff_is_locked_out(user=admin)
    assert not any(services.staff_is_locked_out(user=user) for user in others)
    assert not AuditEntry.objects.filter(action="auth.lockout").exists()
    entry = AuditEntry.objects.filter(action="auth.throttled").last()
    assert entry.source_ip == ATTACKER and entry.outcome == "failure" and entry.agency == town["maple"]
    # Even the right password from the throttled address is not evaluated; elsewhere the admin signs in.
    assert attempt(admin.username, "correct-horse-battery-staple-42").status_code == 429
    assert full_sign_in(admin) == 302


@pytest.mark.django_db
def test_it_blocks_progressively_longer(town, monkeypatch):
    clock = Clock(monkeypatch)
    user = make_staff(town["maple"], "investigator")
    for index in range(10):
        attempt(f"someone.{index}")
    assert attempt(user.username).status_code == 429
    clock.advance(minutes=1, seconds=1)
    assert attempt(user.username).status_code == 200  # evaluated again, and it fails again
    clock.advance(minutes=1, seconds=1)
    assert attempt(user.username).status_code == 429  # now two minutes
    clock.advance(minutes=1)
    assert attempt(user.username).status_code == 200


@pytest.mark.django_db
def test_it_unlocks_automatically_after_the_agency_minutes(town, monkeypatch, run_tasks):
    clock = Clock(monkeypatch)
    assert town["maple"].lockout_auto_unlock_minutes == 30
    user = make_staff(town["maple"], "investigator", email="holder@maple.example")
    for _ in range(5):
        attempt(user.username)
    assert services.staff_is_locked_out(user=user)
    admin = staff_client(Client(), make_staff(town["maple"], "administrator"))
    assert "opens by itself" in admin.get(f"/staff/accounts/{user.pk}/").content.decode()
    clock.advance(minutes=29)
    assert full_sign_in(user) == 429
    clock.advance(minutes=1, seconds=1)
    assert not services.staff_is_locked_out(user=user)
    assert full_sign_in(user) == 302
    unlock = AuditEntry.objects.get(action="auth.auto_unlock")
    assert unlock.agency == town["maple"] and unlock.object_id == str(user.pk)


@pytest.mark.django_db
def test_zero_minutes_means_only_an_administrator_releases(town, monkeypatch):
    clock = Clock(monkeypatch)
    agency = town["cedar"]
    agency.lockout_auto_unlock_minutes = 0
    agency.save(update_fields=["lockout_auto_unlock_minutes"])
    user = make_staff(agency, "investigator")
    for _ in range(5):
        attempt(user.username)
    clock.advance(hours=48)
    assert full_sign_in(user) == 429
    assert not AuditEntry.objects.filter(action="auth.auto_unlock").exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_lockout_emails_the_holder_and_the_agency_administrators(town, run_tasks, django_capture_on_commit_callbacks):
    user = make_staff(town["maple"], "investigator", email="holder@maple.example")
    make_staff(town["maple"], "administrator", email="admin1@maple.example")
    make_staff(town["maple"], "administrator", email="admin2@maple.example")
    make_staff(town["maple"], "administrator", email="gone@maple.example", is_active=False)
    make_staff(town["cedar"], "administrator", email="outsider@cedar.example")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            attempt(user.username, "secret-guess-77")
    run_tasks()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["admin1@maple.example", "admin2@maple.example", "holder@maple.example"]
    for message in mail.outbox:
        assert user.username in message.body
        assert "secret-guess-77" not in message.body
        assert "30 minutes" in message.body


@pytest.mark.django_db
def test_agency_settings_form_edits_the_unlock_minutes(client, town):
    from tests.staff_fixtures import staff_client

    admin = make_staff(town["maple"], "administrator")
    staff_client(client, admin)
    page = client.get("/staff/admin/settings/")
    assert "lockout_auto_unlock_minutes" in page.content.decode()
