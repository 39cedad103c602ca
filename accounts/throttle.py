"""Sign-in throttle by client address, shared by every app server through the Django cache.

Per-account lockout (5 failures, CJIS AC-7) stops guessing one account's password, but
alone it lets anyone lock every account. This throttle sits in front of it: after
STAFF_SIGN_IN_ADDRESS_FAILURES failures from one address within an hour, that address is
refused for one minute, then two, four... up to STAFF_SIGN_IN_ADDRESS_MAX_BLOCK_MINUTES,
and a refused attempt is never evaluated, so it never counts toward any account's lockout.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from cameraregistry.http import client_ip

# Failures are forgotten an hour after the first one (cache expiry; real time).
FAILURE_WINDOW_SECONDS = 60 * 60


def _keys(address: str) -> tuple[str, str]:
    return f"signin-throttle:failures:{address}", f"signin-throttle:blocked-until:{address}"


def address_blocked_seconds(request: HttpRequest) -> int:
    """Seconds this request's address must still wait; 0 when it may try."""
    _, blocked_key = _keys(client_ip(request))
    blocked_until = cache.get(blocked_key)
    if blocked_until is None:
        return 0
    # The deadline is stored as a timestamp (not only a cache expiry) so every server agrees on it.
    return max(0, math.ceil(float(blocked_until) - timezone.now().timestamp()))


def address_failure_record(request: HttpRequest) -> int:
    """Record one failed attempt from this request's address; block the address once past the limit."""
    failures_key, blocked_key = _keys(client_ip(request))
    cache.add(failures_key, 0, timeout=FAILURE_WINDOW_SECONDS)
    try:
        failures = cache.incr(failures_key)
    except ValueError:  # expired between add and incr
        cache.set(failures_key, 1, timeout=FAILURE_WINDOW_SECONDS)
        failures = 1
    over = failures - settings.STAFF_SIGN_IN_ADDRESS_FAILURES
    if over >= 0:
        minutes = min(2**over, settings.STAFF_SIGN_IN_ADDRESS_MAX_BLOCK_MINUTES)
        cache.set(blocked_key, timezone.now().timestamp() + minutes * 60, timeout=FAILURE_WINDOW_SECONDS + minutes * 60)
    return failures
