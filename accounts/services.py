"""Writes for staff accounts, multi-factor devices, lockouts and sharing agreements.

Each service audits what it did; none puts a password, code or secret in the audit parameters.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import Permission
from accounts.models import RecoveryCode, Role, SharingAgreement, StaffSession, User
from audit.services import audit_record

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery code"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


# ----- sessions -------------------------------------------------------------------


def _session_store() -> type[SessionBase]:
    from django.conf import settings

    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def staff_session_remember(*, user: User, session_key: str | None) -> None:
    if session_key:
        StaffSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def staff_sessions_end(*, user: User) -> int:
    """End every session the user holds, on any device."""
    store = _session_store()
    keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    StaffSession.objects.filter(user=user).delete()
    return len(keys)


# ----- staff accounts -------------------------------------------------------------


@transaction.atomic
def staff_create(
    *,
    actor: User,
    agency,
    username: str,
    role: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    badge_number: str = "",
    request: HttpRequest | None = None,
) -> User:
    user = User(
        username=username,
        role=role,
        agency=agency,
        first_name=first_name,
        last_name=last_name,
        email=email,
        badge_number=badge_number,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        action="staff.create",
        actor=actor,
        agency=agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "role": role},
        request=request,
    )
    return user


@transaction.atomic
def staff_role_change(*, actor: User, user: User, role: str, request: HttpRequest | None = None) -> User:
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    previous = user.role
    if previous == role:
        return user
    user.role = role
    user.full_clean()
    user.save(update_fields=["role"])
    audit_record(
        action="staff.role_change",
        actor=actor,
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "from": previous, "to": role},
        request=request,
    )
    return user


@transaction.atomic
def staff_disable(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = staff_sessions_end(user=user)
    audit_record(
        action="staff.disable",
        actor=actor,
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "sessions_ended": ended},
        request=request,
    )
    return user


@transaction.atomic
def staff_enable(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        action="staff.enable",
        actor=actor,
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username},
        request=request,
    )
    return user


def staff_is_locked_out(*, user: User) -> bool:
    from axes.models import AccessAttempt
    from django.conf import settings

    # Same rule as axes with AXES_LOCKOUT_PARAMETERS=["username"]: failures summed over every address.
    failures = AccessAttempt.objects.filter(username=user.get_username()).aggregate(total=Sum("failures_since_start"))
    return (failures["total"] or 0) >= settings.AXES_FAILURE_LIMIT


@transaction.atomic
def staff_lockout_release(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    from axes.utils import reset

    released = reset(username=user.get_username())
    audit_record(
        action="staff.lockout_release",
        actor=actor,
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "attempts_cleared": released},
        request=request,
    )
    return released


@transaction.atomic
def staff_mfa_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Forget the user's authenticator and recovery codes; they enrol again at next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    ended = staff_sessions_end(user=user)
    audit_record(
        action="staff.mfa_reset",
        actor=actor,
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "sessions_ended": ended},
        request=request,
    )


# ----- multi-factor ---------------------------------------------------------------


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled; the same secret across page reloads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    return device


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def _recovery_hash(code: str) -> str:
    normalized = "".join(character for character in code.lower() if character.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(15))
    return "-".join(raw[index : index + 5] for index in range(0, 15, 5))


@transaction.atomic
def mfa_enrol_complete(*, user: User, device: TOTPDevice, request: HttpRequest | None = None) -> list[str]:
    """Confirm the authenticator and issue fresh recovery codes (returned once, stored hashed)."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_issue(user=user)
    audit_record(
        action="auth.mfa_enrol", actor=user, object_type="user", object_id=user.pk, parameters={}, request=request
    )
    return codes


def recovery_codes_issue(*, user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_hash(code)) for code in codes])
    return codes


def recovery_code_consume(*, user: User, code: str) -> bool:
    """Use a recovery code once. The conditional update makes a second use lose even in a race."""
    if not code or len(code) > 64:
        return False
    used = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return used == 1


def recovery_device(*, user: User) -> StaticDevice:
    """A token-less marker device so django-otp records 'verified by a recovery code' in the session."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    return device


# ----- sharing agreements ---------------------------------------------------------


@transaction.atomic
def sharing_grant(
    *,
    actor: User,
    receiving_agency,
    scope: list[str],
    starts_at: datetime,
    ends_at: datetime,
    request: HttpRequest | None = None,
) -> SharingAgreement:
    agreement = SharingAgreement(
        granting_agency=actor.agency,
        receiving_agency=receiving_agency,
        scope=sorted({Permission(value).value for value in scope}),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
    )
    agreement.full_clean()
    agreement.save()
    audit_record(
        action="sharing.grant",
        actor=actor,
        object_type="sharing_agreement",
        object_id=agreement.pk,
        parameters={
            "receiving_agency": receiving_agency.pk,
            "scope": agreement.scope,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
        request=request,
    )
    return agreement


@transaction.atomic
def sharing_revoke(*, actor: User, agreement: SharingAgreement, request: HttpRequest | None = None) -> SharingAgreement:
    if agreement.revoked_at is not None:
        return agreement
    agreement.revoked_at = timezone.now()
    agreement.revoked_by = actor
    agreement.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action="sharing.revoke",
        actor=actor,
        object_type="sharing_agreement",
        object_id=agreement.pk,
        parameters={"receiving_agency": agreement.receiving_agency_id},
        request=request,
    )
    return agreement
