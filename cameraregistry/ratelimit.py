from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone


def hit(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `limit` attempts were made in the current window."""
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def network_key(address: str) -> str:
    """One key per network: an IPv4 address as is, an IPv6 address by its /64 (one household or site)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address) + "/64"
    return str(parsed)


@dataclass(frozen=True)
class Window:
    """A fixed window aligned to the clock (e.g. 14:00-15:00 UTC for an hour), read from timezone.now()."""

    index: int
    ends_at: datetime.datetime

    @classmethod
    def current(cls, seconds: int) -> Window:
        index = int(timezone.now().timestamp() // seconds)
        return cls(index=index, ends_at=datetime.datetime.fromtimestamp((index + 1) * seconds, tz=datetime.UTC))


def _window_key(scope: str, key: str, window: Window) -> str:
    return f"ratelimit:{scope}:{key}:{window.index}"


def _timeout(window: Window) -> int:
    # Kept a minute past the window's end so clocks a little apart between app servers agree.
    return max(int((window.ends_at - timezone.now()).total_seconds()), 0) + 60


def window_reserve(scope: str, key: str, limit: int, window: Window) -> bool:
    """Take one of `limit` places in `window` (atomic on the shared cache); False, taking nothing, when full."""
    cache_key = _window_key(scope, key, window)
    cache.add(cache_key, 0, timeout=_timeout(window))
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=_timeout(window))
        count = 1
    if count > limit:
        window_release(scope, key, window)
        return False
    return True


def window_release(scope: str, key: str, window: Window) -> None:
    """Give back a place taken by window_reserve (the action it was for did not happen)."""
    try:
        cache.decr(_window_key(scope, key, window))
    except ValueError:  # the window's counter already expired
        pass
