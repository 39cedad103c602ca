"""Server-side session limits for staff: 30 minutes idle, 12 hours absolute (CJIS IA-5 j)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from cameraregistry.session_clock import limit_passed

SIGNED_IN_AT_KEY = "staff_signed_in_at"
LAST_ACTIVITY_KEY = "staff_last_activity_at"


def session_stamp(session, *, signed_in: bool = False) -> None:
    now = timezone.now().timestamp()
    if signed_in or SIGNED_IN_AT_KEY not in session:
        session[SIGNED_IN_AT_KEY] = now
    session[LAST_ACTIVITY_KEY] = now


def session_expiry_reason(session) -> str | None:
    """'idle' or 'absolute' when the session is past a limit, else None."""
    signed_in = session.get(SIGNED_IN_AT_KEY)
    last = session.get(LAST_ACTIVITY_KEY)
    if signed_in is None or last is None:
        return None
    return limit_passed(
        signed_in,
        last,
        idle_seconds=settings.STAFF_IDLE_TIMEOUT_SECONDS,
        absolute_seconds=settings.STAFF_ABSOLUTE_TIMEOUT_SECONDS,
    )


class StaffSessionTimeoutMiddleware:
    """Ends signed-in sessions past the idle or absolute limit, whatever the browser cookie says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = session_expiry_reason(request.session)
            if reason is not None:
                from audit.middleware import audit_unavailable_response
                from audit.services import AuditWriteFailed, audit_record

                try:
                    audit_record(
                        action="auth.session_expired",
                        actor=user,
                        object_type="user",
                        object_id=user.pk,
                        parameters={"reason": reason},
                        request=request,
                    )
                except AuditWriteFailed:
                    # Not let through either: the session stays expired and is ended once its end can be recorded.
                    return audit_unavailable_response(request)
                logout(request)
                if request.path.startswith("/staff/"):
                    return HttpResponseRedirect(f"{reverse('staff:sign_in')}?expired={reason}")
            else:
                # Sessions made without the staff sign-in (tests, the Django admin) get their clock here.
                session_stamp(request.session)
        return self.get_response(request)
