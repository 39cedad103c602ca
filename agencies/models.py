from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cameraregistry import geo, units

REGISTRATIONS_PER_HOUR_MIN = 1
REGISTRATIONS_PER_HOUR_MAX = 200
REGISTRATION_EVENT_PER_HOUR_MAX = 1000
REGISTRATION_EVENT_MAX_DAYS_AHEAD = 31


def validate_boundary(value: object) -> None:
    """The jurisdiction boundary is a GeoJSON Polygon or MultiPolygon geometry."""
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon geometry."))
    polygons = [value.get("coordinates")] if value["type"] == "Polygon" else value.get("coordinates")
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("The boundary has no coordinates."))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("The boundary has an empty polygon."))
        for ring in polygon:
            try:
                vertices = [(float(lat), float(lon)) for lon, lat, *_rest in ring]
                for lat, lon in vertices:
                    geo.validate_point(lat, lon)
                geo.validate_polygon(vertices, max_vertices=100_000)
            except (TypeError, ValueError) as error:
                raise ValidationError(
                    _("The boundary is not a valid polygon: %(error)s"), params={"error": error}
                ) from None


# A canvass search is for a criminal investigation; watching people exercise their rights is never one.
FORBIDDEN_PURPOSE_WORDS = (
    "protest",
    "assembly",
    "demonstration",
    "first amendment",
    "1st amendment",
    "rally",
    "free speech",
    "picket",
    "vigil",
)


def is_forbidden_purpose(text: str) -> bool:
    lowered = " ".join(str(text).lower().split())
    return any(word in lowered for word in FORBIDDEN_PURPOSE_WORDS)


def validate_allowed_purpose(value: str) -> None:
    if is_forbidden_purpose(value):
        raise ValidationError(
            _("Protests, lawful assembly and demonstrations are never an allowed purpose for a search.")
        )


class LengthUnits(models.TextChoices):
    US = units.US, "US customary (feet)"
    METRIC = units.METRIC, "Metric (metres)"


# No agency may set its default or maximum search radius above this (metres); the API documents it as the bound.
SEARCH_RADIUS_LIMIT_M = 5000


class Agency(models.Model):
    """A police department (or county service) running the program."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    boundary = models.JSONField(validators=[validate_boundary], help_text="GeoJSON Polygon or MultiPolygon")
    # Bounding box of the boundary, kept in step by agency services, to narrow
    # "which agency contains this point" before the exact polygon test.
    min_latitude = models.FloatField(default=0)
    max_latitude = models.FloatField(default=0)
    min_longitude = models.FloatField(default=0)
    max_longitude = models.FloatField(default=0)

    # Program settings (administrators edit them; defaults follow common practice).
    max_search_window_hours = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 14)]
    )
    default_search_radius_m = models.PositiveIntegerField(
        default=150, validators=[MinValueValidator(10), MaxValueValidator(SEARCH_RADIUS_LIMIT_M)]
    )
    max_search_radius_m = models.PositiveIntegerField(
        default=1500, validators=[MinValueValidator(10), MaxValueValidator(SEARCH_RADIUS_LIMIT_M)]
    )
    reconfirm_interval_months = models.PositiveIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reconfirm_grace_days = models.PositiveIntegerField(default=30, validators=[MaxValueValidator(365)])
    request_reminder_days = models.PositiveIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    request_expiry_days = models.PositiveIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    footage_retention_days_after_close = models.PositiveIntegerField(default=365, validators=[MaxValueValidator(3650)])
    stale_removal_months = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    audit_retention_days = models.PositiveIntegerField(default=3 * 365, validators=[MinValueValidator(365)])
    # A locked staff account (5 failed sign-ins) opens again by itself after this many minutes;
    # 0 keeps the CJIS default of "until an administrator releases it".
    lockout_auto_unlock_minutes = models.PositiveIntegerField(default=30, validators=[MaxValueValidator(7 * 24 * 60)])

    # Registrations rejected as spam are erased this many days after the rejection.
    rejected_removal_days = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    # Completed registrations accepted per hour from one network (client address) for this agency;
    # an administrator raises it for a registration drive with an event limit and its end time.
    registrations_per_hour_per_network = models.PositiveIntegerField(
        default=20,
        validators=[
            MinValueValidator(REGISTRATIONS_PER_HOUR_MIN),
            MaxValueValidator(REGISTRATIONS_PER_HOUR_MAX),
        ],
    )
    registration_event_limit_per_hour = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(REGISTRATIONS_PER_HOUR_MIN),
            MaxValueValidator(REGISTRATION_EVENT_PER_HOUR_MAX),
        ],
    )
    registration_event_until = models.DateTimeField(null=True, blank=True)

    # The units lengths are asked and shown in (camera range, search radius, distances); stored in metres.
    length_units = models.CharField(
        max_length=10, choices=LengthUnits.choices, default=LengthUnits.US, verbose_name="Length units"
    )

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]
        indexes = [models.Index(fields=["min_latitude", "max_latitude", "min_longitude", "max_longitude"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.max_search_radius_m and self.default_search_radius_m > self.max_search_radius_m:
            raise ValidationError(
                {"default_search_radius_m": _("The default radius cannot exceed the maximum radius.")}
            )
        self._clean_registration_event()

    def _clean_registration_event(self) -> None:
        event_limit, until = self.registration_event_limit_per_hour, self.registration_event_until
        if until is not None and event_limit is None:
            raise ValidationError(
                {"registration_event_limit_per_hour": _("Enter the event limit that applies until the end time.")}
            )
        if event_limit is not None and until is None:
            raise ValidationError(
                {"registration_event_until": _("Enter when the event ends, or clear the event limit.")}
            )
        if event_limit is not None and event_limit < self.registrations_per_hour_per_network:
            raise ValidationError(
                {
                    "registration_event_limit_per_hour": _(
                        "The event limit must be at least the everyday limit (%(everyday)s per hour)."
                    )
                    % {"everyday": self.registrations_per_hour_per_network}
                }
            )

    def registration_limit_per_hour(self, now: datetime.datetime) -> int:
        """Completed registrations accepted per hour from one network at `now`."""
        if (
            self.registration_event_limit_per_hour is not None
            and self.registration_event_until is not None
            and now < self.registration_event_until
        ):
            return max(self.registration_event_limit_per_hour, self.registrations_per_hour_per_network)
        return self.registrations_per_hour_per_network

    def current_terms(self) -> TermsVersion | None:
        return self.terms_versions.order_by("-version").first()


class TermsVersion(models.Model):
    """One published version of an agency's program terms; never edited once published."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="terms_versions")
    version = models.PositiveIntegerField()
    text_en = models.TextField()
    text_es = models.TextField(blank=True)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "version"], name="unique_terms_version")]
        ordering = ["agency", "-version"]

    def __str__(self) -> str:
        return f"{self.agency} terms v{self.version}"

    def text_for(self, language: str) -> str:
        return self.text_es if language == "es" and self.text_es else self.text_en


class OffenseType(models.Model):
    """Offense types an agency allows as the purpose of a canvass search."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="offense_types")
    name = models.CharField(max_length=100, validators=[validate_allowed_purpose])
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unique_offense_type")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
