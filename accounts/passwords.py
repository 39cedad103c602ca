"""Writes for staff passwords: the holder's own change, an administrator's reset, a "forgot" request.

Each audits what it did; none puts a password in the audit parameters. Email never resets a
staff password: the agency's administrator does, and hands the temporary password over in person.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.models import StaffSession, User
from accounts.services import RECOVERY_CODE_ALPHABET, staff_session_remember, staff_sessions_end
from audit.services import audit_record

# 4 groups of 4 from 31 characters (no 0/o, 1/l/i): about 79 bits, easy to read out and type once.
TEMPORARY_PASSWORD_GROUPS = 4


def temporary_password_new(user: User) -> str:
    """A random temporary password that the configured validators accept for `user`."""
    while True:
        raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(TEMPORARY_PASSWORD_GROUPS * 4))
        candidate = "-".join(raw[index : index + 4] for index in range(0, len(raw), 4))
        try:
            validate_password(candidate, user)
        except ValidationError:  # pragma: no cover - a random 19-character string is never common
            continue
        return candidate


@transaction.atomic
def staff_password_change(*, user: User, new_password: str, request: HttpRequest) -> int:
    """The holder sets their own password (already proven with the old one and a TOTP code).

    Every other session of the user ends; the current one is kept (see `session_renew`).
    Returns how many other sessions were ended.
    """
    validate_password(new_password, user)
    forced = user.must_change_password
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    ended = staff_sessions_end(user=user, keep=request.session.session_key)
    audit_record(
        action="auth.password_change",
        actor=user,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "forced": forced, "sessions_ended": ended},
        request=request,
    )
    return ended


def staff_password_change_failed(*, user: User, reason: str, request: HttpRequest) -> None:
    """Audit a refused change ('old_password' or 'totp'); the caller counts it toward the lockout."""
    audit_record(
        action="auth.password_change",
        actor=user,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "reason": reason},
        outcome="failure",
        request=request,
    )


def session_renew(*, request: HttpRequest, user: User) -> None:
    """Give the current session a new id after a password change, keeping it signed in and tracked."""
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # cycles the session key, stores the new password's hash
    StaffSession.objects.filter(session_key=old_key).delete()
    staff_session_remember(user=user, session_key=request.session.session_key)


@transaction.atomic
def staff_password_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> str:
    """An administrator gives `user` a temporary password (returned once, to show to the administrator).

    The account must choose its own password at next sign-in, and every session it holds ends.
    """
    temporary = temporary_password_new(user)
    user.set_password(temporary)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    ended = staff_sessions_end(user=user)
    audit_record(
        action="staff.password_reset",
        actor=actor,
        agency=user.agency,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "sessions_ended": ended},
        request=request,
    )
    return temporary


def staff_password_help_requested(*, username: str, request: HttpRequest) -> None:
    """Someone said on the sign-in's "forgot" page that they forgot this username's password.

    Audited against the account's agency (its administrators and auditors see it); an unknown
    username belongs to no agency. The answer to the person is the same either way.
    """
    target = User.objects.select_related("agency").filter(username=username).first()
    audit_record(
        action="auth.password_help",
        agency=target.agency if target else None,
        object_type="user",
        object_id=target.pk if target else "",
        parameters={"username": username[:150]},
        request=request,
    )
