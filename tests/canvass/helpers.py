"""Shared builders for canvass tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agencies.models import OffenseType
from registrations.models import Registration, Status


def offense(agency, name: str = "Burglary") -> OffenseType:
    return OffenseType.objects.get(agency=agency, name=name)


def busy_registration(agency) -> Registration:
    """An active registration of the agency that has cameras: a good incident place."""
    return (
        Registration.objects.filter(agency=agency, status=Status.ACTIVE, cameras__isnull=False)
        .order_by("id")
        .distinct()
        .first()
    )


def form_data(agency, registration=None, **overrides) -> dict:
    registration = registration or busy_registration(agency)
    end = timezone.localtime() - timedelta(hours=2)
    data = {
        "case_number": "2025-000123",
        "offense_type": str(offense(agency).pk),
        "address": "",
        "latitude": str(registration.latitude),
        "longitude": str(registration.longitude),
        "window_start": (end - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": end.strftime("%Y-%m-%dT%H:%M"),
        "area_kind": "radius",
        "radius_m": "300",
        "corridor_m": "",
        "vertices": "",
    }
    data.update(overrides)
    return data
