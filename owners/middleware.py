"""Server-side limits for owners' link sessions: 30 minutes idle, 12 hours absolute by default.

The private link opens a session scoped to one registration. It used to last as long as the
session cookie (two weeks) and survive any idle time, so a shared or lost device kept an
owner's home address and phone open. The clock is kept in the session, like the staff one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cameraregistry.session_clock import (
    FOOTAGE_REQUESTS_KEY,
    LAST_ACTIVITY_KEY,
    link_session_expiry_reason,
    link_session_start,
)

OWNER_SESSION_KEY = "owner_registration_id"


def owner_session_open(session, registration_id: int) -> None:
    """Scope `session` to one registration and start both clocks (the caller cycles the key)."""
    session[OWNER_SESSION_KEY] = registration_id
    link_session_start(session)


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
        # The clock is started by any private link: the registration's (/manage/) or a footage request's.
        if session.get(OWNER_SESSION_KEY) is not None or session.get(FOOTAGE_REQUESTS_KEY):
            reason = link_session_expiry_reason(session)
            if reason is None:
                session[LAST_ACTIVITY_KEY] = timezone.now().timestamp()
            else:
                session.flush()
                request.owner_session_ended = reason
        return self.get_response(request)
