"""Writes for registrations. Every rule lives here (and in model validation), not in views."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, TermsVersion
from agencies.selectors import agency_for_point
from cameraregistry import geo
from cameraregistry.crypto import lookup_hash
from notifications.services import email_queue
from registrations import emails
from registrations.models import (
    Camera,
    CameraLocation,
    ConsentRecord,
    ConsentSource,
    PropertyType,
    Registration,
)
from registrations.rules import MAX_CAMERAS, MAX_PIN_CORRECTION_M
from registrations.validators import normalize_phone

# How far an owner may drag the pin from the geocoded address (large lots, rear buildings).


@dataclass
class CameraInput:
    locations: list[str]
    records_street: bool
    retention_days: int
    description: str = ""
    bearing_degrees: int | None = None
    field_of_view_degrees: int | None = None
    range_m: int | None = None
    exports_common_format: str = "unknown"
    brand: str = ""


@dataclass
class RegistrationInput:
    property_type: str
    street_address: str
    latitude: float
    longitude: float
    owner_name: str
    owner_phone: str
    confirms_exterior_cameras: bool
    confirms_records_and_keeps_video: bool
    cameras: list[CameraInput]
    business_name: str = ""
    unit: str = ""
    city: str = ""
    postal_code: str = ""
    owner_email: str = ""
    preferred_contact_method: str = "phone"
    contact_hours: str = ""
    alternate_name: str = ""
    alternate_phone: str = ""
    alternate_email: str = ""
    alternate_relation: str = ""
    notes_for_detectives: str = ""
    language: str = "en"
    geocoded_latitude: float | None = None
    geocoded_longitude: float | None = None
    # False when the address was looked up and the table does not have it (the owner placed the pin).
    address_in_table: bool | None = None
    extra: dict = field(default_factory=dict)


# NUL and other control characters have no place in a text field; newlines and tabs stay.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f]")
# Choices' `.values` builds a new list on every access; bulk imports validate many rows.
_PROPERTY_TYPES = frozenset(PropertyType.values)
_CAMERA_LOCATIONS = frozenset(CameraLocation.values)


def _clean_text(value: str) -> str:
    if value.isprintable():  # no control characters at all (the usual case): skip the regex
        return value.strip()
    return _CONTROL_CHARACTERS.sub("", value).strip()


def _check_point(latitude: object, longitude: object) -> None:
    """geo.validate_point, with plain in-range floats (every form and import row) checked inline."""
    if type(latitude) is float and type(longitude) is float and -90.0 <= latitude <= 90.0:
        if -180.0 <= longitude <= 180.0:  # NaN fails every comparison and goes the long way
            return
    geo.validate_point(latitude, longitude)


def _validate(data: RegistrationInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.confirms_exterior_cameras:
        add("confirms_exterior_cameras", _("The program is for cameras that face the outside of the property."))
    if not data.confirms_records_and_keeps_video:
        add("confirms_records_and_keeps_video", _("The program is for camera systems that record and keep video."))
    if not isinstance(data.property_type, str) or data.property_type not in _PROPERTY_TYPES:
        add("property_type", _("Choose residence or business."))
    if data.property_type == PropertyType.BUSINESS and not data.business_name:
        add("business_name", _("Enter the name of the business."))
    if not data.street_address:
        add("street_address", _("Enter the street address where the cameras are."))
    if not data.owner_name:
        add("owner_name", _("Enter your name."))
    try:
        data.owner_phone = normalize_phone(data.owner_phone)
        if not data.owner_phone:
            add("owner_phone", _("Enter a phone number so an investigator can reach you."))
    except ValidationError as error:
        add("owner_phone", error.messages[0])
    try:
        data.alternate_phone = normalize_phone(data.alternate_phone)
    except ValidationError as error:
        add("alternate_phone", error.messages[0])
    for name in ("owner_email", "alternate_email"):
        value = getattr(data, name)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                add(name, _("Enter a valid email address, like name@example.com."))
    if data.preferred_contact_method == "email" and not data.owner_email:
        add("owner_email", _("Enter an email address, or choose another way to be contacted."))
    if (data.alternate_phone or data.alternate_email or data.alternate_relation) and not data.alternate_name:
        add("alternate_name", _("Enter the alternate person's name, or leave all their details empty."))
    if data.alternate_name and not (data.alternate_phone or data.alternate_email):
        add("alternate_phone", _("Enter a phone number or email for the alternate person."))
    try:
        _check_point(data.latitude, data.longitude)
    except (TypeError, ValueError):
        add("location", _("The map location is not valid; find the address again."))
    else:
        found_latitude, found_longitude = data.geocoded_latitude, data.geocoded_longitude
        unmoved = (found_latitude, found_longitude) == (data.latitude, data.longitude)  # an unmoved pin moved 0 m
        if found_latitude is not None and found_longitude is not None and not unmoved:
            moved = geo.distance_m(found_latitude, found_longitude, data.latitude, data.longitude)
            if moved > MAX_PIN_CORRECTION_M:
                add(
                    "location",
                    _("The pin is too far from the address (more than %(limit)d m); place it on the property.")
                    % {"limit": MAX_PIN_CORRECTION_M},
                )
    if not data.cameras:
        add("cameras", _("Add at least one camera."))
    if len(data.cameras) > MAX_CAMERAS:
        add(
            "cameras",
            _("Register at most %(limit)d cameras here; describe the rest in the notes.") % {"limit": MAX_CAMERAS},
        )
    for index, camera in enumerate(data.cameras, start=1):
        prefix = f"camera {index}"
        if not camera.locations:
            add(prefix, _("Camera %(number)d: choose where on the property it is.") % {"number": index})
        elif any(not isinstance(location, str) or location not in _CAMERA_LOCATIONS for location in camera.locations):
            add(prefix, _("Camera %(number)d: unknown location.") % {"number": index})
        if not isinstance(camera.retention_days, int) or not 1 <= camera.retention_days <= 365:
            add(prefix, _("Camera %(number)d: days of footage kept must be between 1 and 365.") % {"number": index})
        if camera.bearing_degrees is not None and not 0 <= camera.bearing_degrees <= 359:
            add(prefix, _("Camera %(number)d: direction must be between 0 and 359 degrees.") % {"number": index})
        if camera.field_of_view_degrees is not None and not 1 <= camera.field_of_view_degrees <= 360:
            add(prefix, _("Camera %(number)d: field of view must be between 1 and 360 degrees.") % {"number": index})
        if camera.range_m is not None and not 1 <= camera.range_m <= 300:
            add(prefix, _("Camera %(number)d: range must be between 1 and 300 metres.") % {"number": index})
    return errors


def registration_input_errors(data: RegistrationInput) -> dict[str, list[str]]:
    """Clean the text fields in place and return field -> messages; bulk imports reuse the form's rules."""
    for name, value in vars(data).items():
        if isinstance(value, str) and (cleaned := _clean_text(value)) is not value:
            setattr(data, name, cleaned)
    for camera in data.cameras:
        camera.description = _clean_text(camera.description)
        camera.brand = _clean_text(camera.brand)
    return _validate(data)


class RegistrationRejected(ValidationError):
    """Field name -> messages; `agency` is the department the address falls in, when known."""

    def __init__(self, message, agency=None):
        super().__init__(message)
        self.agency = agency


@transaction.atomic
def registration_create(
    *,
    data: RegistrationInput,
    terms: TermsVersion | None,
    consent_source: str = ConsentSource.WEB_FORM,
    submission_nonce: str | None = None,
    status: str | None = None,
) -> Registration:
    """Create a registration with its cameras and consent record, or nothing at all.

    Raises RegistrationRejected with a field -> messages dict. The point decides the
    agency; a point outside every jurisdiction is refused.
    """
    agency, errors = _serving_agency_and_errors(data, terms)
    if errors or agency is None or terms is None:  # no agency or no terms is always among the errors
        raise RegistrationRejected(errors, agency=agency)
    now = timezone.now()
    registration = _new_registration(data, agency, now, submission_nonce)
    if status:
        registration.status = status
    try:
        registration.full_clean(exclude=["submission_nonce"])
    except ValidationError as error:
        raise RegistrationRejected(error.message_dict) from None
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        raise RegistrationRejected({"__all__": [_("This form was already submitted.")]}) from None
    cameras = [_new_camera(registration, camera) for camera in data.cameras]
    for camera in cameras:
        camera.full_clean(exclude=["registration"])
    Camera.objects.bulk_create(cameras)
    ConsentRecord.objects.create(
        registration=registration,
        terms_version=terms,
        accepted_at=now,
        source=consent_source,
        language=registration.language,
    )
    if registration.owner_email:
        email_queue(template=emails.CONFIRMATION, registration=registration, language=registration.language)
    return registration


def _serving_agency_and_errors(data: RegistrationInput, terms: TermsVersion | None) -> tuple[Agency | None, dict]:
    """The agency whose jurisdiction holds the point, and every problem with the input and the consent."""
    errors = registration_input_errors(data)
    agency = None
    if "location" not in errors:
        agency = agency_for_point(data.latitude, data.longitude)
        if agency is None:
            errors.setdefault("street_address", []).append(
                _("This address is outside the area served by the departments in this registry.")
            )
    if agency is not None:
        current = agency.current_terms()
        if current is None:
            errors.setdefault("consent", []).append(_("This department has not published its program terms yet."))
        elif terms is None or terms.pk != current.pk:
            # Consent counts only for the terms the owner was shown: the current ones of the serving agency.
            errors.setdefault("consent", []).append(
                _("This address is served by %(agency)s. Read its program terms below and agree to them.")
                % {"agency": agency.name}
            )
    return agency, errors


def _new_registration(
    data: RegistrationInput, agency: Agency | None, now: datetime, submission_nonce: str | None
) -> Registration:
    return Registration(
        agency=agency,
        property_type=data.property_type,
        business_name=data.business_name if data.property_type == PropertyType.BUSINESS else "",
        street_address=data.street_address,
        unit=data.unit,
        city=data.city,
        postal_code=data.postal_code,
        latitude=data.latitude,
        longitude=data.longitude,
        location_corrected=(
            data.geocoded_latitude is not None
            and (data.geocoded_latitude, data.geocoded_longitude) != (data.latitude, data.longitude)
        ),
        address_not_in_table=data.address_in_table is False,
        owner_name=data.owner_name,
        owner_phone=data.owner_phone,
        owner_email=data.owner_email.lower(),
        owner_email_hash=lookup_hash(data.owner_email),
        preferred_contact_method=data.preferred_contact_method,
        contact_hours=data.contact_hours,
        alternate_name=data.alternate_name,
        alternate_phone=data.alternate_phone,
        alternate_email=data.alternate_email.lower(),
        alternate_relation=data.alternate_relation,
        confirms_exterior_cameras=True,
        confirms_records_and_keeps_video=True,
        notes_for_detectives=data.notes_for_detectives,
        language=data.language if data.language in ("en", "es") else "en",
        last_confirmed_at=now,
        submission_nonce=submission_nonce,
    )


def _new_camera(registration: Registration, camera: CameraInput) -> Camera:
    return Camera(
        registration=registration,
        locations=sorted(set(camera.locations)),
        records_street=camera.records_street,
        description=camera.description,
        bearing_degrees=camera.bearing_degrees,
        field_of_view_degrees=camera.field_of_view_degrees,
        range_m=camera.range_m,
        retention_days=camera.retention_days,
        exports_common_format=camera.exports_common_format,
        brand=camera.brand,
    )
