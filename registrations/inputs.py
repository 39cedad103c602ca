"""One conversion from a form's answers to the registration service's input.

The public form and the owner's edit form both hand their cleaned answers here, so a field added to
the registration is mapped once. (The importer builds its input from spreadsheet columns through the
same RegistrationInput, with its own column mapping in front.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registrations.services.create import CameraInput, RegistrationInput

# Answers that may be left empty on the forms: copied as given, "" when missing.
OPTIONAL_TEXT = (
    "business_name",
    "unit",
    "city",
    "postal_code",
    "owner_email",
    "contact_hours",
    "alternate_name",
    "alternate_phone",
    "alternate_email",
    "alternate_relation",
    "notes_for_detectives",
)


def registration_input(
    answers: Mapping[str, Any],
    *,
    cameras: list[CameraInput],
    language: str,
    latitude: float,
    longitude: float,
    confirms_exterior_cameras: bool,
    confirms_records_and_keeps_video: bool,
    fallbacks: Mapping[str, str] | None = None,
    geocoded_latitude: float | None = None,
    geocoded_longitude: float | None = None,
    address_in_table: bool | None = None,
) -> RegistrationInput:
    """`fallbacks` fill optional answers left empty (e.g. the city found by the geocoder); the geocoded
    point and `address_in_table` are what the address lookup found (the public form only)."""
    optional: dict[str, Any] = {name: answers.get(name) or (fallbacks or {}).get(name, "") for name in OPTIONAL_TEXT}
    return RegistrationInput(
        property_type=answers["property_type"],
        street_address=answers["street_address"],
        owner_name=answers["owner_name"],
        owner_phone=answers["owner_phone"],
        preferred_contact_method=answers["preferred_contact_method"],
        latitude=latitude,
        longitude=longitude,
        confirms_exterior_cameras=confirms_exterior_cameras,
        confirms_records_and_keeps_video=confirms_records_and_keeps_video,
        language=language,
        cameras=cameras,
        geocoded_latitude=geocoded_latitude,
        geocoded_longitude=geocoded_longitude,
        address_in_table=address_in_table,
        **optional,
    )
