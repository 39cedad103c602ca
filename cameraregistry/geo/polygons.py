"""Polygons whose edges are geodesics: validation, point in polygon, area.

Point-in-polygon casts a ray along the query point's meridian, so it needs no
map projection and works for jurisdiction-sized polygons with many thousands
of vertices. GeoJSON Polygons and MultiPolygons (with holes) are read here too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from cameraregistry.geo.angles import wrap180
from cameraregistry.geo.geodesic import ring_area_m2
from cameraregistry.geo.plane import A, ecef, segments_touch
from cameraregistry.geo.validation import (
    GeometryError,
    LatLon,
    check_vertex_count,
    coerce_points,
    format_quantity,
    non_negative,
    validate_point,
    vertex_limit,
    without_repeats,
)

# Points closer than this to a polygon edge or a cone count as touching it, so
# that a point drawn "on the line" does not flip in or out on rounding noise.
EDGE_TOLERANCE_M = 0.01

OUTSIDE, BOUNDARY, INSIDE = 0, 1, 2


def polygon_ring(vertices: object, what: str = "polygon") -> list[LatLon]:
    """The vertices as an open ring of (lat, lon) floats, repeats dropped; what names the shape in messages."""
    ring = without_repeats(coerce_points(vertices, what))
    while len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(set(ring)) < 3:
        raise GeometryError(f"A {what} needs at least 3 points.")
    # Edges take the short way round in longitude; a ring whose steps add up
    # to a full turn goes round a pole, which the ray test cannot represent.
    turn = 0.0
    previous_lon = ring[-1][1]
    for _lat, lon in ring:
        turn += wrap180(lon - previous_lon)
        previous_lon = lon
    if abs(turn) > 180.0:
        raise GeometryError(f"The {what} must not surround the North or South Pole.")
    return ring


def locate(lat: float, lon: float, ring: list[LatLon]) -> int:
    """Where the point lies relative to a ring of geodesic edges.

    The ray runs north along the point's own meridian to the pole.  Because
    longitude changes monotonically along a geodesic, whether an edge crosses
    that meridian is a cheap longitude comparison, and only those edges (plus
    ones passing within tolerance) need any 3D arithmetic; the side test uses
    the edge's plane through the earth's centre.
    """
    q = ecef(lat, lon)
    cos_lat = math.cos(math.radians(lat))
    # Longitude window (degrees) inside which an edge can pass within
    # tolerance of the point; unbounded at the poles, where meridians meet.
    window = 360.0 if cos_lat < 1e-9 else math.degrees(2 * EDGE_TOLERANCE_M / (A * cos_lat))
    at_pole = abs(lat) == 90.0
    inside = False
    previous_lat, previous_lon = ring[-1]
    # Each vertex gets exactly one offset from the point's meridian: deriving
    # it a second way (previous offset plus the edge's step) can round a
    # 1e-23 degree offset to zero and flip its side.
    previous_offset = wrap180(previous_lon - lon)
    for vertex_lat, vertex_lon in ring:
        offset_a, offset_b = previous_offset, wrap180(vertex_lon - lon)
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
        ax, ay, az = (c - qc for c, qc in zip(ecef(lat_a, lon_a), q, strict=True))
        bx, by, bz = (c - qc for c, qc in zip(ecef(vertex_lat, vertex_lon), q, strict=True))
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
            return BOUNDARY
        if not at_pole and not far_side and (offset_a > 0) != (offset_b > 0):
            # Travelling east, north of the edge is on its left (side > 0);
            # the crossing is north of the point when the point is south.
            if (side < 0) if offset_b > offset_a else (side > 0):
                inside = not inside
    return INSIDE if inside else OUTSIDE


def point_in_polygon(lat: float, lon: float, vertices: Sequence[Sequence[float]]) -> bool:
    """Whether the point is inside the polygon; points on an edge count as inside.

    Edges are geodesics.  Holes are not supported here (see
    point_in_multipolygon); run validate_polygon once on user input, since this
    check does not look for crossing edges on every call.
    """
    lat, lon = validate_point(lat, lon)
    return locate(lat, lon, polygon_ring(vertices)) != OUTSIDE


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
        rings.append(polygon_ring(points, "boundary ring"))
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
        where = locate(lat, lon, rings[0])
        if where == OUTSIDE:
            continue
        if where == BOUNDARY:
            return True
        holes = (locate(lat, lon, hole) for hole in rings[1:])
        if all(hole != INSIDE for hole in holes):
            return True
    return False


def polygon_area_m2(vertices: Sequence[Sequence[float]]) -> float:
    """Area in square metres enclosed by the polygon's geodesic edges."""
    return ring_area_m2(polygon_ring(vertices))


def _ring_plane_xy(ring: list[LatLon]) -> tuple[list[float], list[float]]:
    # Longitudes unwrapped along the ring so an antimeridian crossing stays a
    # short edge; x is scaled so grid cells are roughly square on the ground.
    scale = math.cos(math.radians(sum(lat for lat, _ in ring) / len(ring)))
    xs, ys = [], []
    unwrapped = ring[0][1]
    previous = ring[0][1]
    for lat, lon in ring:
        unwrapped += wrap180(lon - previous)
        previous = lon
        xs.append(unwrapped * scale)
        ys.append(lat)
    return xs, ys


def _all_collinear(xs: list[float], ys: list[float]) -> bool:
    far = max(range(len(xs)), key=lambda i: (xs[i] - xs[0]) ** 2 + (ys[i] - ys[0]) ** 2)
    ux, uy = xs[far] - xs[0], ys[far] - ys[0]
    limit = 1e-12 * (ux * ux + uy * uy)
    return all(abs(ux * (y - ys[0]) - uy * (x - xs[0])) <= limit for x, y in zip(xs, ys, strict=True))


def _plane_area(xs: list[float], ys: list[float]) -> float:
    # Shoelace formula, taken relative to the first vertex to keep its precision.
    x0, y0 = xs[0], ys[0]
    twice = 0.0
    previous_x, previous_y = xs[-1] - x0, ys[-1] - y0
    for x, y in zip(xs, ys, strict=True):
        x, y = x - x0, y - y0
        twice += previous_x * y - x * previous_y
        previous_x, previous_y = x, y
    return abs(twice) / 2


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
            if segments_touch(xs[i], ys[i], xs[i2], ys[i2], xs[j], ys[j], xs[j2], ys[j2]):
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
    limit = vertex_limit(max_vertices)
    # Reject a huge list before validating every point in it (one extra
    # entry is allowed for a closing point).
    if isinstance(vertices, Sequence) and len(vertices) > limit + 1:
        check_vertex_count(len(vertices), limit, "polygon")
    ring = polygon_ring(vertices)
    check_vertex_count(len(ring), limit, "polygon")
    xs, ys = _ring_plane_xy(ring)
    if _all_collinear(xs, ys):
        raise GeometryError("The polygon has no area: its points all lie on one line.")
    if _has_crossing(xs, ys):
        raise GeometryError("The polygon's edges cross each other; draw it without crossing lines.")
    # Compare with the squared size so only slivers that are lines in
    # disguise are refused, whatever the polygon's scale. Measured in the same
    # plane as the two checks above: the exact geodesic area costs a geodesic
    # solution per edge, seconds for a jurisdiction boundary of 1e5 vertices.
    height, width = max(ys) - min(ys), max(xs) - min(xs)
    if _plane_area(xs, ys) <= 1e-6 * (height * height + width * width):
        raise GeometryError("The polygon has no area: its points all lie on one line.")
    if max_area_m2 is not None:
        area_limit = non_negative(max_area_m2, "The area limit")
        area = ring_area_m2(ring)
        if area > area_limit:
            raise GeometryError(
                f"The polygon covers {format_quantity(area / 1e6)} km², "
                f"more than the limit of {format_quantity(area_limit / 1e6)} km²."
            )
    return ring
