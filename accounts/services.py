"""Writes for staff accounts, multi-factor devices, lockouts and sharing agreements.

Each service audits what it did; none puts a password, code or secret in the audit parameters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import Permission
from accounts.models import RecoveryCode, Role, SharingAgreement, StaffSession, User
from audit.models import AuditEntry
from audit.services import audit_record
from notifications.services import email_queue

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery code"
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
# 5 groups of 5 from 31 characters: 124 bits, so a leaked SHA-256 digest cannot be brute-forced.
RECOVERY_CODE_GROUPS = 5


# ----- sessions -------------------------------------------------------------------


def _session_store() -> type[SessionBase]:
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def staff_session_remember(*, user: User, session_key: str | None) -> None:
    if session_key:
        StaffSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def staff_sessions_end(*, user: User, keep: str | None = None) -> int:
    """End every session the user holds, on any device (except the session key `keep`, if given)."""
    store = _session_store()
    sessions = StaffSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(sessions.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    sessions.delete()
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
        # The password was chosen by someone else: the holder replaces it at first sign-in.
        must_change_password=True,
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


def _lockout_failures(user: User) -> int:
    # Same rule as axes with AXES_LOCKOUT_PARAMETERS=["username"]: failures summed over every address.
    failures = AccessAttempt.objects.filter(username=user.get_username()).aggregate(total=Sum("failures_since_start"))
    return failures["total"] or 0


def staff_lockout_ends_at(*, user: User) -> datetime | None:
    """When the user's current lockout opens by itself; None if not locked or only an administrator releases it."""
    minutes = user.agency.lockout_auto_unlock_minutes if user.agency is not None else 0
    if not minutes or _lockout_failures(user) < settings.AXES_FAILURE_LIMIT:
        return None
    # The audit entry of the lockout is the durable, cross-server record of when it started.
    started = (
        AuditEntry.objects.filter(action="auth.lockout", object_type="user", object_id=str(user.pk))
        .order_by("-sequence")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if started is None:
        return None
    return started + dt.timedelta(minutes=minutes)


def staff_is_locked_out(*, user: User) -> bool:
    if _lockout_failures(user) < settings.AXES_FAILURE_LIMIT:
        return False
    ends_at = staff_lockout_ends_at(user=user)
    return ends_at is None or timezone.now() < ends_at


@transaction.atomic
def staff_lockout_auto_release(*, user: User, request: HttpRequest | None = None) -> bool:
    """Clear a lockout whose agency's automatic-unlock minutes have passed; audited as auth.auto_unlock."""
    ends_at = staff_lockout_ends_at(user=user)
    if ends_at is None or timezone.now() < ends_at:
        return False
    cleared = reset(username=user.get_username())
    audit_record(
        action="auth.auto_unlock",
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={
            "username": user.username,
            "attempts_cleared": cleared,
            "minutes": user.agency.lockout_auto_unlock_minutes if user.agency is not None else 0,
        },
        request=request,
    )
    return True


def staff_lockout_notify(*, user: User) -> int:
    """Email the account holder and the agency's active administrators that the account is locked."""
    recipients = [user.email] if user.email else []
    if user.agency_id:
        administrators = User.objects.filter(agency_id=user.agency_id, role=Role.ADMINISTRATOR, is_active=True)
        recipients += [email for email in administrators.exclude(email="").values_list("email", flat=True)]
    context = {
        "username": user.username,
        "full_name": user.get_full_name(),
        "agency_name": user.agency.name if user.agency is not None else "",
        "auto_unlock_minutes": user.agency.lockout_auto_unlock_minutes if user.agency is not None else 0,
        "locked_at": timezone.now().isoformat(timespec="seconds"),
    }
    unique = list(dict.fromkeys(address.lower() for address in recipients))
    for address in unique:
        email_queue(template="staff_lockout", to=address, context=context)
    return len(unique)


@transaction.atomic
def staff_lockout_release(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
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


# ----- inactivity -----------------------------------------------------------------

INACTIVITY_WARNING_DAYS = 7


def _last_seen(user: User) -> datetime:
    return user.last_login or user.date_joined


@transaction.atomic
def staff_inactivity_disable(*, user: User) -> User:
    """Disable an account nobody signed in to for STAFF_INACTIVE_DAYS (CJIS AC-2(3)); audited, sessions ended."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = staff_sessions_end(user=user)
    audit_record(
        action="staff.inactivity_disable",
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "last_seen": _last_seen(user).isoformat(), "sessions_ended": ended},
    )
    return user


@transaction.atomic
def staff_inactivity_warn(*, user: User, disable_on: datetime) -> None:
    days_left = max(1, -(-(disable_on - timezone.now()) // dt.timedelta(days=1)))
    if user.email:
        context = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "agency_name": user.agency.name if user.agency is not None else "",
            "days_left": days_left,
            "disable_on": disable_on.date().isoformat(),
        }
        email_queue(template="staff_inactivity", to=user.email, context=context)
    audit_record(
        action="staff.inactivity_warning",
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "days_left": days_left, "emailed": bool(user.email)},
    )


def staff_inactivity_run() -> dict[str, int]:
    """Disable accounts unused for STAFF_INACTIVE_DAYS; warn once those within a week of it."""
    now = timezone.now()
    limit = dt.timedelta(days=settings.STAFF_INACTIVE_DAYS)
    warn_from = now - limit + dt.timedelta(days=INACTIVITY_WARNING_DAYS)
    disabled = warned = 0
    for user in User.objects.filter(is_active=True).select_related("agency").order_by("pk"):
        seen = _last_seen(user)
        if seen <= now - limit:
            staff_inactivity_disable(user=user)
            disabled += 1
        elif seen <= warn_from:
            already = AuditEntry.objects.filter(
                action="staff.inactivity_warning", object_type="user", object_id=str(user.pk), occurred_at__gte=seen
            ).exists()
            if not already:
                staff_inactivity_warn(user=user, disable_on=seen + limit)
                warned += 1
    return {"disabled": disabled, "warned": warned}


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
    length = RECOVERY_CODE_GROUPS * 5
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(length))
    return "-".join(raw[index : index + 5] for index in range(0, length, 5))


def totp_verify(*, device: TOTPDevice, code: str) -> bool:
    """Accept the current 30-second step or the one before (a code typed as it changed), each step once.

    django-otp's own check also accepts a step ahead and learns drift, so a code lived about 90 s.
    The conditional update makes a replay lose even when two requests race.
    """
    if not (isinstance(code, str) and len(code) == device.digits and code.isdigit()):
        return False
    current = (int(timezone.now().timestamp()) - device.t0) // device.step
    for counter in (current, current - 1):
        if counter <= device.last_t:
            continue
        expected = f"{hotp(device.bin_key, counter, device.digits):0{device.digits}d}"
        if secrets.compare_digest(expected, code):
            claimed = TOTPDevice.objects.filter(pk=device.pk, last_t__lt=counter).update(
                last_t=counter, last_used_at=timezone.now()
            )
            if claimed:
                device.last_t = counter
            return bool(claimed)
    return False


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
