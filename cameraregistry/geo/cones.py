"""Camera view cones: a sector of a disc, apex at the camera.

A cone is (camera latitude, camera longitude, bearing, field of view, range):
it covers what lies within range metres of the camera and within half the
field of view of its bearing. Cones are tested in the azimuthal equidistant
plane centred on the camera, where distances and bearings from the camera are
exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cameraregistry.geo.angles import angle_gap, normalise_bearing, wrap180
from cameraregistry.geo.geodesic import direct, inverse
from cameraregistry.geo.plane import (
    LocalPlane,
    azimuthal_error_bound_m,
    point_segment_distance,
    segment_segment_distance,
)
from cameraregistry.geo.polygons import EDGE_TOLERANCE_M, OUTSIDE, locate, polygon_ring
from cameraregistry.geo.routes import route_points
from cameraregistry.geo.validation import GeometryError, LatLon, non_negative, number, step_count, validate_point

# A camera seeing (or a corridor reaching) further than this is a data error;
# the cap also keeps the camera-centred plane far from its distorted regions.
MAX_RANGE_M = 100_000.0

_ANGLE_TOLERANCE_DEG = 1e-6
_RANGE_TOLERANCE_M = 1e-6
# Outline points up to this far from the centre come from the camera's plane,
# ten times faster than geographiclib's Direct: measured against it at
# 3.5e-9 m plus 1.4e-17 m times the cube of the distance (2e-8 m at 1 km,
# 1.7e-6 m at 5 km). Beyond it Direct draws them.
OUTLINE_PLANE_MAX_M = 1_000.0


def _cone_arguments(
    camera_lat: float, camera_lon: float, bearing_deg: float, fov_deg: float, range_m: float
) -> tuple[float, float, float, float, float]:
    lat, lon = validate_point(camera_lat, camera_lon)
    bearing = normalise_bearing(number(bearing_deg, "Bearing"))
    fov = number(fov_deg, "Field of view")
    if not 0 < fov <= 360:
        raise GeometryError("Field of view must be more than 0 and at most 360 degrees.")
    reach = non_negative(range_m, "Range", MAX_RANGE_M, f"{MAX_RANGE_M / 1000:,.0f} km")
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
        return self.full or angle_gap(azimuth, self.bearing) <= self.half + _ANGLE_TOLERANCE_DEG

    def point_distance(self, x: float, y: float) -> float:
        radius = math.hypot(x, y)
        if radius == 0 or self._within_span(x, y):
            return max(0.0, radius - self.reach)
        # Outside the angular span the nearest part of the cone is an edge ray
        # (the arc's nearest point would be its end, which is on a ray too).
        return min(
            point_segment_distance(x, y, 0.0, 0.0, *self.left),
            point_segment_distance(x, y, 0.0, 0.0, *self.right),
        )

    def segment_distance(self, ax: float, ay: float, bx: float, by: float) -> float:
        """Exact plane distance between segment AB and the sector (0 if they meet)."""
        foot = point_segment_distance(0.0, 0.0, ax, ay, bx, by)
        if self.full:
            return max(0.0, foot - self.reach)
        best = min(
            self.point_distance(ax, ay),
            self.point_distance(bx, by),
            segment_segment_distance(ax, ay, bx, by, 0.0, 0.0, *self.left),
            segment_segment_distance(ax, ay, bx, by, 0.0, 0.0, *self.right),
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


def _plane_point_in_cone(x: float, y: float, bearing: float, fov: float, reach: float) -> bool | None:
    """The answer from the camera-centred plane, or None when the point is too near the cone's edge to tell."""
    distance = math.hypot(x, y)
    error = azimuthal_error_bound_m(distance)
    if distance > reach + _RANGE_TOLERANCE_M + error:
        return False
    if distance >= reach + _RANGE_TOLERANCE_M - error or distance <= error:
        return None
    if fov >= 360:
        return True
    off_axis = angle_gap(math.degrees(math.atan2(x, y)), bearing) - (fov / 2 + _ANGLE_TOLERANCE_DEG)
    angle_error = math.degrees(error / distance)
    if off_axis < -angle_error:
        return True
    if off_axis > angle_error:
        return False
    return None


def point_in_cone(
    camera_lat: float,
    camera_lon: float,
    bearing_deg: float,
    fov_deg: float,
    range_m: float,
    lat: float,
    lon: float,
) -> bool:
    """Whether (lat, lon) is within range_m of the camera and fov_deg/2 of its bearing (geodesically)."""
    cam_lat, cam_lon, bearing, fov, reach = _cone_arguments(camera_lat, camera_lon, bearing_deg, fov_deg, range_m)
    lat, lon = validate_point(lat, lon)
    # Ranking asks this for every camera near the incident: the plane answers
    # in a fraction of a geodesic solution's time, and only points within
    # millimetres of the cone's edge need the exact geodesic.
    answer = _plane_point_in_cone(*LocalPlane(cam_lat, cam_lon).project_azimuthal(lat, lon), bearing, fov, reach)
    if answer is not None:
        return answer
    distance, azimuth = inverse(cam_lat, cam_lon, lat, lon)
    if distance > reach + _RANGE_TOLERANCE_M:
        return False
    if distance == 0 or fov >= 360:
        return True
    return angle_gap(azimuth, bearing) <= fov / 2 + _ANGLE_TOLERANCE_DEG


def _outline(lat: float, lon: float, azimuths: list[float], reach: float) -> list[LatLon]:
    """The points reach metres from (lat, lon) at each azimuth."""
    if not reach:
        return [(lat, lon)] * len(azimuths)
    if reach > OUTLINE_PLANE_MAX_M:
        return [direct(lat, lon, azimuth, reach) for azimuth in azimuths]
    plane = LocalPlane(lat, lon)
    points = []
    for azimuth in azimuths:
        angle = math.radians(azimuth)
        point_lat, point_lon = plane.unproject_azimuthal(reach * math.sin(angle), reach * math.cos(angle))
        points.append((point_lat, wrap180(point_lon)))
    return points


def circle_polygon(lat: float, lon: float, radius_m: float, steps: int = 48) -> list[LatLon]:
    """Closed ring of steps geodesic points radius_m around (lat, lon), starting due north."""
    lat, lon = validate_point(lat, lon)
    radius = non_negative(radius_m, "Radius")
    steps = step_count(steps, 3)
    ring = _outline(lat, lon, [360.0 * i / steps for i in range(steps)], radius)
    ring.append(ring[0])
    return ring


def cone_polygon(
    camera_lat: float, camera_lon: float, bearing_deg: float, fov_deg: float, range_m: float, steps: int = 12
) -> list[LatLon]:
    """Closed ring (apex, arc of steps segments, apex) outlining the view cone for a map."""
    lat, lon, bearing, fov, reach = _cone_arguments(camera_lat, camera_lon, bearing_deg, fov_deg, range_m)
    steps = step_count(steps, 1)
    if fov >= 360:
        return circle_polygon(lat, lon, reach, max(steps, 3))
    start = bearing - fov / 2
    arc = _outline(lat, lon, [normalise_bearing(start + fov * i / steps) for i in range(steps + 1)], reach)
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
    radius = non_negative(radius_m, "Radius")
    distance, azimuth = inverse(lat, lon, center_lat, center_lon)
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
    return cone_intersects_route(
        camera_lat, camera_lon, bearing_deg, fov_deg, range_m, route_points(vertices), corridor_m
    )


def cone_intersects_route(
    camera_lat: float,
    camera_lon: float,
    bearing_deg: float,
    fov_deg: float,
    range_m: float,
    route: Sequence[LatLon],
    corridor_m: float = 0,
) -> bool:
    """cone_intersects_polyline for a route already checked by route_points.

    Ranking asks this for thousands of cameras along one route, so it checks the route once.
    """
    lat, lon, bearing, fov, reach = _cone_arguments(camera_lat, camera_lon, bearing_deg, fov_deg, range_m)
    corridor = non_negative(corridor_m, "Corridor", MAX_RANGE_M, f"{MAX_RANGE_M / 1000:,.0f} km")
    plane = LocalPlane(lat, lon)
    sector = _Sector(bearing, fov, reach)
    points = [plane.project_azimuthal(*point) for point in route]
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
    ring = polygon_ring(vertices)
    plane = LocalPlane(lat, lon)
    sector = _Sector(bearing, fov, reach)
    points = [plane.project_azimuthal(*point) for point in ring]
    for index, (ax, ay) in enumerate(points):
        bx, by = points[index - 1]
        if sector.segment_distance(ax, ay, bx, by) <= EDGE_TOLERANCE_M:
            return True
    # No edge touches the cone, so the cone is either wholly inside the
    # polygon or wholly outside it; its apex decides which.
    return locate(lat, lon, ring) != OUTSIDE
