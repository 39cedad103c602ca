"""Pure-Python WGS84 geometry for the camera registry.

Coordinates are (latitude, longitude) in degrees, distances are metres and
bearings are degrees clockwise from true north, normalised to [0, 360).

* Distance, bearing and destination solve the geodesic problems on the WGS84
  ellipsoid with Vincenty's formulae (sub-millimetre at registry distances),
  with a fallback for the nearly antipodal pairs where Vincenty diverges.
* Polygon edges and route segments are geodesics.  Polygon area uses the
  spherical excess on the authalic sphere; point-in-polygon casts a ray along
  the query point's meridian, so neither depends on a map projection and both
  work for jurisdiction-sized polygons with many thousands of vertices.
* View cones are tested in an azimuthal equidistant plane centred on the
  camera, where distances and bearings from the camera are exact.

Nothing beyond the standard library is imported, so the module can be used and
tested without Django.  Bad input raises GeometryError (a ValueError) with a
message that can be shown to the person who typed or drew it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from numbers import Real

__all__ = [
    "EDGE_TOLERANCE_M",
    "MAX_RANGE_M",
    "GeometryError",
    "angle_difference_deg",
    "bbox_around",
    "bounding_box",
    "circle_polygon",
    "cone_intersects_circle",
    "cone_intersects_polygon",
    "cone_intersects_polyline",
    "cone_polygon",
    "destination_point",
    "distance_m",
    "distance_to_polyline_m",
    "expand_bbox",
    "initial_bearing_deg",
    "point_in_cone",
    "point_in_multipolygon",
    "point_in_polygon",
    "polygon_area_m2",
    "polygon_contains_point",
    "route_length_m",
    "validate_point",
    "validate_polygon",
    "validate_route",
]

LatLon = tuple[float, float]
BBox = tuple[float, float, float, float]

# WGS84 ellipsoid.
_A = 6378137.0
_F = 1 / 298.257223563
_B = _A * (1 - _F)
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)
_EP2 = (_A * _A - _B * _B) / (_B * _B)

# Points closer than this to a polygon edge or a cone count as touching it, so
# that a point drawn "on the line" does not flip in or out on rounding noise.
EDGE_TOLERANCE_M = 0.01
# A camera seeing (or a corridor reaching) further than this is a data error;
# the cap also keeps the camera-centred plane far from its distorted regions.
MAX_RANGE_M = 100_000.0

_MAX_ITERATIONS = 200
# Vincenty's iterations gain about two digits per step; 1e-14 rad keeps the
# round trip destination -> distance well inside a micrometre.
_CONVERGENCE = 1e-14
# Metres per degree of latitude where a degree is shortest (the equator), so
# dividing by it never underestimates the latitude span of a distance.
_MIN_M_PER_DEG_LAT = math.radians(_A * (1 - _E2))
_ANGLE_TOLERANCE_DEG = 1e-6
_MAX_STEPS = 3600


class GeometryError(ValueError):
    """Invalid geometric input; the message is suitable for end users."""


# ---------------------------------------------------------------------------
# Input checking
# ---------------------------------------------------------------------------


def _number(value: object, name: str) -> float:
    # bool is an int subclass, but True as a coordinate is always a bug;
    # Decimal is accepted because DecimalField and JSON parsers produce it.
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise GeometryError(f"{name} must be a number.")
    result = float(value)
    if not math.isfinite(result):
        raise GeometryError(f"{name} must be a finite number.")
    return result


def _non_negative(value: object, name: str, limit: float | None = None, unit_name: str = "") -> float:
    result = _number(value, name)
    if result < 0:
        raise GeometryError(f"{name} must be zero or more.")
    if limit is not None and result > limit:
        raise GeometryError(f"{name} must be at most {unit_name}.")
    return result


def _steps(value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= _MAX_STEPS:
        raise GeometryError(f"Steps must be a whole number between {minimum} and {_MAX_STEPS}.")
    return value


def validate_point(lat: float, lon: float) -> LatLon:
    """Return (lat, lon) as floats, or raise GeometryError if not a real position."""
    lat_f = _number(lat, "Latitude")
    lon_f = _number(lon, "Longitude")
    if not -90.0 <= lat_f <= 90.0:
        raise GeometryError("Latitude must be between -90 and 90.")
    if not -180.0 <= lon_f <= 180.0:
        raise GeometryError("Longitude must be between -180 and 180.")
    return lat_f, lon_f


def _coerce_points(vertices: object, what: str) -> list[LatLon]:
    if isinstance(vertices, str | bytes | Mapping) or not isinstance(vertices, Sequence):
        raise GeometryError(f"A {what} must be a list of [latitude, longitude] points.")
    points = []
    append = points.append
    for index, vertex in enumerate(vertices, start=1):
        # Fast path for the common case (plain floats in range): jurisdiction
        # boundaries have ~1e5 vertices and are checked on every lookup.
        if type(vertex) in (tuple, list) and len(vertex) == 2:
            lat, lon = vertex
            if type(lat) is float and type(lon) is float and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:
                append((lat, lon))
                continue
        if isinstance(vertex, str | bytes | Mapping) or not isinstance(vertex, Sequence) or len(vertex) != 2:
            raise GeometryError(f"Point {index} of the {what} must be a pair of latitude and longitude.")
        try:
            append(validate_point(vertex[0], vertex[1]))
        except GeometryError as error:
            raise GeometryError(f"Point {index} of the {what}: {error}") from None
    return points


def _without_repeats(points: list[LatLon]) -> list[LatLon]:
    # A double click on the map adds the same vertex twice; that is noise, not
    # a zero-length edge worth rejecting the drawing for.
    result: list[LatLon] = []
    for point in points:
        if not result or point != result[-1]:
            result.append(point)
    return result


def _polygon_ring(vertices: object, what: str = "polygon") -> list[LatLon]:
    ring = _without_repeats(_coerce_points(vertices, what))
    while len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(set(ring)) < 3:
        raise GeometryError(f"A {what} needs at least 3 points.")
    # Edges take the short way round in longitude; a ring whose steps add up
    # to a full turn goes round a pole, which the ray test cannot represent.
    turn = 0.0
    previous_lon = ring[-1][1]
    for _lat, lon in ring:
        turn += _wrap180(lon - previous_lon)
        previous_lon = lon
    if abs(turn) > 180.0:
        raise GeometryError(f"The {what} must not surround the North or South Pole.")
    return ring


def _route_points(vertices: object) -> list[LatLon]:
    route = _without_repeats(_coerce_points(vertices, "route"))
    if len(route) < 2:
        raise GeometryError("A route needs at least 2 points.")
    return route


def _vertex_limit(max_vertices: object) -> int:
    if isinstance(max_vertices, bool) or not isinstance(max_vertices, int) or max_vertices < 1:
        raise GeometryError("The vertex limit must be a positive whole number.")
    return max_vertices


def _too_many(count: int, limit: int, what: str) -> None:
    if count > limit:
        raise GeometryError(f"A {what} can have at most {limit:,} points; this one has {count:,}.")


def _format_quantity(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


# ---------------------------------------------------------------------------
# Angles
# ---------------------------------------------------------------------------


def _wrap180(degrees: float) -> float:
    if -180.0 <= degrees < 180.0:
        # Adding 180 first would round tiny offsets to about 1e-14 degrees.
        return degrees
    return (degrees + 180.0) % 360.0 - 180.0


def _normalise_bearing(degrees: float) -> float:
    result = degrees % 360.0
    # -1e-17 % 360 rounds to 360.0, which is outside the promised range.
    return 0.0 if result >= 360.0 else result


def _angle_gap(a: float, b: float) -> float:
    difference = abs(a - b) % 360.0
    return min(difference, 360.0 - difference)


def angle_difference_deg(a: float, b: float) -> float:
    """Smallest absolute difference between two bearings, in [0, 180]."""
    return _angle_gap(_number(a, "Bearing"), _number(b, "Bearing"))


# ---------------------------------------------------------------------------
# Geodesics (Vincenty 1975)
# ---------------------------------------------------------------------------


def _reduced_latitude(lat: float) -> tuple[float, float]:
    phi = math.radians(lat)
    # Built from sin/cos rather than tan so the poles need no special case.
    sin_u = (1 - _F) * math.sin(phi)
    cos_u = math.cos(phi)
    norm = math.hypot(sin_u, cos_u)
    return sin_u / norm, cos_u / norm


def _series_ab(cos2_alpha: float) -> tuple[float, float]:
    u2 = cos2_alpha * _EP2
    big_a = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    big_b = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    return big_a, big_b


def _delta_sigma(big_b: float, sin_sigma: float, cos_sigma: float, cos_2sm: float) -> float:
    return (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )


def _vincenty_inverse(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float] | None:
    """(distance, forward azimuth) for valid degrees, or None if it diverges."""
    big_l = math.radians(_wrap180(lon2 - lon1))
    sin_u1, cos_u1 = _reduced_latitude(lat1)
    sin_u2, cos_u2 = _reduced_latitude(lat2)
    lam = big_l
    for _ in range(_MAX_ITERATIONS):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        east = cos_u2 * sin_lam
        north = cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam
        sin_sigma = math.hypot(east, north)
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        if sin_sigma == 0.0:
            # Same point, or exactly antipodal (where every azimuth is a geodesic).
            return (0.0, 0.0) if cos_sigma > 0 else None
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha * sin_alpha
        # cos2_alpha is zero only for equatorial lines, where the term vanishes.
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha != 0 else 0.0
        c = _F / 16 * cos2_alpha * (4 + _F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * _F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam) > math.pi:
            return None
        # Relative to sigma, so bearings over a metre or two are as precise
        # as over kilometres.
        if abs(lam - previous) <= _CONVERGENCE * min(1.0, sigma):
            break
    else:
        # Stalled on rounding noise rather than diverging: accept it.
        if abs(lam - previous) > 1e-12:
            return None
    big_a, big_b = _series_ab(cos2_alpha)
    distance = _B * big_a * (sigma - _delta_sigma(big_b, sin_sigma, cos_sigma, cos_2sm))
    azimuth = _normalise_bearing(math.degrees(math.atan2(east, north)))
    return distance, azimuth


def _vincenty_direct(lat1: float, lon1: float, azimuth: float, distance: float) -> LatLon:
    alpha1 = math.radians(azimuth)
    sin_a1, cos_a1 = math.sin(alpha1), math.cos(alpha1)
    sin_u1, cos_u1 = _reduced_latitude(lat1)
    sigma1 = math.atan2(sin_u1, cos_u1 * cos_a1)
    sin_alpha = cos_u1 * sin_a1
    cos2_alpha = 1 - sin_alpha * sin_alpha
    big_a, big_b = _series_ab(cos2_alpha)
    sigma0 = distance / (_B * big_a)
    sigma = sigma0
    for _ in range(_MAX_ITERATIONS):
        cos_2sm = math.cos(2 * sigma1 + sigma)
        previous = sigma
        sigma = sigma0 + _delta_sigma(big_b, math.sin(sigma), math.cos(sigma), cos_2sm)
        if abs(sigma - previous) <= _CONVERGENCE:
            break
    sin_sigma, cos_sigma = math.sin(sigma), math.cos(sigma)
    cos_2sm = math.cos(2 * sigma1 + sigma)
    x = sin_u1 * sin_sigma - cos_u1 * cos_sigma * cos_a1
    lat2 = math.atan2(sin_u1 * cos_sigma + cos_u1 * sin_sigma * cos_a1, (1 - _F) * math.hypot(sin_alpha, x))
    lam = math.atan2(sin_sigma * sin_a1, cos_u1 * cos_sigma - sin_u1 * sin_sigma * cos_a1)
    c = _F / 16 * cos2_alpha * (4 + _F * (4 - 3 * cos2_alpha))
    big_l = lam - (1 - c) * _F * sin_alpha * (sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2)))
    return math.degrees(lat2), _wrap180(lon1 + math.degrees(big_l))


def _antipodal_inverse(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    # For nearly antipodal points Vincenty's iteration diverges.  Go a fixed
    # distance s from point 1 along azimuth a, then solve the (now short,
    # well-behaved) remainder: s + |m(a) p2| equals the geodesic distance when
    # a is the true azimuth and is longer for any other (triangle inequality),
    # so minimising over a yields both the distance and the azimuth.
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    cos_angle = math.sin(phi1) * math.sin(phi2) + math.cos(phi1) * math.cos(phi2) * math.cos(math.radians(lon2 - lon1))
    # Below 45% of the spherical estimate, s is surely shorter than the
    # geodesic yet long enough that the remainder is far from antipodal.
    split = 0.45 * 6371008.8 * math.acos(max(-1.0, min(1.0, cos_angle)))

    def total(azimuth: float) -> float:
        mid_lat, mid_lon = _vincenty_direct(lat1, lon1, azimuth, split)
        rest = _vincenty_inverse(mid_lat, mid_lon, lat2, lon2)
        return math.inf if rest is None else split + rest[0]

    samples = 360
    best = min(range(samples), key=lambda i: total(i * 360.0 / samples))
    low, high = (best - 1) * 360.0 / samples, (best + 1) * 360.0 / samples
    ratio = (math.sqrt(5) - 1) / 2
    x1, x2 = high - ratio * (high - low), low + ratio * (high - low)
    f1, f2 = total(x1), total(x2)
    while high - low > 1e-10:
        if f1 <= f2:
            high, x2, f2 = x2, x1, f1
            x1 = high - ratio * (high - low)
            f1 = total(x1)
        else:
            low, x1, f1 = x1, x2, f2
            x2 = low + ratio * (high - low)
            f2 = total(x2)
    azimuth = (low + high) / 2
    return total(azimuth), _normalise_bearing(azimuth)


def _inverse(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    result = _vincenty_inverse(lat1, lon1, lat2, lon2)
    return result if result is not None else _antipodal_inverse(lat1, lon1, lat2, lon2)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres between two points on the WGS84 ellipsoid."""
    lat1, lon1 = validate_point(lat1, lon1)
    lat2, lon2 = validate_point(lat2, lon2)
    return _inverse(lat1, lon1, lat2, lon2)[0]


def initial_bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic forward azimuth from point 1 towards point 2 (0 for the same point)."""
    lat1, lon1 = validate_point(lat1, lon1)
    lat2, lon2 = validate_point(lat2, lon2)
    return _inverse(lat1, lon1, lat2, lon2)[1]


def destination_point(lat: float, lon: float, bearing_deg: float, distance_m: float) -> LatLon:
    """The point reached by following the geodesic from (lat, lon) for distance_m."""
    lat, lon = validate_point(lat, lon)
    bearing = _number(bearing_deg, "Bearing")
    distance = _non_negative(distance_m, "Distance")
    if distance == 0:
        return lat, lon
    return _vincenty_direct(lat, lon, bearing, distance)


# ---------------------------------------------------------------------------
# Local plane
# ---------------------------------------------------------------------------


def _ecef(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    sin_phi, cos_phi = math.sin(phi), math.cos(phi)
    n = _A / math.sqrt(1 - _E2 * sin_phi * sin_phi)
    return n * cos_phi * math.cos(lam), n * cos_phi * math.sin(lam), n * (1 - _E2) * sin_phi


class _Plane:
    """Azimuthal equidistant projection centred on one point, x east, y north.

    Distances and bearings from the centre are geodesic to about a part per
    million within hundreds of kilometres, and geodesics near the centre are
    nearly straight, which is all the cone and route tests rely on.
    """

    __slots__ = ("_cl", "_cp", "_m", "_n", "_origin", "_sl", "_sp")

    def __init__(self, lat: float, lon: float) -> None:
        phi, lam = math.radians(lat), math.radians(lon)
        self._sp, self._cp = math.sin(phi), math.cos(phi)
        self._sl, self._cl = math.sin(lam), math.cos(lam)
        w2 = 1 - _E2 * self._sp * self._sp
        self._n = _A / math.sqrt(w2)
        self._m = _A * (1 - _E2) / (w2 * math.sqrt(w2))
        self._origin = _ecef(lat, lon)

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        x, y, z = _ecef(lat, lon)
        dx, dy, dz = x - self._origin[0], y - self._origin[1], z - self._origin[2]
        east = -self._sl * dx + self._cl * dy
        along = self._cl * dx + self._sl * dy
        north = -self._sp * along + self._cp * dz
        up = self._cp * along + self._sp * dz
        horizontal = math.hypot(east, north)
        if horizontal == 0.0:
            # The centre itself, or its antipode (any direction; just far away).
            return (0.0, 0.0) if up >= 0 else (0.0, -math.pi * self._n)
        # Bend the straight chord back onto the surface using the radius of
        # curvature of the ellipsoid in this direction (Euler's formula).
        cos2 = (north / horizontal) ** 2
        radius = self._m * self._n / (self._n * cos2 + self._m * (1 - cos2))
        chord = math.sqrt(horizontal * horizontal + up * up)
        arc = 2 * radius * math.asin(min(1.0, chord / (2 * radius)))
        scale = arc / horizontal
        return east * scale, north * scale


def _point_segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _orientation(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


def _within_box(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> bool:
    return min(ax, bx) <= cx <= max(ax, bx) and min(ay, by) <= cy <= max(ay, by)


def _segments_touch(ax: float, ay: float, bx: float, by: float, cx: float, cy: float, dx: float, dy: float) -> bool:
    """Closed segments AB and CD share at least one point."""
    d1 = _orientation(cx, cy, dx, dy, ax, ay)
    d2 = _orientation(cx, cy, dx, dy, bx, by)
    d3 = _orientation(ax, ay, bx, by, cx, cy)
    d4 = _orientation(ax, ay, bx, by, dx, dy)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (
        (d1 == 0 and _within_box(cx, cy, dx, dy, ax, ay))
        or (d2 == 0 and _within_box(cx, cy, dx, dy, bx, by))
        or (d3 == 0 and _within_box(ax, ay, bx, by, cx, cy))
        or (d4 == 0 and _within_box(ax, ay, bx, by, dx, dy))
    )


def _segment_segment_distance(
    ax: float, ay: float, bx: float, by: float, cx: float, cy: float, dx: float, dy: float
) -> float:
    if _segments_touch(ax, ay, bx, by, cx, cy, dx, dy):
        return 0.0
    return min(
        _point_segment_distance(ax, ay, cx, cy, dx, dy),
        _point_segment_distance(bx, by, cx, cy, dx, dy),
        _point_segment_distance(cx, cy, ax, ay, bx, by),
        _point_segment_distance(dx, dy, ax, ay, bx, by),
    )


# ---------------------------------------------------------------------------
# View cones
# ---------------------------------------------------------------------------


def _cone_arguments(
    camera_lat: float, camera_lon: float, bearing_deg: float, fov_deg: float, range_m: float
) -> tuple[float, float, float, float, float]:
    lat, lon = validate_point(camera_lat, camera_lon)
    bearing = _normalise_bearing(_number(bearing_deg, "Bearing"))
    fov = _number(fov_deg, "Field of view")
    if not 0 < fov <= 360:
        raise GeometryError("Field of view must be more than 0 and at most 360 degrees.")
    reach = _non_negative(range_m, "Range", MAX_RANGE_M, f"{MAX_RANGE_M / 1000:,.0f} km")
    return lat, lon, bearing, fov, reach


class _Sector:
    """The view cone in the camera-centred plane: apex at the origin."""

    __slots__ = ("bearing", "full", "half", "left", "reach", "right")

    def __init__(self, bearing: float, fov: float, reach: float) -> None:
        self.bearing = bearing
        self.half = fov / 2
        self.reach = reach
        self.full = fov >= 360
        left, right = math.radians(bearing - self.half), math.radians(bearing + self.half)
        self.left = (reach * math.sin(left), reach * math.cos(left))
        self.right = (reach * math.sin(right), reach * math.cos(right))

    def _within_span(self, x: float, y: float) -> bool:
        azimuth = math.degrees(math.atan2(x, y))
        return self.full or _angle_gap(azimuth, self.bearing) <= self.half + _ANGLE_TOLERANCE_DEG

    def point_distance(self, x: float, y: float) -> float:
        radius = math.hypot(x, y)
        if radius == 0 or self._within_span(x, y):
            return max(0.0, radius - self.reach)
        # Outside the angular span the nearest part of the cone is an edge ray
        # (the arc's nearest point would be its end, which is on a ray too).
        return min(
            _point_segment_distance(x, y, 0.0, 0.0, *self.left),
            _point_segment_distance(x, y, 0.0, 0.0, *self.right),
        )

    def segment_distance(self, ax: float, ay: float, bx: float, by: float) -> float:
        """Exact plane distance between segment AB and the sector (0 if they meet)."""
        foot = _point_segment_distance(0.0, 0.0, ax, ay, bx, by)
        if self.full:
            return max(0.0, foot - self.reach)
        best = min(
            self.point_distance(ax, ay),
            self.point_distance(bx, by),
            _segment_segment_distance(ax, ay, bx, by, 0.0, 0.0, *self.left),
            _segment_segment_distance(ax, ay, bx, by, 0.0, 0.0, *self.right),
        )
        # Where the segment passes the apex within the span, its closest
        # approach to the apex is the remaining candidate: it catches both a
        # chord crossing the arc twice and a near miss beyond the arc.
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        if length2 > 0:
            t = max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
            fx, fy = ax + t * dx, ay + t * dy
            if foot == 0 or self._within_span(fx, fy):
                best = min(best, max(0.0, foot - self.reach))
        return best


def point_in_cone(
    camera_lat: float,
    camera_lon: float,
    bearing_deg: float,
    fov_deg: float,
    range_m: float,
    lat: float,
    lon: float,
) -> bool:
    """Whether (lat, lon) is within range_m of the camera and fov_deg/2 of its bearing."""
    cam_lat, cam_lon, bearing, fov, reach = _cone_arguments(camera_lat, camera_lon, bearing_deg, fov_deg, range_m)
    lat, lon = validate_point(lat, lon)
    distance, azimuth = _inverse(cam_lat, cam_lon, lat, lon)
    if distance > reach + 1e-6:
        return False
    if distance == 0 or fov >= 360:
        return True
    return _angle_gap(azimuth, bearing) <= fov / 2 + _ANGLE_TOLERANCE_DEG


def circle_polygon(lat: float, lon: float, radius_m: float, steps: int = 48) -> list[LatLon]:
    """Closed ring of steps geodesic points radius_m around (lat, lon), starting due north."""
    lat, lon = validate_point(lat, lon)
    radius = _non_negative(radius_m, "Radius")
    steps = _steps(steps, 3)
    ring = [_vincenty_direct(lat, lon, 360.0 * i / steps, radius) if radius else (lat, lon) for i in range(steps)]
    ring.append(ring[0])
    return ring


def cone_polygon(
    camera_lat: float, camera_lon: float, bearing_deg: float, fov_deg: float, range_m: float, steps: int = 12
) -> list[LatLon]:
    """Closed ring (apex, arc of steps segments, apex) outlining the view cone for a map."""
    lat, lon, bearing, fov, reach = _cone_arguments(camera_lat, camera_lon, bearing_deg, fov_deg, range_m)
    steps = _steps(steps, 1)
    if fov >= 360:
        return circle_polygon(lat, lon, reach, max(steps, 3))
    start = bearing - fov / 2
    arc = [
        _vincenty_direct(lat, lon, _normalise_bearing(start + fov * i / steps), reach) if reach else (lat, lon)
        for i in range(steps + 1)
    ]
    return [(lat, lon), *arc, (lat, lon)]


def cone_intersects_circle(
    camera_lat: float,
    camera_lon: float,
    bearing_deg: float,
    fov_deg: float,
    range_m: float,
    center_lat: float,
    center_lon: float,
    radius_m: float,
) -> bool:
    """Whether the view cone overlaps the disc of radius_m around the centre."""
    lat, lon, bearing, fov, reach = _cone_arguments(camera_lat, camera_lon, bearing_deg, fov_deg, range_m)
    center_lat, center_lon = validate_point(center_lat, center_lon)
    radius = _non_negative(radius_m, "Radius")
    distance, azimuth = _inverse(lat, lon, center_lat, center_lon)
    if distance > reach + radius + EDGE_TOLERANCE_M:
        return False
    # The geodesic distance and azimuth are the exact azimuthal equidistant
    # coordinates of the centre, so no projection error enters here.
    x = distance * math.sin(math.radians(azimuth))
    y = distance * math.cos(math.radians(azimuth))
    return _Sector(bearing, fov, reach).point_distance(x, y) <= radius + EDGE_TOLERANCE_M


def cone_intersects_polyline(
    camera_lat: float,
    camera_lon: float,
    bearing_deg: float,
    fov_deg: float,
    range_m: float,
    vertices: Sequence[Sequence[float]],
    corridor_m: float = 0,
) -> bool:
    """Whether any part of the route, widened by corridor_m either side, lies in the cone."""
    lat, lon, bearing, fov, reach = _cone_arguments(camera_lat, camera_lon, bearing_deg, fov_deg, range_m)
    corridor = _non_negative(corridor_m, "Corridor", MAX_RANGE_M, f"{MAX_RANGE_M / 1000:,.0f} km")
    route = _route_points(vertices)
    plane = _Plane(lat, lon)
    sector = _Sector(bearing, fov, reach)
    points = [plane.project(*point) for point in route]
    limit = corridor + EDGE_TOLERANCE_M
    return any(
        sector.segment_distance(ax, ay, bx, by) <= limit for (ax, ay), (bx, by) in zip(points, points[1:], strict=False)
    )


def cone_intersects_polygon(
    camera_lat: float,
    camera_lon: float,
    bearing_deg: float,
    fov_deg: float,
    range_m: float,
    vertices: Sequence[Sequence[float]],
) -> bool:
    """Whether the view cone and the polygon (boundary included) share any point."""
    lat, lon, bearing, fov, reach = _cone_arguments(camera_lat, camera_lon, bearing_deg, fov_deg, range_m)
    ring = _polygon_ring(vertices)
    plane = _Plane(lat, lon)
    sector = _Sector(bearing, fov, reach)
    points = [plane.project(*point) for point in ring]
    for index, (ax, ay) in enumerate(points):
        bx, by = points[index - 1]
        if sector.segment_distance(ax, ay, bx, by) <= EDGE_TOLERANCE_M:
            return True
    # No edge touches the cone, so the cone is either wholly inside the
    # polygon or wholly outside it; its apex decides which.
    return _locate(lat, lon, ring) != _OUTSIDE


# ---------------------------------------------------------------------------
# Polygons
# ---------------------------------------------------------------------------

_OUTSIDE, _BOUNDARY, _INSIDE = 0, 1, 2


def _locate(lat: float, lon: float, ring: list[LatLon]) -> int:
    """Where the point lies relative to a ring of geodesic edges.

    The ray runs north along the point's own meridian to the pole.  Because
    longitude changes monotonically along a geodesic, whether an edge crosses
    that meridian is a cheap longitude comparison, and only those edges (plus
    ones passing within tolerance) need any 3D arithmetic; the side test uses
    the edge's plane through the earth's centre.
    """
    q = _ecef(lat, lon)
    cos_lat = math.cos(math.radians(lat))
    # Longitude window (degrees) inside which an edge can pass within
    # tolerance of the point; unbounded at the poles, where meridians meet.
    window = 360.0 if cos_lat < 1e-9 else math.degrees(2 * EDGE_TOLERANCE_M / (_A * cos_lat))
    at_pole = abs(lat) == 90.0
    inside = False
    previous_lat, previous_lon = ring[-1]
    # Each vertex gets exactly one offset from the point's meridian: deriving
    # it a second way (previous offset plus the edge's step) can round a
    # 1e-23 degree offset to zero and flip its side.
    previous_offset = _wrap180(previous_lon - lon)
    for vertex_lat, vertex_lon in ring:
        offset_a, offset_b = previous_offset, _wrap180(vertex_lon - lon)
        lat_a, lon_a = previous_lat, previous_lon
        previous_lat, previous_lon, previous_offset = vertex_lat, vertex_lon, offset_b
        # An edge whose offsets differ by more than 180 degrees goes the short
        # way round through the opposite meridian, so it never meets the ray.
        far_side = abs(offset_b - offset_a) > 180.0
        if far_side:
            if min(abs(offset_a), abs(offset_b)) > window:
                continue
        elif max(offset_a, offset_b) < -window or min(offset_a, offset_b) > window:
            continue
        ax, ay, az = (c - qc for c, qc in zip(_ecef(lat_a, lon_a), q, strict=True))
        bx, by, bz = (c - qc for c, qc in zip(_ecef(vertex_lat, vertex_lon), q, strict=True))
        # Relative to the query point the vectors are short, which keeps the
        # cross products precise; n is the edge plane's normal, A x B.
        cx, cy, cz = ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx
        side = cx * q[0] + cy * q[1] + cz * q[2]
        ux, uy, uz = bx - ax, by - ay, bz - az
        nx = q[1] * uz - q[2] * uy + cx
        ny = q[2] * ux - q[0] * uz + cy
        nz = q[0] * uy - q[1] * ux + cz
        after_a = (ay * q[2] - az * q[1]) * nx + (az * q[0] - ax * q[2]) * ny + (ax * q[1] - ay * q[0]) * nz
        before_b = (q[1] * bz - q[2] * by) * nx + (q[2] * bx - q[0] * bz) * ny + (q[0] * by - q[1] * bx) * nz
        if after_a >= 0 and before_b >= 0:
            gap = abs(side) / math.sqrt(nx * nx + ny * ny + nz * nz)
        else:
            gap = min(math.sqrt(ax * ax + ay * ay + az * az), math.sqrt(bx * bx + by * by + bz * bz))
        if gap <= EDGE_TOLERANCE_M:
            return _BOUNDARY
        if not at_pole and not far_side and (offset_a > 0) != (offset_b > 0):
            # Travelling east, north of the edge is on its left (side > 0);
            # the crossing is north of the point when the point is south.
            if (side < 0) if offset_b > offset_a else (side > 0):
                inside = not inside
    return _INSIDE if inside else _OUTSIDE


def point_in_polygon(lat: float, lon: float, vertices: Sequence[Sequence[float]]) -> bool:
    """Whether the point is inside the polygon; points on an edge count as inside.

    Edges are geodesics.  Holes are not supported here (see
    point_in_multipolygon); run validate_polygon once on user input, since this
    check does not look for crossing edges on every call.
    """
    lat, lon = validate_point(lat, lon)
    return _locate(lat, lon, _polygon_ring(vertices)) != _OUTSIDE


polygon_contains_point = point_in_polygon


def _geojson_rings(polygon: object) -> list[list[LatLon]]:
    if isinstance(polygon, str | bytes | Mapping) or not isinstance(polygon, Sequence):
        raise GeometryError("GeoJSON polygon coordinates must be a list of rings.")
    rings = []
    for ring in polygon:
        if isinstance(ring, str | bytes | Mapping) or not isinstance(ring, Sequence):
            raise GeometryError("Each GeoJSON ring must be a list of [longitude, latitude] positions.")
        points = []
        for position in ring:
            if not (type(position) in (list, tuple) and len(position) >= 2) and (
                isinstance(position, str | bytes | Mapping) or not isinstance(position, Sequence) or len(position) < 2
            ):
                raise GeometryError("Each GeoJSON position must be [longitude, latitude].")
            # GeoJSON puts longitude first; an optional altitude is ignored.
            points.append((position[1], position[0]))
        rings.append(_polygon_ring(points, "boundary ring"))
    return rings


def point_in_multipolygon(lat: float, lon: float, geojson_geometry: Mapping[str, object]) -> bool:
    """Whether the point is in a GeoJSON Polygon or MultiPolygon, honouring holes.

    A point on any ring (outer or hole) counts as inside; an empty geometry
    contains nothing.
    """
    lat, lon = validate_point(lat, lon)
    if not isinstance(geojson_geometry, Mapping):
        raise GeometryError("The geometry must be a GeoJSON object.")
    kind = geojson_geometry.get("type")
    coordinates = geojson_geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        if isinstance(coordinates, str | bytes | Mapping) or not isinstance(coordinates, Sequence):
            raise GeometryError("MultiPolygon coordinates must be a list of polygons.")
        polygons = list(coordinates)
    else:
        raise GeometryError("The geometry must be a GeoJSON Polygon or MultiPolygon.")
    for polygon in polygons:
        rings = _geojson_rings(polygon)
        if not rings:
            continue
        where = _locate(lat, lon, rings[0])
        if where == _OUTSIDE:
            continue
        if where == _BOUNDARY:
            return True
        holes = (_locate(lat, lon, hole) for hole in rings[1:])
        if all(hole != _INSIDE for hole in holes):
            return True
    return False


def _authalic_sine(lat: float) -> float:
    # sin of the authalic latitude: mapping onto a sphere of equal total
    # area this way preserves area exactly, so spherical excess applies.
    s = math.sin(math.radians(lat))
    return _q(s) / _Q_POLE


def _q(s: float) -> float:
    return (1 - _E2) * (s / (1 - _E2 * s * s) + math.atanh(_E * s) / _E)


_Q_POLE = _q(1.0)
_AUTHALIC_RADIUS2 = _A * _A * _Q_POLE / 2


def _ring_area_m2(ring: list[LatLon]) -> float:
    total = 0.0
    previous_lat, previous_lon = ring[-1]
    previous_sin = _authalic_sine(previous_lat)
    previous_tan = previous_sin / (1 + math.sqrt(1 - previous_sin * previous_sin))
    for lat, lon in ring:
        sin_beta = _authalic_sine(lat)
        # tan(beta/2), written to stay finite at the poles.
        tan_half = sin_beta / (1 + math.sqrt(max(0.0, 1 - sin_beta * sin_beta)))
        tan_dlon = math.tan(math.radians(_wrap180(lon - previous_lon)) / 2)
        # Signed area between this great-circle edge and the equator.
        total += 2 * math.atan2(tan_dlon * (previous_tan + tan_half), 1 + previous_tan * tan_half)
        previous_lon, previous_tan = lon, tan_half
    return abs(total) * _AUTHALIC_RADIUS2


def polygon_area_m2(vertices: Sequence[Sequence[float]]) -> float:
    """Area in square metres enclosed by the polygon's geodesic edges."""
    return _ring_area_m2(_polygon_ring(vertices))


def _ring_plane_xy(ring: list[LatLon]) -> tuple[list[float], list[float]]:
    # Longitudes unwrapped along the ring so an antimeridian crossing stays a
    # short edge; x is scaled so grid cells are roughly square on the ground.
    scale = math.cos(math.radians(sum(lat for lat, _ in ring) / len(ring)))
    xs, ys = [], []
    unwrapped = ring[0][1]
    previous = ring[0][1]
    for lat, lon in ring:
        unwrapped += _wrap180(lon - previous)
        previous = lon
        xs.append(unwrapped * scale)
        ys.append(lat)
    return xs, ys


def _all_collinear(xs: list[float], ys: list[float]) -> bool:
    far = max(range(len(xs)), key=lambda i: (xs[i] - xs[0]) ** 2 + (ys[i] - ys[0]) ** 2)
    ux, uy = xs[far] - xs[0], ys[far] - ys[0]
    limit = 1e-12 * (ux * ux + uy * uy)
    return all(abs(ux * (y - ys[0]) - uy * (x - xs[0])) <= limit for x, y in zip(xs, ys, strict=True))


def _has_crossing(xs: list[float], ys: list[float]) -> bool:
    """Whether two non-adjacent edges of the ring touch (lon/lat plane).

    A sweep in x keeps only the edges whose x-range covers the current one
    active.  A boundary crosses a vertical line only a few times, so even
    jurisdiction boundaries with 1e5 vertices are checked in about linear time.
    """
    n = len(xs)
    edges = []
    for i in range(n):
        j = (i + 1) % n
        x0, x1 = (xs[i], xs[j]) if xs[i] <= xs[j] else (xs[j], xs[i])
        y0, y1 = (ys[i], ys[j]) if ys[i] <= ys[j] else (ys[j], ys[i])
        edges.append((x0, x1, y0, y1, i))
    edges.sort()
    active: list[tuple[float, float, float, float, int]] = []
    for edge in edges:
        x0, _x1, y0, y1, i = edge
        active = [other for other in active if other[1] >= x0]
        i2 = (i + 1) % n
        for _ox0, _ox1, oy0, oy1, j in active:
            if oy1 < y0 or oy0 > y1 or abs(i - j) == 1 or abs(i - j) == n - 1:
                continue
            j2 = (j + 1) % n
            if _segments_touch(xs[i], ys[i], xs[i2], ys[i2], xs[j], ys[j], xs[j2], ys[j2]):
                return True
        active.append(edge)
    return False


def validate_polygon(
    vertices: Sequence[Sequence[float]], max_vertices: int = 200, max_area_m2: float | None = None
) -> list[LatLon]:
    """Check a drawn polygon and return it as an open ring of (lat, lon) floats.

    The ring may be given open or closed; repeated consecutive points are
    dropped.  Raises GeometryError for too few or too many points, crossing
    edges, no area, or an area above max_area_m2.
    """
    limit = _vertex_limit(max_vertices)
    # Reject a huge list before validating every point in it (one extra
    # entry is allowed for a closing point).
    if isinstance(vertices, Sequence) and len(vertices) > limit + 1:
        _too_many(len(vertices), limit, "polygon")
    ring = _polygon_ring(vertices)
    _too_many(len(ring), limit, "polygon")
    xs, ys = _ring_plane_xy(ring)
    if _all_collinear(xs, ys):
        raise GeometryError("The polygon has no area: its points all lie on one line.")
    if _has_crossing(xs, ys):
        raise GeometryError("The polygon's edges cross each other; draw it without crossing lines.")
    area = _ring_area_m2(ring)
    # Compare with the squared size so only slivers that are lines in
    # disguise are refused, whatever the polygon's scale.
    height = (max(ys) - min(ys)) * _MIN_M_PER_DEG_LAT
    width = (max(xs) - min(xs)) * _MIN_M_PER_DEG_LAT
    if area <= 1e-6 * (height * height + width * width):
        raise GeometryError("The polygon has no area: its points all lie on one line.")
    if max_area_m2 is not None:
        area_limit = _non_negative(max_area_m2, "The area limit")
        if area > area_limit:
            raise GeometryError(
                f"The polygon covers {_format_quantity(area / 1e6)} km², "
                f"more than the limit of {_format_quantity(area_limit / 1e6)} km²."
            )
    return ring


# ---------------------------------------------------------------------------
# Bounding boxes
# ---------------------------------------------------------------------------


def bounding_box(vertices: Sequence[Sequence[float]]) -> BBox:
    """(min_lat, min_lon, max_lat, max_lon) of the given points.

    Longitudes are compared as numbers, so a shape crossing the antimeridian
    gets a box spanning almost every longitude: wasteful but never too small.
    """
    points = _coerce_points(vertices, "shape")
    if not points:
        raise GeometryError("A shape needs at least one point.")
    lats = [lat for lat, _ in points]
    lons = [lon for _, lon in points]
    return min(lats), min(lons), max(lats), max(lons)


def expand_bbox(min_lat: float, min_lon: float, max_lat: float, max_lon: float, margin_m: float) -> BBox:
    """Grow a box so it contains every point within margin_m of the original box.

    Near a pole, or when the grown box would cross the antimeridian, all
    longitudes are returned ([-180, 180]) so that plain range queries on
    indexed columns stay correct.
    """
    south, west = validate_point(min_lat, min_lon)
    north, east = validate_point(max_lat, max_lon)
    if south > north or west > east:
        raise GeometryError("The box's minimum must not exceed its maximum.")
    margin = _non_negative(margin_m, "Margin")
    # A micrometre-and-ppb pad absorbs rounding here and in the caller's
    # own coordinates, at no practical cost to the box's selectivity.
    pad = margin * (1 + 1e-9) + 1e-6
    dlat = pad / _MIN_M_PER_DEG_LAT
    south, north = max(-90.0, south - dlat), min(90.0, north + dlat)
    # Parallels shrink poleward, so the scale at the most poleward latitude
    # the grown box reaches gives the widest (safe) longitude margin.
    poleward = math.radians(max(abs(south), abs(north)))
    parallel_radius = _A * math.cos(poleward) / math.sqrt(1 - _E2 * math.sin(poleward) ** 2)
    if parallel_radius <= 0 or pad >= parallel_radius * math.pi:
        return south, -180.0, north, 180.0
    dlon = math.degrees(pad / parallel_radius)
    west, east = west - dlon, east + dlon
    if west < -180.0 or east > 180.0:
        return south, -180.0, north, 180.0
    return south, west, north, east


def bbox_around(lat: float, lon: float, radius_m: float) -> BBox:
    """A (min_lat, min_lon, max_lat, max_lon) box containing every point within radius_m."""
    lat, lon = validate_point(lat, lon)
    return expand_bbox(lat, lon, lat, lon, radius_m)


# ---------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------


def _path_length(route: list[LatLon]) -> float:
    return sum(_inverse(*a, *b)[0] for a, b in zip(route, route[1:], strict=False))


def validate_route(
    vertices: Sequence[Sequence[float]], max_vertices: int = 200, max_length_m: float | None = None
) -> list[LatLon]:
    """Check a drawn route and return its (lat, lon) points, repeats dropped."""
    limit = _vertex_limit(max_vertices)
    if isinstance(vertices, Sequence) and len(vertices) > limit:
        _too_many(len(vertices), limit, "route")
    route = _route_points(vertices)
    _too_many(len(route), limit, "route")
    if max_length_m is not None:
        length_limit = _non_negative(max_length_m, "The length limit")
        length = _path_length(route)
        if length > length_limit:
            raise GeometryError(
                f"The route is {_format_quantity(length / 1000)} km long, "
                f"more than the limit of {_format_quantity(length_limit / 1000)} km."
            )
    return route


def route_length_m(vertices: Sequence[Sequence[float]]) -> float:
    """Total geodesic length of the route in metres."""
    return _path_length(_route_points(vertices))


def distance_to_polyline_m(lat: float, lon: float, vertices: Sequence[Sequence[float]]) -> float:
    """Shortest distance in metres from the point to the route.

    Computed in a plane centred on the point, where distances from the point
    are geodesic and nearby segments are straight to well under a millimetre.
    """
    lat, lon = validate_point(lat, lon)
    route = _route_points(vertices)
    plane = _Plane(lat, lon)
    points = [plane.project(*point) for point in route]
    return min(
        _point_segment_distance(0.0, 0.0, ax, ay, bx, by)
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False)
    )
