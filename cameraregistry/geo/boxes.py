"""Bounding boxes (min_lat, min_lon, max_lat, max_lon) that let the database narrow candidates."""

from __future__ import annotations

import math
from collections.abc import Sequence

from cameraregistry.geo.plane import E2, MIN_M_PER_DEG_LAT, A
from cameraregistry.geo.validation import GeometryError, coerce_points, non_negative, validate_point

BBox = tuple[float, float, float, float]


def bounding_box(vertices: Sequence[Sequence[float]]) -> BBox:
    """(min_lat, min_lon, max_lat, max_lon) of the given points.

    Longitudes are compared as numbers, so a shape crossing the antimeridian
    gets a box spanning almost every longitude: wasteful but never too small.
    """
    points = coerce_points(vertices, "shape")
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
    margin = non_negative(margin_m, "Margin")
    # A micrometre-and-ppb pad absorbs rounding here and in the caller's
    # own coordinates, at no practical cost to the box's selectivity.
    pad = margin * (1 + 1e-9) + 1e-6
    dlat = pad / MIN_M_PER_DEG_LAT
    south, north = max(-90.0, south - dlat), min(90.0, north + dlat)
    # Parallels shrink poleward, so the scale at the most poleward latitude
    # the grown box reaches gives the widest (safe) longitude margin.
    poleward = math.radians(max(abs(south), abs(north)))
    parallel_radius = A * math.cos(poleward) / math.sqrt(1 - E2 * math.sin(poleward) ** 2)
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
