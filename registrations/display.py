"""A camera and a registration in the words people use, for every page that shows them.

The owner's summary and the staff registration page show the same facts the same way:
"Front, Driveway", "faces west (270°)", "keeps video 14 days". Labels are translated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cameraregistry import units
from registrations.models import Camera, ExportFormat, PropertyType, Registration, location_labels, title_of

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


def _compass_index(bearing: int) -> int:
    return round((bearing % 360) / 45) % 8


def compass_word(bearing: int) -> str:
    """0° north, 90° east…: the nearest of the eight compass points, translated."""
    return _COMPASS[_compass_index(bearing)]()


def facing_wording() -> tuple[str, tuple[str, ...]]:
    """What facing() says, in the active language: its sentence and the eight compass points (to word many
    bearings with one set of translation lookups)."""
    return _("faces %(direction)s (%(degrees)s°)"), tuple(word() for word in _COMPASS)


def facing(bearing: int | None, wording: tuple[str, tuple[str, ...]] | None = None) -> str:
    if bearing is None:
        return _("direction not given")
    if wording is None:
        return _("faces %(direction)s (%(degrees)s°)") % {"direction": compass_word(bearing), "degrees": bearing}
    sentence, compass = wording
    return sentence % {"direction": compass[_compass_index(bearing)], "degrees": bearing}


def location_words(camera: Camera) -> str:
    return location_labels(camera.locations)


def title_words(locations: Iterable[str], description: str) -> str:
    """Where the camera is, then what the owner wrote about it: "Front, Porch — the roadway at 10300 Roosevelt"."""
    return title_of(location_labels(locations), description)


def camera_title(camera: Camera) -> str:
    """What an owner calls the camera: where it is, then what they wrote about it."""
    return title_words(camera.locations, camera.description)


def days_kept(days: int) -> str:
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


# The form asks "Can you export clips as ordinary video files (e.g. MP4 that plays in Windows Media Player)?";
# the answer in words an officer at the door can act on.
_EXPORT_ANSWERS = {
    ExportFormat.YES: lambda: _("Yes: exports ordinary video files (MP4, plays in Windows Media Player)"),
    ExportFormat.NO: lambda: _("No: cannot export ordinary video files"),
    ExportFormat.UNKNOWN: lambda: _("Owner does not know whether it exports ordinary video files"),
}


def export_answer(value: str) -> str:
    """The owner's answer to the export question, in words."""
    answer = _EXPORT_ANSWERS.get(value) or _EXPORT_ANSWERS[ExportFormat.UNKNOWN]
    return answer()


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
    facts.append(Fact(_("Keeps video"), days_kept(camera.retention_days)))
    facts.append(Fact(_("Video export"), export_answer(camera.exports_common_format)))
    if camera.brand:
        facts.append(Fact(_("System or brand"), camera.brand))
    return facts


def cameras_with_facts(registration: Registration) -> list[tuple[Camera, str, list[Fact]]]:
    length_units = registration.agency.length_units
    return [(camera, camera_title(camera), camera_facts(camera, length_units)) for camera in registration.cameras.all()]


def is_business(registration: Registration) -> bool:
    return registration.property_type == PropertyType.BUSINESS
