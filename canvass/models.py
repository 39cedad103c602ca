from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    """An investigation: every canvass search and every chosen camera hangs off one."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="cases")
    case_number = models.CharField(max_length=40)
    offense_type = models.ForeignKey("agencies.OffenseType", on_delete=models.PROTECT, related_name="cases")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases_created"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases_closed"
    )
    # Why it was closed, shown on the case page; reopening clears it (the audit log keeps every close and reopen).
    close_reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "case_number"], name="unique_case_number_per_agency")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.case_number


class AreaKind(models.TextChoices):
    RADIUS = "radius", _("Radius around the place")
    POLYGON = "polygon", _("Drawn area")
    ROUTE = "route", _("Route with a corridor")


class CanvassSearch(models.Model):
    """One search as it was asked: enough to run it again and to audit it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="searches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="canvass_searches"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    address = models.CharField(max_length=200, blank=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    area_kind = models.CharField(max_length=10, choices=AreaKind.choices, default=AreaKind.RADIUS)
    # GeoJSON geometry (Polygon or LineString, lon/lat order); empty for a radius search.
    area_geometry = models.JSONField(default=dict, blank=True)
    radius_m = models.PositiveIntegerField(null=True, blank=True)
    corridor_m = models.PositiveIntegerField(null=True, blank=True)
    result_count = models.PositiveIntegerField(default=0)
    parameters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "canvass searches"

    def __str__(self) -> str:
        return f"Search {self.pk} for case {self.case_id}"


class CaseCamera(models.Model):
    """A camera an investigator chose for a case: the footage requests start from these."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chosen_cameras")
    camera = models.ForeignKey("registrations.Camera", on_delete=models.CASCADE, related_name="case_choices")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="cameras_chosen"
    )
    chosen_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "camera"], name="unique_camera_per_case")]
        ordering = ["chosen_at"]

    def __str__(self) -> str:
        return f"Camera {self.camera_id} in case {self.case_id}"
