"""Helpers for tests that need signed-in, MFA-verified staff. Plain functions; reuse freely.

from tests.staff_fixtures import make_staff, staff_client
user = make_staff(town["maple"], "investigator")
staff_client(client, user)          # client is now signed in and MFA-verified
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import MFA_VERIFIED_AT_KEY
from accounts.middleware import session_stamp
from accounts.models import User

STAFF_PASSWORD = "correct-horse-battery-staple-42"
_counter = itertools.count(1)


def make_staff(agency, role: str, username: str | None = None, password: str = STAFF_PASSWORD, **fields) -> User:
    """An active staff user of `agency` with `role` and a confirmed TOTP device (`user.test_totp_device`)."""
    username = username or f"{role}.{agency.slug if agency else 'none'}.{next(_counter)}"
    user = User.objects.create_user(username=username, password=password, agency=agency, role=role, **fields)
    user.test_totp_device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    return user


def staff_client(client: Client, user: User) -> Client:
    """Sign `user` in on `client` and mark the session MFA-verified, as the real sign-in does."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session_stamp(session, signed_in=True)
    session[MFA_VERIFIED_AT_KEY] = timezone.now().timestamp()
    session.save()
    return client


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app would show for `device` now (or at unix time `at`)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(client: Client, username: str, password: str = STAFF_PASSWORD):
    """The first step of the real staff sign-in (banner acknowledged); returns the response."""
    return client.post("/staff/sign-in/", {"acknowledge": "on", "username": username, "password": password})


class Clock:
    """A controllable django.utils.timezone.now (the sign-in, throttle and lockout code reads only it)."""

    def __init__(self, monkeypatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)
