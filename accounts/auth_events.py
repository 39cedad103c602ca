"""Sign-in events the audit log records (SECURITY.md: every authentication attempt, success or not).

The staff sign-in pages decide what happened; these write it down, never with what was typed as a secret.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User
from audit.services import audit_record


def sign_in_throttled_record(*, request: HttpRequest, username: str, target: User | None, seconds: int) -> None:
    """An attempt refused unread because its address is paused (it never counts toward a lockout)."""
    audit_record(
        action="auth.throttled",
        agency=target.agency if target else None,
        object_type="user",
        object_id=target.pk if target else "",
        parameters={"username": username[:150], "retry_after_seconds": seconds},
        outcome="failure",
        request=request,
    )


def sign_in_failure_record(
    *, request: HttpRequest, username: str, actor: User | None, target: User | None, stage: str, reason: str
) -> None:
    """A failed step (password, code, recovery code), against the targeted account and its agency."""
    audit_record(
        action="auth.sign_in",
        actor=actor,
        agency=target.agency if target else None,
        object_type="user",
        object_id=target.pk if target else "",
        parameters={"username": username[:150], "stage": stage, "reason": reason},
        outcome="failure",
        request=request,
    )


def sign_in_success_record(*, request: HttpRequest, user: User, method: str) -> None:
    audit_record(
        action="auth.sign_in",
        actor=user,
        object_type="user",
        object_id=user.pk,
        parameters={"username": user.username, "method": method},
        request=request,
    )


def sign_out_record(*, request: HttpRequest, user: User) -> None:
    audit_record(action="auth.sign_out", actor=user, object_type="user", object_id=user.pk, request=request)


def fresh_mfa_record(*, request: HttpRequest, user: User, next_url: str, verified: bool) -> None:
    """A second-factor check before a privileged action (accounts.access.fresh_mfa_required)."""
    audit_record(
        action="auth.fresh_mfa",
        actor=user,
        object_type="user",
        object_id=user.pk,
        parameters={"next": next_url},
        outcome="success" if verified else "failure",
        request=request,
    )
