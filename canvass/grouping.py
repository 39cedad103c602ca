"""Ranked cameras grouped into addresses, with true verdicts in words; pure functions over a SearchResult.

One row per registration (address), ranked by its best camera; its cameras inside, best first.
A camera that points at the place but whose stated range falls short "might" have seen it
(beyond its stated range): it does not "face away".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from cameraregistry import geo, units
from cameraregistry.geo.angles import angle_gap
from cameraregistry.geo.plane import LocalPlane
from canvass import ranking
from canvass.candidates import CameraDetails
from registrations import display

SEES, MIGHT, AWAY, UNKNOWN = "sees", "might", "away", "unknown"

VERDICT_WORDS = {
    SEES: "Sees it",
    MIGHT: "Points this way, beyond its stated range",
    AWAY: "Faces away",
    UNKNOWN: "Direction unknown",
}


# Within this many degrees of a cone's edge the plane's bearing defers to the exact geodesic one. Inside a search
# area (a few km) the plane's bearing from a camera to the place is off by hundredths of a degree.
_BEARING_MARGIN_DEG = 1.0


def _bearing_toward(camera, place: tuple[float, float], plane: LocalPlane | None) -> tuple[float, bool]:
    """The bearing from the camera to the place, and whether it is the exact one (else within the margin)."""
    if plane is None:
        return geo.initial_bearing_deg(camera.latitude, camera.longitude, place[0], place[1]), True
    x, y = plane.project(camera.latitude, camera.longitude)
    if x == 0.0 and y == 0.0:
        return geo.initial_bearing_deg(camera.latitude, camera.longitude, place[0], place[1]), True
    return math.degrees(math.atan2(-x, -y)) % 360.0, False


def verdict(item: ranking.RankedCamera, place: tuple[float, float], plane: LocalPlane | None = None) -> str:
    """sees / might (points at the place, beyond its stated range) / away / unknown direction.

    `plane` (centred on `place`) makes the bearing test cheap; near a cone's edge the exact geodesic decides.
    """
    camera = item.camera
    if item.sees_incident is None or not camera.has_view_cone:
        return UNKNOWN
    if item.sees_incident:
        return SEES
    if item.distance_m <= float(camera.range_m or 0):
        return AWAY
    half = (camera.field_of_view_degrees or 0) / 2
    toward, exact = _bearing_toward(camera, place, plane)
    gap = angle_gap(float(camera.bearing_degrees), toward)
    if not exact and abs(gap - half) <= _BEARING_MARGIN_DEG:
        toward = geo.initial_bearing_deg(camera.latitude, camera.longitude, place[0], place[1])
        gap = angle_gap(float(camera.bearing_degrees), toward)
    return MIGHT if gap <= half else AWAY


# The owner's words come from registrations.display, the same wording the owner and staff pages use.
def facing_words(bearing: int | None) -> str:
    return display.facing(bearing)


def location_words(locations) -> str:
    return display.location_labels(locations)


def camera_title(detail: CameraDetails) -> str:
    """What the owner calls the camera: "Front, Porch — the roadway at 10300 Roosevelt"."""
    return display.title_words(detail.locations, detail.description)


def export_words(value: str) -> str:
    return display.export_answer(value)


def days_words(days: int) -> str:
    return display.days_kept(days)


class Words:
    """The owner's words for the rows of one grouping (one request, so one language): each distinct value is
    worded once. A page of results repeats a few location sets, bearings and retention periods across hundreds
    of cameras, and each wording is several translation lookups."""

    def __init__(self) -> None:
        self._locations: dict[tuple[str, ...], str] = {}
        self._facing: dict[int | None, str] = {}
        self._days: dict[int, str] = {}
        self._exports: dict[str, str] = {}
        self._facing_wording: tuple[str, tuple[str, ...]] | None = None

    def title(self, detail: CameraDetails) -> str:
        where = self._locations.get(detail.locations)
        if where is None:
            where = self._locations[detail.locations] = location_words(detail.locations)
        return display.title_of(where, detail.description)

    def facing(self, bearing: int | None) -> str:
        words = self._facing.get(bearing)
        if words is None:
            if self._facing_wording is None:
                self._facing_wording = display.facing_wording()
            words = self._facing[bearing] = display.facing(bearing, self._facing_wording)
        return words

    def days(self, days: int) -> str:
        words = self._days.get(days)
        if words is None:
            words = self._days[days] = days_words(days)
        return words

    def export(self, value: str) -> str:
        words = self._exports.get(value)
        if words is None:
            words = self._exports[value] = export_words(value)
        return words


@dataclass(eq=False)
class CameraRow:
    item: ranking.RankedCamera
    detail: CameraDetails
    # The incident place, and the plane centred on it, for the verdict (worked out when first read: an API page
    # shows a few hundred cameras of thousands).
    place: tuple[float, float]
    plane: LocalPlane | None = None
    chosen: bool = False
    words: Words = field(default_factory=Words)

    @cached_property
    def verdict(self) -> str:
        return verdict(self.item, self.place, self.plane)

    @property
    def verdict_words(self) -> str:
        return VERDICT_WORDS[self.verdict]

    @cached_property
    def title(self) -> str:
        return self.words.title(self.detail)

    @property
    def facing(self) -> str:
        return self.words.facing(self.item.camera.bearing_degrees)

    @property
    def export_format(self) -> str:
        return self.words.export(self.detail.exports_common_format)

    @property
    def kept(self) -> str:
        return self.words.days(self.item.camera.retention_days)

    @property
    def brand(self) -> str:
        return self.detail.brand

    def range_words(self, length_units: str) -> str:
        metres = self.item.camera.range_m
        return units.format_length(metres, length_units) if metres else "range not given"

    def summary(self, length_units: str) -> str:
        """The camera in one line of words, for a spreadsheet cell."""
        parts = [
            self.title,
            self.verdict_words,
            self.facing,
            f"range {self.range_words(length_units)}",
            f"keeps video {self.kept}",
            self.export_format,
        ]
        if self.brand:
            parts.append(f"system {self.brand}")
        return "; ".join(parts)


@dataclass
class AddressRow:
    rank: int
    registration_id: int
    cameras: list[CameraRow] = field(default_factory=list)
    # The owner's notes for detectives, read separately (selectors.detective_notes) for the rows shown.
    notes: str = ""

    @property
    def best(self) -> CameraRow:
        return self.cameras[0]

    @property
    def detail(self) -> CameraDetails:
        return self.best.detail

    @property
    def address(self) -> str:
        return self.detail.address

    @property
    def brands(self) -> str:
        """The systems the owner named, each once, in the order of the cameras."""
        return ", ".join(dict.fromkeys(row.brand for row in self.cameras if row.brand))

    @property
    def export_formats(self) -> str:
        return "; ".join(dict.fromkeys(row.export_format for row in self.cameras))

    @property
    def urgent(self) -> bool:
        return any(row.item.urgent for row in self.cameras)

    @property
    def any_kept(self) -> bool:
        return any(row.item.footage_likely_kept for row in self.cameras)


def group_by_address(result, chosen_ids: frozenset[int] | set[int] = frozenset()) -> list[AddressRow]:
    """One row per registration in the order of its best camera; cameras without details are left out."""
    return _address_rows(result, result.details, chosen_ids)


def registration_order(result) -> list[int]:
    """The result's registrations in the order of their best camera: the addresses' order, from the ranking
    alone (no details read)."""
    return list(dict.fromkeys(item.camera.registration_id for item in result.ranked))


def address_page(
    result, ranks: dict[int, int], details, chosen_ids: frozenset[int] | set[int] = frozenset()
) -> list[AddressRow]:
    """The rows of some addresses only (one page): `ranks` maps each registration shown to its rank among all
    (registration_order), `details` holds at least their cameras. As group_by_address would number them."""
    return sorted(_address_rows(result, details, chosen_ids, ranks), key=lambda row: row.rank)


def _address_rows(result, details, chosen_ids, ranks: dict[int, int] | None = None) -> list[AddressRow]:
    """Rows in the order of each registration's first camera with details; numbered 1, 2, … or, given `ranks`,
    only the registrations it names, numbered as it says."""
    place = result.area.place
    plane = LocalPlane(*place)
    words = Words()
    rows: dict[int, AddressRow] = {}
    for item in result.ranked:
        key = item.camera.registration_id
        if ranks is not None and key not in ranks:
            continue
        camera_id = item.camera.camera_id
        detail = details.get(camera_id)
        if detail is None:
            continue
        row = rows.get(key)
        if row is None:
            rank = len(rows) + 1 if ranks is None else ranks[key]
            row = rows[key] = AddressRow(rank=rank, registration_id=key)
        row.cameras.append(CameraRow(item, detail, place, plane, camera_id in chosen_ids, words))
    return list(rows.values())


def with_notes(rows: list[AddressRow], notes: dict[int, str]) -> list[AddressRow]:
    for row in rows:
        row.notes = notes.get(row.registration_id, "")
    return rows
