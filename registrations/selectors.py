"""Reads of registrations for staff. Every query starts from accounts.access.registrations_for."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.access import Permission, registrations_for
from registrations.models import Status


@dataclass(frozen=True)
class RegistrationFilters:
    status: str = ""
    verified: str = ""  # "yes", "no" or "" for either
    street: str = ""
    min_cameras: int | None = None
    max_cameras: int | None = None

    def as_parameters(self) -> dict:
        """The filters as the audit log records them (empty ones left out)."""
        values = {
            "status": self.status,
            "verified": self.verified,
            "street": self.street,
            "min_cameras": self.min_cameras,
            "max_cameras": self.max_cameras,
        }
        return {key: value for key, value in values.items() if value not in ("", None)}


def registration_list(user, filters: RegistrationFilters) -> QuerySet:
    """Registrations this user may see, filtered, with `camera_count` annotated, newest first."""
    queryset = registrations_for(user, Permission.VIEW_REGISTRATIONS).annotate(camera_count=Count("cameras"))
    if filters.status in Status.values:
        queryset = queryset.filter(status=filters.status)
    if filters.verified == "yes":
        queryset = queryset.filter(verified_at__isnull=False)
    elif filters.verified == "no":
        queryset = queryset.filter(verified_at__isnull=True)
    if filters.street:
        queryset = queryset.filter(street_address__icontains=filters.street)
    if filters.min_cameras is not None:
        queryset = queryset.filter(camera_count__gte=filters.min_cameras)
    if filters.max_cameras is not None:
        queryset = queryset.filter(camera_count__lte=filters.max_cameras)
    return queryset.select_related("agency").order_by("-created_at", "-id")
