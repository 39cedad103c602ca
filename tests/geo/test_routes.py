"""Routes: cameraregistry.geo.routes, with geographiclib as the reference."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry import geo as g
from cameraregistry.geo import GeometryError
from tests.geo.helpers import (
    CAMERA,
    SLOW_PROPERTY,
    WGS84,
    bearings,
    direct,
    latitudes,
    longitudes,
    offset,
)


def test_validate_route_errors():
    with pytest.raises(GeometryError, match="A route needs at least 2 points."):
        g.validate_route([(40, -75)])
    with pytest.raises(GeometryError, match="A route needs at least 2 points."):
        g.validate_route([(40, -75), (40, -75)])
    with pytest.raises(GeometryError, match="at most 200 points"):
        g.validate_route([(40 + k * 1e-5, -75) for k in range(201)])
    with pytest.raises(GeometryError) as raised:
        g.validate_route([(0, 0), (0, 0.1), (0.1, 0.1)], max_length_m=5000)
    assert "22.19 km" in str(raised.value) and "5 km" in str(raised.value)
    with pytest.raises(GeometryError):
        g.validate_route("not a route")
    assert g.validate_route([(40, -75), (40, -75), (40.001, -75)]) == [(40.0, -75.0), (40.001, -75.0)]


def test_route_length_matches_geographiclib():
    route = [(40, -75), (40.01, -75), (40.01, -74.98), (39.99, -74.97)]
    expected = sum(WGS84.Inverse(*a, *b)["s12"] for a, b in zip(route, route[1:], strict=False))
    assert g.route_length_m(route) == pytest.approx(expected, abs=1e-5)


def test_distance_to_polyline_known_cases():
    route = [offset(CAMERA, 180, 30, 270, 100), offset(CAMERA, 180, 30, 90, 100)]
    assert g.distance_to_polyline_m(*CAMERA, route) == pytest.approx(30, abs=0.01)
    assert g.distance_to_polyline_m(*route[0], route) == 0
    beyond_end = offset(CAMERA, 180, 30, 90, 140)
    assert g.distance_to_polyline_m(*beyond_end, route) == pytest.approx(40, abs=0.01)


def geodesic_distance_to_route(lat, lon, route):
    best = math.inf
    for a, b in zip(route, route[1:], strict=False):
        line = WGS84.InverseLine(*a, *b)

        def gap(s, line=line):
            p = line.Position(s)
            return WGS84.Inverse(lat, lon, p["lat2"], p["lon2"])["s12"]

        low, high = 0.0, line.s13
        for _ in range(45):
            m1, m2 = low + (high - low) / 3, high - (high - low) / 3
            if gap(m1) < gap(m2):
                high = m2
            else:
                low = m1
        best = min(best, gap((low + high) / 2), gap(0), gap(line.s13))
    return best


@SLOW_PROPERTY
@given(
    latitudes,
    longitudes,
    st.lists(st.tuples(bearings, st.floats(min_value=20, max_value=6000)), min_size=1, max_size=3),
    bearings,
    st.floats(min_value=0, max_value=10_000),
)
@pytest.mark.slow
def test_distance_to_polyline_matches_geodesic(lat, lon, legs, azimuth, distance):
    route = [(lat, lon)]
    for heading, length in legs:
        route.append(direct(*route[-1], heading, length))
    query = direct(lat, lon, azimuth, distance)
    expected = geodesic_distance_to_route(*query, route)
    assert g.distance_to_polyline_m(*query, route) == pytest.approx(expected, rel=0.01, abs=1.0)
