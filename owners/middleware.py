"""Server-side limits for owners' link sessions: 30 minutes idle, 12 hours absolute by default.

The private link opens a session scoped to one registration. It used to last as long as the
session cookie (two weeks) and survive any idle time, so a shared or lost device kept an
owner's home address and phone open. The clock is kept in the session, like the staff one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.middleware import limit_passed

OWNER_SESSION_KEY = "owner_registration_id"
OPENED_AT_KEY = "owner_opened_at"
LAST_ACTIVITY_KEY = "owner_last_activity_at"


def owner_session_open(session, registration_id: int) -> None:
    """Scope `session` to one registration and start both clocks (the caller cycles the key)."""
    now = timezone.now().timestamp()
    session[OWNER_SESSION_KEY] = registration_id
    session[OPENED_AT_KEY] = now
    session[LAST_ACTIVITY_KEY] = now


def owner_session_expiry_reason(session) -> str | None:
    """'idle' or 'absolute' when the owner part of `session` is past a limit, else None."""
    opened = session.get(OPENED_AT_KEY)
    last = session.get(LAST_ACTIVITY_KEY)
    if opened is None or last is None:
        # Opened before the limits existed: no way to know its age, so it ends.
        return "absolute"
    return limit_passed(
        opened,
        last,
        idle_seconds=settings.OWNER_IDLE_TIMEOUT_SECONDS,
        absolute_seconds=settings.OWNER_ABSOLUTE_TIMEOUT_SECONDS,
    )


class OwnerSessionTimeoutMiddleware:
    """Flushes an owner session past a limit; views then explain that the link session ended.

    `request.owner_session_ended` is set to the reason so that the owner pages can say
    what happened and offer a new link, instead of a bare "open it from your email".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.owner_session_ended = None
        session = request.session
        if session.get(OWNER_SESSION_KEY) is not None:
            reason = owner_session_expiry_reason(session)
            if reason is None:
                session[LAST_ACTIVITY_KEY] = timezone.now().timestamp()
            else:
                session.flush()
                request.owner_session_ended = reason
        return self.get_response(request)
