"""The local plane around a centre point, and straight-line geometry in it.

One LocalPlane serves the whole project: x metres east, y metres north of the
centre, from the ellipsoid's radii of curvature there. It offers two maps:

* project: a first-order map (fixed metres per degree), a few multiplications
  per point, good to well under a metre within a search area. Ranking and the
  database's distance expression use it to decide quickly.
* project_azimuthal: the azimuthal equidistant projection, where distances and
  bearings from the centre are geodesic to about a part per million within
  hundreds of kilometres and nearby geodesics are nearly straight. The exact
  cone and route tests use it, and unproject_azimuthal inverts it to draw
  cone and circle outlines.
"""

from __future__ import annotations

import math

from cameraregistry.geo.geodesic import WGS84

# WGS84 semi-major axis (m) and first eccentricity squared.
A = WGS84.a
E2 = WGS84.f * (2 - WGS84.f)
# Metres per degree of latitude where a degree is shortest (the equator), so
# dividing by it never underestimates the latitude span of a distance.
MIN_M_PER_DEG_LAT = math.radians(A * (1 - E2))


def ecef(lat: float, lon: float) -> tuple[float, float, float]:
    """Earth-centred, earth-fixed coordinates in metres of a point on the ellipsoid."""
    phi, lam = math.radians(lat), math.radians(lon)
    sin_phi, cos_phi = math.sin(phi), math.cos(phi)
    n = A / math.sqrt(1 - E2 * sin_phi * sin_phi)
    return n * cos_phi * math.cos(lam), n * cos_phi * math.sin(lam), n * (1 - E2) * sin_phi


def _geodetic_latitude(x: float, y: float, z: float, phi: float) -> float:
    """Latitude in degrees of the surface point at ECEF (x, y, z), refined from a close guess phi (radians)."""
    # The fixed point of tan(phi) = (z + e² N sin(phi)) / p shrinks the error by
    # about e² (1/150) a step, so a guess within a few km converges in a handful.
    p = math.hypot(x, y)
    for _ in range(10):
        sin_phi = math.sin(phi)
        refined = math.atan2(z + E2 * A / math.sqrt(1 - E2 * sin_phi * sin_phi) * sin_phi, p)
        if abs(refined - phi) < 1e-15:
            return math.degrees(refined)
        phi = refined
    return math.degrees(phi)


def azimuthal_error_bound_m(distance: float) -> float:
    """How far project_azimuthal can misplace a point this far from the centre, radially or sideways.

    Measured against geographiclib at under 3e-8 of the distance plus 0.014 m at
    100 km (growing with its cube); this bound is several times that, so a
    decision outside it is the exact one.
    """
    return 1e-3 + 1e-6 * distance + 1e-16 * distance**3


class LocalPlane:
    """Tangent plane at a centre: x metres east, y metres north."""

    __slots__ = (
        "_cl",
        "_cp",
        "_m",
        "_n",
        "_origin",
        "_sl",
        "_sp",
        "lat0",
        "lon0",
        "metres_per_degree_lat",
        "metres_per_degree_lon",
    )

    def __init__(self, lat: float, lon: float) -> None:
        self.lat0, self.lon0 = lat, lon
        phi, lam = math.radians(lat), math.radians(lon)
        self._sp, self._cp = math.sin(phi), math.cos(phi)
        self._sl, self._cl = math.sin(lam), math.cos(lam)
        w2 = 1 - E2 * self._sp * self._sp
        # Radii of curvature: along the meridian (m) and across it (n).
        self._n = A / math.sqrt(w2)
        self._m = A * (1 - E2) / (w2 * math.sqrt(w2))
        self._origin = ecef(lat, lon)
        self.metres_per_degree_lat = math.radians(self._m)
        self.metres_per_degree_lon = math.radians(self._n) * self._cp

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """First-order (x, y): cheap, and good to well under a metre within a few kilometres."""
        return (lon - self.lon0) * self.metres_per_degree_lon, (lat - self.lat0) * self.metres_per_degree_lat

    def project_azimuthal(self, lat: float, lon: float) -> tuple[float, float]:
        """Azimuthal equidistant (x, y): distance and bearing from the centre are geodesic."""
        x, y, z = ecef(lat, lon)
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

    def unproject_azimuthal(self, x: float, y: float) -> tuple[float, float]:
        """(lat, lon) of the azimuthal equidistant point (x, y): the inverse of project_azimuthal.

        Within a kilometre it agrees with geographiclib's Direct to a few
        hundredths of a micrometre, for a tenth of its time (see OUTLINE_PLANE_MAX_M in cones).
        """
        arc = math.hypot(x, y)
        if arc == 0.0:
            return self.lat0, self.lon0
        sin_az, cos_az = x / arc, y / arc
        radius = self._m * self._n / (self._n * cos_az * cos_az + self._m * (1 - cos_az * cos_az))
        # Along the normal section, as a circle of that radius (what project_azimuthal assumes).
        angle = arc / radius
        horizontal = radius * math.sin(angle)
        half = math.sin(angle / 2)
        up = -2 * radius * half * half
        east, north = sin_az * horizontal, cos_az * horizontal
        along = -self._sp * north + self._cp * up
        px = self._origin[0] + self._cl * along - self._sl * east
        py = self._origin[1] + self._sl * along + self._cl * east
        pz = self._origin[2] + self._cp * north + self._sp * up
        return _geodetic_latitude(px, py, pz, math.radians(self.lat0) + north / self._m), math.degrees(
            math.atan2(py, px)
        )


def point_segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    """Plane distance from point P to the closed segment AB."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _orientation(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


def _within_box(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> bool:
    return min(ax, bx) <= cx <= max(ax, bx) and min(ay, by) <= cy <= max(ay, by)


def segments_touch(ax: float, ay: float, bx: float, by: float, cx: float, cy: float, dx: float, dy: float) -> bool:
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


def segment_segment_distance(
    ax: float, ay: float, bx: float, by: float, cx: float, cy: float, dx: float, dy: float
) -> float:
    """Plane distance between the closed segments AB and CD (0 if they touch)."""
    if segments_touch(ax, ay, bx, by, cx, cy, dx, dy):
        return 0.0
    return min(
        point_segment_distance(ax, ay, cx, cy, dx, dy),
        point_segment_distance(bx, by, cx, cy, dx, dy),
        point_segment_distance(cx, cy, ax, ay, bx, by),
        point_segment_distance(dx, dy, ax, ay, bx, by),
    )
