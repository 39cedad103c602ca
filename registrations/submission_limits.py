"""How much one network may send to the public form, on the shared cache (Redis with CACHE_URL).

Two counters per clock hour and network (client address; an IPv6 address by its /64):
completed registrations for the serving agency, up to that agency's setting (raised for an
event), and every post of the form (failed ones, "Add another camera"), up to a generous cap so
a script cannot flood the form. A refused resident gets the form back with their answers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import highest_registration_limit_per_hour
from cameraregistry.http import client_ip
from cameraregistry.ratelimit import Window, network_key, window_release, window_reserve

HOUR = 3600
POSTS_PER_REGISTRATION = 5
_POSTS = "register-post"
_COMPLETED = "register-done"


@dataclass(frozen=True)
class LimitReached:
    """Why the form was not taken: the time it will be, and the department to contact (if known)."""

    retry_at: datetime.datetime
    agency: Agency | None


@dataclass(frozen=True)
class Place:
    """A completed registration's place in the agency's hourly count, given back if nothing was saved."""

    key: str
    window: Window

    def release(self) -> None:
        window_release(_COMPLETED, self.key, self.window)


def network(request: HttpRequest) -> str:
    return network_key(client_ip(request))


def post_cap() -> int:
    """Raw posts per hour and network: the setting, or more when an agency allows many registrations."""
    highest = highest_registration_limit_per_hour(timezone.now())
    return max(settings.REGISTRATION_POST_LIMIT_PER_HOUR, POSTS_PER_REGISTRATION * highest)


def take_post(network_id: str) -> LimitReached | None:
    """Count one post of the form; a LimitReached once the network sent more than the cap this hour."""
    window = Window.current(HOUR)
    if window_reserve(_POSTS, network_id, post_cap(), window):
        return None
    return LimitReached(retry_at=window.ends_at, agency=None)


def take_registration(network_id: str, agency: Agency) -> Place | LimitReached:
    """Take a place for one completed registration with `agency`, or say when the next place opens."""
    window = Window.current(HOUR)
    key = f"{agency.pk}:{network_id}"
    if window_reserve(_COMPLETED, key, agency.registration_limit_per_hour(timezone.now()), window):
        return Place(key=key, window=window)
    return LimitReached(retry_at=window.ends_at, agency=agency)
