"""Demo staff sign-ins (demo mode only): one account per role, with known password and TOTP secret."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from agencies.models import Agency

DEMO_PASSWORD = "demo-password-2026"
# 20 bytes, hex, as django-otp stores it. Public on purpose: demo mode refuses to run unless DEBUG.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_STAFF = [
    ("admin.maple", "maple-falls", "administrator"),
    ("supervisor.maple", "maple-falls", "supervisor"),
    ("investigator.maple", "maple-falls", "investigator"),
    ("auditor.maple", "maple-falls", "auditor"),
    ("investigator.cedar", "cedar-grove", "investigator"),
]


class DemoModeOff(Exception):
    pass


def _require_demo_mode() -> None:
    if not (settings.DEMO_MODE and settings.DEBUG):
        raise DemoModeOff("Demo sign-ins exist only when DEBUG=true and DEMO_MODE=true.")


@transaction.atomic
def demo_staff_ensure() -> list[User]:
    _require_demo_mode()
    users = []
    for username, slug, role in DEMO_STAFF:
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD, agency=agency, role=role)
        TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "demo", "key": DEMO_TOTP_KEY})
        users.append(user)
    return users


def demo_totp_code(username: str) -> str:
    _require_demo_mode()
    from django_otp.oath import TOTP

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        raise LookupError(f"No confirmed authenticator for {username!r}.")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
