"""How likely each camera is to have seen the incident, as pure functions over plain data.

The database only narrows candidates to a box; everything here decides. A fast
local plane centred on the incident gives distances good to well under a metre
inside a search area. Whenever a decision is within a few metres of a
boundary, the azimuthal equidistant plane (distances from the incident good to
millimetres) settles it, and only within its error bound do the exact geodesic
functions of cameraregistry.geo, so the planes only save time and never change
an answer.

Every point a camera earns is recorded as a Reason, so the results page can say
why a camera ranks where it does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cached_property, lru_cache

from django.utils import timezone

from cameraregistry import geo, units
from cameraregistry.gc_pause import cyclic_gc_paused
from cameraregistry.geo.plane import LocalPlane, azimuthal_error_bound_m
from cameraregistry.geo.polygons import OUTSIDE, locate, polygon_ring
from cameraregistry.geo.routes import route_points
from cameraregistry.geo.validation import validate_point
from cameraregistry.wall_clock import days_later_on_the_clock

LatLon = tuple[float, float]

RADIUS, POLYGON, ROUTE = "radius", "polygon", "route"

# Within this many metres of a boundary the local plane defers to exact geodesics.
PLANE_MARGIN_M = 3.0
# A drawn route is a rough line along a street: a view cone this close to it counts as seeing it.
ROUTE_VIEW_TOLERANCE_M = 10.0
# Footage overwritten within this many days of now is urgent to request.
URGENT_DAYS = 3
# A registration confirmed longer ago than this may describe cameras that changed.
FRESH_CONFIRMATION_DAYS = 365

SCORE_SEES_PLACE = 40.0
SCORE_DIRECTION_UNKNOWN = 15.0
SCORE_RECORDS_STREET = 10.0
SCORE_DISTANCE_MAX = 20.0
# Distance points halve at this distance: near matters, but a facing camera beats a nearer blind one.
DISTANCE_HALF_SCORE_M = 50.0
SCORE_FOOTAGE_KEPT = 20.0
SCORE_FOOTAGE_GONE = -30.0
SCORE_URGENT = 5.0
SCORE_VERIFIED = 5.0
SCORE_RECENTLY_CONFIRMED = 5.0


# Not frozen: a frozen dataclass costs several microseconds per instance, and a search builds thousands.
@dataclass(eq=False)
class CameraFacts:
    """What the registry knows about one camera and its registration."""

    camera_id: int
    registration_id: int
    latitude: float
    longitude: float
    retention_days: int
    records_street: bool = False
    bearing_degrees: int | None = None
    field_of_view_degrees: int | None = None
    range_m: int | None = None
    verified: bool = False
    last_confirmed_at: datetime | None = None

    @property
    def has_view_cone(self) -> bool:
        return self.bearing_degrees is not None and bool(self.field_of_view_degrees) and bool(self.range_m)


@dataclass(frozen=True)
class SearchArea:
    """The incident place and the area around it; vertices are (lat, lon) and already validated."""

    kind: str
    place: LatLon
    radius_m: float = 0.0
    vertices: tuple[LatLon, ...] = ()
    corridor_m: float = 0.0


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    points: float


@dataclass(eq=False)
class RankedCamera:
    camera: CameraFacts
    score: float
    distance_m: float
    # True: its view cone covers the place or crosses the route; False: it faces away; None: direction unknown.
    sees_incident: bool | None
    footage_likely_kept: bool
    overwritten_after: datetime
    urgent: bool
    area_kind: str = RADIUS
    confirmed_days_ago: int | None = None
    # The units the "why" text gives distances in (set by the page or export before reasons are read).
    length_units: str = units.METRIC

    @cached_property
    def reasons(self) -> tuple[Reason, ...]:
        """Why the camera scored what it did; the points add up to its score.

        Worded only when asked for: a search ranks thousands of cameras, a page shows a few hundred.
        """
        return tuple(_reasons(self))


class AreaTest:
    """Answers "is this point in the area, and how far from the incident" for one search."""

    def __init__(self, area: SearchArea) -> None:
        self.area = area
        self.plane = LocalPlane(*area.place)
        self.route = route_points(area.vertices) if area.kind == ROUTE else []
        # What point_in_polygon would rebuild from the vertices for every camera.
        self.ring = polygon_ring(area.vertices) if area.kind == POLYGON else []
        xy = [self.plane.project(lat, lon) for lat, lon in self.route]
        # Each leg as (start, direction, squared length), worked out once rather than per camera.
        self.legs = [
            (ax, ay, bx - ax, by - ay, (bx - ax) ** 2 + (by - ay) ** 2)
            for (ax, ay), (bx, by) in zip(xy, xy[1:], strict=False)
        ]

    def _approximate_distance(self, lat: float, lon: float) -> float:
        x, y = self.plane.project(lat, lon)
        if self.area.kind != ROUTE:
            return math.hypot(x, y)
        best = math.inf
        for ax, ay, dx, dy, length2 in self.legs:
            t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2)) if length2 else 0.0
            best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
        return best

    def _edge_distance(self, lat: float, lon: float, limit: float) -> float:
        if self.area.kind == RADIUS:
            # A geodesic solution costs twenty times the azimuthal plane, and a
            # large radius puts many cameras within the first-order margin.
            distance = math.hypot(*self.plane.project_azimuthal(lat, lon))
            if abs(distance - limit) > azimuthal_error_bound_m(distance):
                return distance
        if self.area.kind == ROUTE:
            return geo.distance_to_polyline_m(lat, lon, self.area.vertices)
        return geo.distance_m(*self.area.place, lat, lon)

    def measure(self, lat: float, lon: float) -> float | None:
        """Distance from the incident (place, or route) in metres when the point is in the area, else None."""
        kind = self.area.kind
        distance = self._approximate_distance(lat, lon)
        if kind == POLYGON:
            return distance if locate(*validate_point(lat, lon), self.ring) != OUTSIDE else None
        limit = self.area.radius_m if kind == RADIUS else self.area.corridor_m
        if distance > limit + PLANE_MARGIN_M:
            return None
        if distance >= limit - PLANE_MARGIN_M:
            distance = self._edge_distance(lat, lon, limit)
            if distance > limit:
                return None
        return distance

    def sees_incident(self, camera: CameraFacts, distance_m: float) -> bool | None:
        if not camera.has_view_cone:
            return None
        reach = float(camera.range_m or 0)
        slack = ROUTE_VIEW_TOLERANCE_M if self.area.kind == ROUTE else 0.0
        if distance_m > reach + slack + PLANE_MARGIN_M:
            return False
        cone = (camera.latitude, camera.longitude, camera.bearing_degrees, camera.field_of_view_degrees, reach)
        if self.area.kind == ROUTE:
            return geo.cone_intersects_route(*cone, self.route, ROUTE_VIEW_TOLERANCE_M)
        return geo.point_in_cone(*cone, *self.area.place)


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _distance_words(ranked: RankedCamera) -> str:
    chosen = ranked.length_units if ranked.length_units in units.UNITS else units.METRIC
    # Rounded as the rest of the page says lengths (feet to the nearest 5): "about 655 ft away" and "655 ft from
    # the place", never 655 and 657 for the same camera.
    return f"{units.rounded(ranked.distance_m, chosen):,} {units.unit_symbol(chosen)}"


@lru_cache(maxsize=512)
def _local_minute(moment: datetime, zone: tzinfo) -> str:
    """timezone.localtime(moment) to the minute; a search's cameras share a few moments (one per retention)."""
    return f"{timezone.localtime(moment, zone):%Y-%m-%d %H:%M}"


def _reasons(ranked: RankedCamera) -> list[Reason]:
    camera = ranked.camera
    target = "the route" if ranked.area_kind == ROUTE else "the place"
    distance = Reason("distance", f"{_distance_words(ranked)} from {target}.", _distance_points(ranked.distance_m))
    # Investigators read times in the agency's local time, like the search window they typed.
    after = _reasons_after_distance(
        camera.retention_days,
        ranked.overwritten_after,
        timezone.get_current_timezone(),
        ranked.footage_likely_kept,
        ranked.urgent,
        camera.verified,
        ranked.confirmed_days_ago,
    )
    return [*_reasons_before_distance(ranked.sees_incident, ranked.area_kind, camera.records_street), distance, *after]


# Only the distance differs from camera to camera: the other reasons of a search's cameras take a few values
# each, so each combination is worded once (Reason is frozen, so cameras can share them).
@lru_cache(maxsize=256)
def _reasons_before_distance(sees_incident: bool | None, area_kind: str, records_street: bool) -> tuple[Reason, ...]:
    target = "the route" if area_kind == ROUTE else "the place"
    if sees_incident is True:
        verb = "crosses" if area_kind == ROUTE else "covers"
        first = Reason("sees", f"Its view cone {verb} {target}.", SCORE_SEES_PLACE)
    elif sees_incident is False:
        first = Reason("faces_away", f"Its view cone does not reach {target}.", 0.0)
    else:
        first = Reason("direction_unknown", "Direction not given: it may see the place.", SCORE_DIRECTION_UNKNOWN)
    if records_street:
        return (first, Reason("records_street", "Records street traffic.", SCORE_RECORDS_STREET))
    return (first,)


@lru_cache(maxsize=1024)
def _reasons_after_distance(
    retention_days: int,
    overwritten_after: datetime,
    zone: tzinfo,
    kept: bool,
    urgent: bool,
    verified: bool,
    age: int | None,
) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    keeps = _days(retention_days)
    when = _local_minute(overwritten_after, zone)
    if kept:
        reasons.append(
            Reason("footage_kept", f"Keeps {keeps}: footage probably kept until {when}.", SCORE_FOOTAGE_KEPT)
        )
        if urgent:
            reasons.append(Reason("urgent", "Urgent: ask before the footage is overwritten.", SCORE_URGENT))
    else:
        reasons.append(
            Reason("footage_gone", f"Keeps {keeps}: footage probably overwritten after {when}.", SCORE_FOOTAGE_GONE)
        )
    if verified:
        reasons.append(Reason("verified", "Registration verified by the department.", SCORE_VERIFIED))
    else:
        reasons.append(Reason("unverified", "Registration not verified yet.", 0.0))
    if age is not None:
        if age <= FRESH_CONFIRMATION_DAYS:
            reasons.append(
                Reason("confirmed", f"Owner confirmed the details {_days(age)} ago.", SCORE_RECENTLY_CONFIRMED)
            )
        else:
            reasons.append(Reason("stale", f"Owner last confirmed {_days(age)} ago.", 0.0))
    return tuple(reasons)


def _distance_points(distance_m: float) -> float:
    return round(SCORE_DISTANCE_MAX * DISTANCE_HALF_SCORE_M / (DISTANCE_HALF_SCORE_M + max(0.0, distance_m)), 1)


class _Scorer:
    """Scores cameras for one search. The footage and confirmation facts depend only on a camera's retention days
    and confirmation time, which thousands of cameras share, so each distinct value is worked out once."""

    def __init__(self, *, window_start: datetime, now: datetime, area_kind: str) -> None:
        self.window_start, self.now, self.area_kind = window_start, now, area_kind
        # Days kept count on the local clock, as the reasons and the case's urgency list say them.
        self.zone = timezone.get_current_timezone()
        self._footage: dict[int, tuple[datetime, bool, bool, float]] = {}
        self._confirmation: dict[datetime, tuple[int, float]] = {}

    def footage(self, retention_days: int) -> tuple[datetime, bool, bool, float]:
        known = self._footage.get(retention_days)
        if known is None:
            # The oldest minute of the window is the first to be overwritten, N calendar days later on the local
            # clock, whatever zone window_start came in.
            overwritten_after = days_later_on_the_clock(self.window_start, retention_days, self.zone)
            kept = overwritten_after > self.now
            urgent = kept and overwritten_after - self.now <= timedelta(days=URGENT_DAYS)
            points = (SCORE_FOOTAGE_KEPT + (SCORE_URGENT if urgent else 0.0)) if kept else SCORE_FOOTAGE_GONE
            known = self._footage[retention_days] = (overwritten_after, kept, urgent, points)
        return known

    def confirmation(self, last_confirmed_at: datetime) -> tuple[int, float]:
        known = self._confirmation.get(last_confirmed_at)
        if known is None:
            age = max(0, (self.now - last_confirmed_at).days)
            known = self._confirmation[last_confirmed_at] = (
                age,
                SCORE_RECENTLY_CONFIRMED if age <= FRESH_CONFIRMATION_DAYS else 0.0,
            )
        return known

    def points(
        self, camera: CameraFacts, distance_points: float, sees_incident: bool | None
    ) -> tuple[float, datetime, bool, bool, int | None]:
        """(score, overwritten after, footage kept, urgent, days since confirmed) of one camera in the area."""
        overwritten_after, kept, urgent, score = self.footage(camera.retention_days)
        if camera.last_confirmed_at is None:
            age = None
        else:
            age, confirmed_points = self.confirmation(camera.last_confirmed_at)
            score += confirmed_points
        score += distance_points
        if sees_incident is True:
            score += SCORE_SEES_PLACE
        elif sees_incident is None:
            score += SCORE_DIRECTION_UNKNOWN
        if camera.records_street:
            score += SCORE_RECORDS_STREET
        if camera.verified:
            score += SCORE_VERIFIED
        return round(score, 1), overwritten_after, kept, urgent, age

    def score(self, camera: CameraFacts, distance_m: float, sees_incident: bool | None) -> RankedCamera:
        score, overwritten_after, kept, urgent, age = self.points(camera, _distance_points(distance_m), sees_incident)
        return RankedCamera(
            camera=camera,
            score=score,
            distance_m=distance_m,
            sees_incident=sees_incident,
            footage_likely_kept=kept,
            overwritten_after=overwritten_after,
            urgent=urgent,
            area_kind=self.area_kind,
            confirmed_days_ago=age,
        )


def explain(
    camera: CameraFacts,
    *,
    distance_m: float,
    sees_incident: bool | None,
    window_start: datetime,
    now: datetime,
    area_kind: str = RADIUS,
) -> RankedCamera:
    """Score one camera already known to be in the area; RankedCamera.reasons words the same points."""
    return _Scorer(window_start=window_start, now=now, area_kind=area_kind).score(camera, distance_m, sees_incident)


def rank(
    cameras: Iterable[CameraFacts], area: SearchArea, *, window_start: datetime, now: datetime
) -> list[RankedCamera]:
    """The cameras inside the area, best first; cameras outside the area are dropped.

    Ties go to the nearer camera, then the lower id, so the order is stable between runs. A search ranks
    thousands of cameras, so the loop sorts plain tuples (no key function) and builds each RankedCamera once,
    in order; scores are those of _Scorer.score.
    """
    with cyclic_gc_paused():
        return _rank(cameras, area, window_start=window_start, now=now)


def _rank(cameras: Iterable[CameraFacts], area: SearchArea, *, window_start: datetime, now: datetime) -> list:
    test = AreaTest(area)
    scorer = _Scorer(window_start=window_start, now=now, area_kind=area.kind)
    points, sees, kind = scorer.points, test.sees_incident, area.kind
    # AreaTest.sees_incident's first two answers, without the call (thousands of cameras, most far from the place).
    out_of_reach = (ROUTE_VIEW_TOLERANCE_M if kind == ROUTE else 0.0) + PLANE_MARGIN_M
    # Cameras of one registration share its place (and arrive one after another): measure each place once.
    places: dict[tuple[float, float], tuple[float, float] | None] = {}
    place: tuple[float, float] | None = None
    last_latitude = last_longitude = math.nan
    scored = []
    for index, camera in enumerate(cameras):
        latitude, longitude = camera.latitude, camera.longitude
        if latitude != last_latitude or longitude != last_longitude:
            last_latitude, last_longitude = latitude, longitude
            place = places.get((latitude, longitude), _UNMEASURED)
            if place is _UNMEASURED:
                distance = test.measure(latitude, longitude)
                place = None if distance is None else (distance, _distance_points(distance))
                places[latitude, longitude] = place
        if place is None:
            continue
        distance, distance_points = place
        reach = camera.range_m
        if camera.bearing_degrees is None or not camera.field_of_view_degrees or not reach:
            sees_incident = None
        elif distance > reach + out_of_reach:
            sees_incident = False
        else:
            sees_incident = sees(camera, distance)
        score, overwritten_after, kept, urgent, age = points(camera, distance_points, sees_incident)
        item = RankedCamera(camera, score, distance, sees_incident, kept, overwritten_after, urgent, kind, age)
        # The index settles a (never expected) full tie before the comparison could reach the item.
        scored.append((-score, distance, camera.camera_id, index, item))
    scored.sort()
    return [entry[4] for entry in scored]


# Marks a place not measured yet (None means measured and outside the area).
_UNMEASURED = (math.nan, math.nan)


def walking_order(start: LatLon, stops: Sequence[LatLon]) -> list[int]:
    """Indexes of stops in a nearest-neighbour tour from start: a short walk door to door, not an optimal one."""
    plane = LocalPlane(*start)
    points = [plane.project(lat, lon) for lat, lon in stops]
    remaining = set(range(len(points)))
    here = (0.0, 0.0)
    order: list[int] = []
    while remaining:
        nearest = min(remaining, key=lambda index: (math.dist(here, points[index]), index))
        remaining.remove(nearest)
        order.append(nearest)
        here = points[nearest]
    return order
