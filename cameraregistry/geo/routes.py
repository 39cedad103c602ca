"""Routes: polylines of geodesic segments, drawn along the streets of an incident."""

from __future__ import annotations

from collections.abc import Sequence

from cameraregistry.geo.geodesic import inverse
from cameraregistry.geo.plane import LocalPlane, point_segment_distance
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


def route_points(vertices: object) -> list[LatLon]:
    """The route as (lat, lon) floats, repeats dropped; at least two points."""
    route = without_repeats(coerce_points(vertices, "route"))
    if len(route) < 2:
        raise GeometryError("A route needs at least 2 points.")
    return route


def _path_length(route: list[LatLon]) -> float:
    return sum(inverse(*a, *b)[0] for a, b in zip(route, route[1:], strict=False))


def validate_route(
    vertices: Sequence[Sequence[float]], max_vertices: int = 200, max_length_m: float | None = None
) -> list[LatLon]:
    """Check a drawn route and return its (lat, lon) points, repeats dropped."""
    limit = vertex_limit(max_vertices)
    if isinstance(vertices, Sequence) and len(vertices) > limit:
        check_vertex_count(len(vertices), limit, "route")
    route = route_points(vertices)
    check_vertex_count(len(route), limit, "route")
    if max_length_m is not None:
        length_limit = non_negative(max_length_m, "The length limit")
        length = _path_length(route)
        if length > length_limit:
            raise GeometryError(
                f"The route is {format_quantity(length / 1000)} km long, "
                f"more than the limit of {format_quantity(length_limit / 1000)} km."
            )
    return route


def route_length_m(vertices: Sequence[Sequence[float]]) -> float:
    """Total geodesic length of the route in metres."""
    return _path_length(route_points(vertices))


def distance_to_polyline_m(lat: float, lon: float, vertices: Sequence[Sequence[float]]) -> float:
    """Shortest distance in metres from the point to the route.

    Computed in a plane centred on the point, where distances from the point
    are geodesic and nearby segments are straight to well under a millimetre.
    """
    lat, lon = validate_point(lat, lon)
    route = route_points(vertices)
    plane = LocalPlane(lat, lon)
    points = [plane.project_azimuthal(*point) for point in route]
    return min(
        point_segment_distance(0.0, 0.0, ax, ay, bx, by) for (ax, ay), (bx, by) in zip(points, points[1:], strict=False)
    )
