"""Session clocks: the one rule for idle and absolute limits, and the clock of private-link sessions.

Owners have no accounts: a link opens a session, and that session must end on the server after
OWNER_IDLE_TIMEOUT_SECONDS without use and OWNER_ABSOLUTE_TIMEOUT_SECONDS in all, whichever link
opened it. owners.middleware enforces it for every session that carries this clock.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

# The footage requests whose link was opened in this session (footage.views); kept here so the
# owners' middleware can see that a footage link session exists without importing footage.
FOOTAGE_REQUESTS_KEY = "footage_request_ids"
OPENED_AT_KEY = "owner_opened_at"
LAST_ACTIVITY_KEY = "owner_last_activity_at"


def limit_passed(started_at: float, last_activity_at: float, *, idle_seconds: int, absolute_seconds: int) -> str | None:
    """'absolute' or 'idle' when a session that began and was last used at these times is past a limit.

    Shared by the staff and the owner session limits, so both count time the same way.
    """
    now = timezone.now().timestamp()
    if now - float(started_at) >= absolute_seconds:
        return "absolute"
    if now - float(last_activity_at) >= idle_seconds:
        return "idle"
    return None


def link_session_start(session) -> None:
    """Start both clocks; a session already running keeps its opening time (reopening a link is not a reset)."""
    now = timezone.now().timestamp()
    if session.get(OPENED_AT_KEY) is None or link_session_expiry_reason(session) is not None:
        session[OPENED_AT_KEY] = now
    session[LAST_ACTIVITY_KEY] = now


def link_session_expiry_reason(session) -> str | None:
    """'idle' or 'absolute' when the session is past a limit, else None; a session without a clock has ended."""
    opened = session.get(OPENED_AT_KEY)
    last = session.get(LAST_ACTIVITY_KEY)
    if opened is None or last is None:
        return "absolute"
    return limit_passed(
        opened,
        last,
        idle_seconds=settings.OWNER_IDLE_TIMEOUT_SECONDS,
        absolute_seconds=settings.OWNER_ABSOLUTE_TIMEOUT_SECONDS,
    )
