from __future__ import annotations

import datetime

from agencies.models import Agency
from cameraregistry import geo


def agency_for_point(latitude: float, longitude: float) -> Agency | None:
    """The agency whose jurisdiction contains the point (first by name if boundaries overlap)."""
    candidates = Agency.objects.filter(
        min_latitude__lte=latitude,
        max_latitude__gte=latitude,
        min_longitude__lte=longitude,
        max_longitude__gte=longitude,
    ).order_by("name")
    for agency in candidates:
        if geo.point_in_multipolygon(latitude, longitude, agency.boundary):
            return agency
    return None


def highest_registration_limit_per_hour(now: datetime.datetime) -> int:
    """The most completed registrations per hour and network any agency accepts at `now` (0 without agencies)."""
    fields = ("registrations_per_hour_per_network", "registration_event_limit_per_hour", "registration_event_until")
    return max((agency.registration_limit_per_hour(now) for agency in Agency.objects.only(*fields)), default=0)
