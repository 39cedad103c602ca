"""TOTP codes: the current 30-second step and one step back, never older, never ahead; each once."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from tests.staff_fixtures import Clock, make_staff, sign_in_with_password, totp_code


def verify(client: Client, user: User, code: str) -> int:
    sign_in_with_password(client, user.username)
    return client.post("/staff/sign-in/verify/", {"method": "totp", "code": code}).status_code


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(monkeypatch)
    # Ten seconds into a step, so "one step back" is unambiguous.
    clock.now = clock.now.replace(second=10 if clock.now.second < 30 else 40, microsecond=0)
    return clock


@pytest.mark.django_db
@pytest.mark.parametrize("offset_seconds", [-60, -90, 30, 60])
def test_it_refuses_codes_two_steps_old_or_from_the_future(client, town, clock, offset_seconds):
    user = make_staff(town["maple"], "investigator")
    code = totp_code(user.test_totp_device, at=clock.now.timestamp() + offset_seconds)
    assert code != totp_code(user.test_totp_device, at=clock.now.timestamp())
    assert code != totp_code(user.test_totp_device, at=clock.now.timestamp() - 30)
    assert verify(client, user, code) == 200


@pytest.mark.django_db
@pytest.mark.parametrize("offset_seconds", [0, -30])
def test_it_accepts_the_current_and_the_previous_step(client, town, clock, offset_seconds):
    user = make_staff(town["maple"], "investigator")
    code = totp_code(user.test_totp_device, at=clock.now.timestamp() + offset_seconds)
    assert verify(client, user, code) == 302


@pytest.mark.django_db
def test_each_code_once_and_never_an_older_one_after_a_newer(town, clock):
    user = make_staff(town["maple"], "investigator")
    current = totp_code(user.test_totp_device, at=clock.now.timestamp())
    previous = totp_code(user.test_totp_device, at=clock.now.timestamp() - 30)
    assert verify(Client(), user, current) == 302
    assert verify(Client(), user, current) == 200
    assert verify(Client(), user, previous) == 200
    clock.advance(seconds=30)
    assert verify(Client(), user, totp_code(user.test_totp_device, at=clock.now.timestamp())) == 302


@pytest.mark.django_db
def test_enrolment_uses_the_same_window(client, town, clock):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user(
        username="new.one", password="correct-horse-battery-staple-42", agency=town["maple"]
    )
    sign_in_with_password(client, user.username)
    client.get("/staff/sign-in/verify/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    stale = totp_code(device, at=clock.now.timestamp() - 60)
    assert client.post("/staff/sign-in/verify/", {"method": "totp", "code": stale}).status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    fresh = totp_code(device, at=clock.now.timestamp())
    assert client.post("/staff/sign-in/verify/", {"method": "totp", "code": fresh}).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
