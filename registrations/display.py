"""A camera and a registration in the words people use, for every page that shows them.

The owner's summary and the staff registration page show the same facts the same way:
"Front, Driveway", "faces west (270°)", "keeps video 14 days". Labels are translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cameraregistry import units
from registrations.models import Camera, CameraLocation, ExportFormat, PropertyType, Registration

_COMPASS = (
    lambda: _("north"),
    lambda: _("north-east"),
    lambda: _("east"),
    lambda: _("south-east"),
    lambda: _("south"),
    lambda: _("south-west"),
    lambda: _("west"),
    lambda: _("north-west"),
)


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


def compass_word(bearing: int) -> str:
    """0° north, 90° east…: the nearest of the eight compass points, translated."""
    return _COMPASS[round((bearing % 360) / 45) % 8]()


def facing(bearing: int | None) -> str:
    if bearing is None:
        return _("direction not given")
    return _("faces %(direction)s (%(degrees)s°)") % {"direction": compass_word(bearing), "degrees": bearing}


def location_words(camera: Camera) -> str:
    labels = dict(CameraLocation.choices)
    return ", ".join(str(labels.get(value, value)) for value in camera.locations) or _("location not given")


def camera_title(camera: Camera) -> str:
    """What an owner calls the camera: where it is, then what they wrote about it."""
    where = location_words(camera)
    return f"{where} — {camera.description}" if camera.description else where


def camera_facts(camera: Camera, length_units: str | None = None) -> list[Fact]:
    """The camera's facts; lengths in `length_units`, by default its registration's agency's units."""
    length_units = length_units or camera.registration.agency.length_units
    facts = [
        Fact(_("Where"), location_words(camera)),
        Fact(_("Direction"), facing(camera.bearing_degrees)),
        Fact(_("Records the street"), _("Yes") if camera.records_street else _("No")),
    ]
    if camera.description:
        facts.append(Fact(_("What it sees"), camera.description))
    if camera.field_of_view_degrees is not None:
        facts.append(Fact(_("Field of view"), f"{camera.field_of_view_degrees}°"))
    if camera.range_m is not None:
        facts.append(Fact(_("Range"), units.format_length(camera.range_m, length_units)))
    days = camera.retention_days
    facts.append(Fact(_("Keeps video"), ngettext("%(days)s day", "%(days)s days", days) % {"days": days}))
    formats = dict(ExportFormat.choices)
    facts.append(Fact(_("Exports video in a common format"), str(formats.get(camera.exports_common_format, ""))))
    if camera.brand:
        facts.append(Fact(_("System or brand"), camera.brand))
    return facts


def cameras_with_facts(registration: Registration) -> list[tuple[Camera, str, list[Fact]]]:
    length_units = registration.agency.length_units
    return [(camera, camera_title(camera), camera_facts(camera, length_units)) for camera in registration.cameras.all()]


def is_business(registration: Registration) -> bool:
    return registration.property_type == PropertyType.BUSINESS
