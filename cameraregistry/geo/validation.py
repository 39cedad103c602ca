"""Checking geometric input: numbers, points and point lists.

Bad input raises GeometryError (a ValueError) with a message that can be shown
to the person who typed or drew it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from numbers import Real

LatLon = tuple[float, float]

MAX_STEPS = 3600


class GeometryError(ValueError):
    """Invalid geometric input; the message is suitable for end users."""


def number(value: object, name: str) -> float:
    """value as a finite float, or GeometryError naming it."""
    # bool is an int subclass, but True as a coordinate is always a bug;
    # Decimal is accepted because DecimalField and JSON parsers produce it.
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise GeometryError(f"{name} must be a number.")
    result = float(value)
    if not math.isfinite(result):
        raise GeometryError(f"{name} must be a finite number.")
    return result


def non_negative(value: object, name: str, limit: float | None = None, unit_name: str = "") -> float:
    """value as a float in [0, limit], or GeometryError naming it (unit_name words the limit)."""
    result = number(value, name)
    if result < 0:
        raise GeometryError(f"{name} must be zero or more.")
    if limit is not None and result > limit:
        raise GeometryError(f"{name} must be at most {unit_name}.")
    return result


def step_count(value: object, minimum: int) -> int:
    """A whole number of steps for outlining a shape, between minimum and MAX_STEPS."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_STEPS:
        raise GeometryError(f"Steps must be a whole number between {minimum} and {MAX_STEPS}.")
    return value


def validate_point(lat: object, lon: object) -> LatLon:
    """Return (lat, lon) as floats, or raise GeometryError if not a real position (any input: a form's, a file's)."""
    lat_f = number(lat, "Latitude")
    lon_f = number(lon, "Longitude")
    if not -90.0 <= lat_f <= 90.0:
        raise GeometryError("Latitude must be between -90 and 90.")
    if not -180.0 <= lon_f <= 180.0:
        raise GeometryError("Longitude must be between -180 and 180.")
    return lat_f, lon_f


def coerce_points(vertices: object, what: str) -> list[LatLon]:
    """The vertices as (lat, lon) floats; the messages name the shape (what) and the bad point."""
    if isinstance(vertices, str | bytes | Mapping) or not isinstance(vertices, Sequence):
        raise GeometryError(f"A {what} must be a list of [latitude, longitude] points.")
    points: list[LatLon] = []
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


def without_repeats(points: list[LatLon]) -> list[LatLon]:
    """The points with consecutive duplicates dropped."""
    # A double click on the map adds the same vertex twice; that is noise, not
    # a zero-length edge worth rejecting the drawing for.
    result: list[LatLon] = []
    for point in points:
        if not result or point != result[-1]:
            result.append(point)
    return result


def vertex_limit(max_vertices: object) -> int:
    """max_vertices checked as a positive whole number."""
    if isinstance(max_vertices, bool) or not isinstance(max_vertices, int) or max_vertices < 1:
        raise GeometryError("The vertex limit must be a positive whole number.")
    return max_vertices


def check_vertex_count(count: int, limit: int, what: str) -> None:
    """GeometryError when a shape has more than limit points."""
    if count > limit:
        raise GeometryError(f"A {what} can have at most {limit:,} points; this one has {count:,}.")


def format_quantity(value: float) -> str:
    """A number for a message: whole above 100, two decimals above 1, three significant digits below."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"
