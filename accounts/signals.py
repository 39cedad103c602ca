"""Sign-in side effects that must happen however the sign-in happened (staff pages, Django admin, tests)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.models import User
from accounts.services import staff_lockout_notify, staff_session_remember
from audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="accounts.remember_session")
def remember_session(sender, request, user, **kwargs) -> None:
    """Track the session key so disabling the account or resetting its MFA ends it."""
    if request is not None and hasattr(request, "session"):
        staff_session_remember(user=user, session_key=request.session.session_key)


@receiver(user_locked_out, dispatch_uid="accounts.audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    # axes also signals on every attempt while already locked; audit only the moment the lock starts.
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return

    user = User.objects.filter(username=username).first() if username else None
    audit_record(
        action="auth.lockout",
        actor=user,
        # The targeted account's agency, so its auditor sees the attack; unknown usernames belong to none.
        agency=user.agency if user else None,
        object_type="user",
        object_id=user.pk if user else "",
        parameters={
            "username": (username or "")[:150],
            "auto_unlock_minutes": user.agency.lockout_auto_unlock_minutes if user and user.agency_id else 0,
        },
        outcome="failure",
        request=request,
    )
    if user is not None:
        staff_lockout_notify(user=user)
