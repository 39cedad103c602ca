from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Floor
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cameraregistry.crypto import EncryptedTextField


class AddressPoint(models.Model):
    """One known address with its map point: the local geocoder's table."""

    address = models.CharField(max_length=200)
    normalized = models.CharField(max_length=200, db_index=True)
    house_number = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=150, blank=True, db_index=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    source = models.CharField(max_length=60, blank=True)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.address


class PropertyType(models.TextChoices):
    RESIDENCE = "residence", _("Residence")
    BUSINESS = "business", _("Business")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")


# Canvass searches narrow by latitude strip, then by longitude inside each strip (one index range per strip):
# 200 strips per degree are about 555 m tall, so a 500 m search reads two or three short ranges of the index.
LATITUDE_STRIPS_PER_DEGREE = 200


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused by owner")
    STALE = "stale", _("Not re-confirmed")
    REJECTED = "rejected", _("Rejected")


class Registration(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)

    property_type = models.CharField(max_length=20, choices=PropertyType.choices, default=PropertyType.RESIDENCE)
    business_name = models.CharField(max_length=200, blank=True)
    street_address = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    # True when the owner moved the pin away from the geocoded point.
    location_corrected = models.BooleanField(default=False)
    # True when the address was not in the address table and the owner placed the pin: staff check the pin.
    address_not_in_table = models.BooleanField(default=False, db_default=False)

    # Contact details are personal data: encrypted at rest, looked up by keyed hash.
    owner_name = EncryptedTextField()
    owner_phone = EncryptedTextField()
    owner_email = EncryptedTextField(blank=True)
    owner_email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    preferred_contact_method = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    contact_hours = models.CharField(max_length=200, blank=True)

    alternate_name = EncryptedTextField(blank=True)
    alternate_phone = EncryptedTextField(blank=True)
    alternate_email = EncryptedTextField(blank=True)
    alternate_relation = models.CharField(max_length=100, blank=True)

    confirms_exterior_cameras = models.BooleanField(default=False)
    confirms_records_and_keeps_video = models.BooleanField(default=False)
    notes_for_detectives = models.TextField(blank=True)
    language = models.CharField(max_length=5, choices=[("en", "English"), ("es", "Español")], default="en")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Set by the owner's own edits; the verification queue lists changes made after verified_at.
    owner_changed_at = models.DateTimeField(null=True, blank=True)
    owner_changes = models.JSONField(
        default=list, null=True, blank=True, help_text="Names of fields the owner changed since the last verification"
    )
    last_confirmed_at = models.DateTimeField(db_index=True)
    # Set on the public form; a second submit of the same form finds this row instead of duplicating it.
    submission_nonce = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["latitude", "longitude"]),
            models.Index(fields=["agency", "status"]),
            # Also holds every registration column a canvass search reads, so the search never visits the table.
            models.Index(
                Floor(F("latitude") * LATITUDE_STRIPS_PER_DEGREE),
                F("longitude"),
                F("latitude"),
                F("status"),
                F("agency"),
                F("verified_at"),
                F("last_confirmed_at"),
                F("id"),
                name="registration_canvass_strip",
            ),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.street_address} ({self.get_status_display()})"

    @property
    def display_name(self) -> str:
        return self.business_name or self.street_address


class CameraLocation(models.TextChoices):
    FRONT = "front", _("Front")
    BACK = "back", _("Back")
    SIDE = "side", _("Side")
    DRIVEWAY = "driveway", _("Driveway")
    GARAGE = "garage", _("Garage")
    ALLEY = "alley", _("Alley")
    PARKING_LOT = "parking_lot", _("Parking lot")
    ENTRANCE = "entrance", _("Entrance")
    OTHER = "other", _("Other")


def location_labels(locations: Iterable[str]) -> str:
    """The owner's ticked locations in words: "Front, Driveway"."""
    labels = dict(CameraLocation.choices)
    return ", ".join(str(labels.get(value, value)) for value in locations) or gettext("location not given")


def title_of(where: str, description: str) -> str:
    """A camera's title from its worded locations (location_labels) and the owner's description."""
    return f"{where} — {description}" if description else where


class ExportFormat(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("I don't know")


class Camera(models.Model):
    """One camera, or a group of cameras covering the same view."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="cameras")
    locations = models.JSONField(default=list, help_text="List of CameraLocation values")
    records_street = models.BooleanField(default=False)
    description = models.CharField(max_length=300, blank=True)
    bearing_degrees = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(359)])
    field_of_view_degrees = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    range_m = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    retention_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(365)])
    exports_common_format = models.CharField(max_length=10, choices=ExportFormat.choices, default=ExportFormat.UNKNOWN)
    brand = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # Covers the canvass candidate query's join (canvass.candidates.FACT_COLUMNS): a search reads each
            # camera's ranking facts from this index alone, on SQLite and PostgreSQL (a plain composite index,
            # since INCLUDE columns exist only on PostgreSQL).
            models.Index(
                fields=[
                    "registration",
                    "id",
                    "records_street",
                    "bearing_degrees",
                    "field_of_view_degrees",
                    "range_m",
                    "retention_days",
                ],
                name="camera_ranking_facts",
            ),
        ]

    def __str__(self) -> str:
        """What the owner calls it, as every page words it: "Alley, Entrance — the loading dock"."""
        return title_of(location_labels(self.locations or ()), self.description)


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Public registration form")
    SELF_SERVICE = "self_service", _("Owner self-service")
    IMPORT = "import", _("Imported from an earlier program")
    STAFF = "staff", _("Entered by staff from a signed paper form")


class ConsentRecord(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="consents")
    terms_version = models.ForeignKey("agencies.TermsVersion", on_delete=models.PROTECT, related_name="consents")
    accepted_at = models.DateTimeField()
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    language = models.CharField(max_length=5, default="en")

    class Meta:
        ordering = ["-accepted_at"]


class OwnerAccessToken(models.Model):
    """A private link for an owner. Only the token's SHA-256 is stored."""

    class Purpose(models.TextChoices):
        MANAGE = "manage", "Manage registration"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="access_tokens")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.MANAGE)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class RegistrationTombstone(models.Model):
    """What is left of a removed registration for mirrors: its random public id, agency, when and why.

    Nothing else on purpose (no address, point or name): the sync feed shows it as an id-only tombstone
    until administration.services.purge_expired drops it after REGISTRATION_TOMBSTONE_DAYS.
    """

    class Reason(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Withdrawn by the owner")
        PURGED = "purged", _("Removed by the retention rules")
        MERGED = "merged", _("Merged into another registration")

    public_id = models.UUIDField(unique=True, editable=False)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    removed_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)

    def __str__(self) -> str:
        return f"{self.public_id} ({self.reason})"
