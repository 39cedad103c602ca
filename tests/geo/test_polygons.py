"""Polygons: cameraregistry.geo.polygons, with geographiclib as the reference."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry import geo as g
from cameraregistry.geo import GeometryError
from tests.geo.helpers import (
    CAMERA,
    PROPERTY,
    WGS84,
    bearings,
    direct,
    latitudes,
    longitudes,
    star_polygon,
)

SQUARE = [(40.0, -75.0), (40.0, -74.99), (40.01, -74.99), (40.01, -75.0)]


def test_validate_polygon_accepts_open_and_closed_rings():
    assert g.validate_polygon(SQUARE) == SQUARE
    assert g.validate_polygon([*SQUARE, SQUARE[0]]) == SQUARE
    assert g.validate_polygon([[lat, lon] for lat, lon in SQUARE]) == SQUARE


@pytest.mark.parametrize(
    ("vertices", "message"),
    [
        ([(0, 0), (1, 1), (1, 0), (0, 1)], "The polygon's edges cross each other; draw it without crossing lines."),
        ([(0, 0), (1, 1)], "A polygon needs at least 3 points."),
        ([(0, 0), (1, 1), (0, 0)], "A polygon needs at least 3 points."),
        ([(0, 0), (1, 1), (0, 0), (1, 1)], "A polygon needs at least 3 points."),
        ([(0, 0), (0, 1), (0, 2), (0, 3)], "The polygon has no area: its points all lie on one line."),
        ([(0, 0), (1, 0), (2, 0)], "The polygon has no area: its points all lie on one line."),
        ([(0, 0), (0, 2), (1, 1), (-1, 1), (0.5, 0.5)], "The polygon's edges cross each other"),
        ([(0, 0), (2, 0), (1, 0), (1, 1)], "The polygon's edges cross each other"),
        ([(0, 0), (0, 1), (1, 1), (1, 0), (0.5, 1)], "The polygon's edges cross each other"),
        ([(80, 0), (80, 120), (80, -120)], "The polygon must not surround the North or South Pole."),
        ([(0, 0), (math.nan, 1), (1, 1)], "Point 2 of the polygon: Latitude must be a finite number."),
        ([(0, 0), (1, 1, 3), (1, 1)], "Point 2 of the polygon must be a pair"),
        ("0,0 1,1 1,0", "A polygon must be a list"),
    ],
)
def test_validate_polygon_errors(vertices, message):
    with pytest.raises(GeometryError) as raised:
        g.validate_polygon(vertices)
    assert str(raised.value).startswith(message)


@pytest.mark.slow
def test_validate_polygon_vertex_and_area_limits():
    huge = [g.destination_point(*CAMERA, 360 * k / 10_000, 500) for k in range(10_000)]
    with pytest.raises(GeometryError, match="at most 200 points"):
        g.validate_polygon(huge)
    assert len(g.validate_polygon(huge, max_vertices=10_000)) == 10_000
    with pytest.raises(GeometryError) as raised:
        g.validate_polygon(SQUARE, max_area_m2=500_000)
    assert str(raised.value) == "The polygon covers 0.948 km², more than the limit of 0.5 km²."
    assert g.validate_polygon(SQUARE, max_area_m2=1_000_000) == SQUARE


def test_polygon_across_the_antimeridian():
    ring = [(10, 179.9), (10, -179.9), (10.1, -179.9), (10.1, 179.9)]
    assert g.validate_polygon(ring) == ring
    assert g.point_in_polygon(10.05, 180, ring)
    assert g.point_in_polygon(10.05, -179.95, ring)
    assert not g.point_in_polygon(10.05, 179.5, ring)
    reference = WGS84.Polygon()
    for vertex in ring:
        reference.AddPoint(*vertex)
    assert g.polygon_area_m2(ring) == pytest.approx(abs(reference.Compute(False, True)[2]), rel=1e-4)


def test_point_in_polygon_known_cases():
    assert g.point_in_polygon(40.005, -74.995, SQUARE)
    assert not g.point_in_polygon(40.02, -74.995, SQUARE)
    assert not g.point_in_polygon(40.005, -74.98, SQUARE)
    assert not g.point_in_polygon(-40.005, 105.005, SQUARE)  # antipode of the square
    # Vertices and points on edges count as inside.
    assert g.point_in_polygon(*SQUARE[2], SQUARE)
    midpoint = WGS84.InverseLine(*SQUARE[1], *SQUARE[2]).Position(500)
    assert g.point_in_polygon(midpoint["lat2"], midpoint["lon2"], SQUARE)
    top = WGS84.InverseLine(*SQUARE[2], *SQUARE[3])
    top_mid = top.Position(top.s13 / 2)
    assert g.point_in_polygon(top_mid["lat2"], top_mid["lon2"], SQUARE)
    assert g.polygon_contains_point(40.005, -74.995, SQUARE)


@pytest.mark.parametrize("nudge", [-2.3e-23, 0.0, 2.3e-23, -1e-9, 1e-9])
def test_point_in_polygon_when_the_ray_passes_through_vertices(nudge):
    # The test ray runs north along the point's meridian; here it goes
    # straight through a vertex (triangle) or two (diamond).
    triangle = star_polygon((0.9375, 0.0), [0, 120, 240], [50, 50, 50])
    assert g.point_in_polygon(0.9375, nudge, triangle)
    diamond = [(-0.001, 0.0), (0.0, 0.001), (0.001, 0.0), (0.0, -0.001)]
    assert g.point_in_polygon(0.0, nudge, diamond)
    assert not g.point_in_polygon(-0.002, nudge, diamond)
    assert not g.point_in_polygon(0.002, nudge, diamond)


def test_point_in_polygon_with_concave_shape():
    # A "U": the notch between the arms is outside.
    u_shape = [(0, 0), (0, 0.03), (0.03, 0.03), (0.03, 0.02), (0.01, 0.02), (0.01, 0.01), (0.03, 0.01), (0.03, 0)]
    assert g.point_in_polygon(0.02, 0.005, u_shape)
    assert g.point_in_polygon(0.02, 0.025, u_shape)
    assert not g.point_in_polygon(0.02, 0.015, u_shape)
    assert g.point_in_polygon(0.005, 0.015, u_shape)


@st.composite
def star_bearings(draw):
    """3-12 bearings around the compass, one per equal slot, jittered within it.

    Keeping each bearing within a fifth of a slot of the slot's start bounds
    the gap between neighbours at 1.4 slots (168 degrees for a triangle).
    """
    count = draw(st.integers(min_value=3, max_value=12))
    slot = 360 / count
    start = draw(bearings)
    jitters = draw(st.lists(st.floats(min_value=-0.2, max_value=0.2), min_size=count, max_size=count))
    return [(start + (i + jitter) * slot) % 360 for i, jitter in enumerate(jitters)], 1.4 * slot


@PROPERTY
@given(
    latitudes,
    longitudes,
    star_bearings(),
    st.lists(st.floats(min_value=1.0, max_value=2.0), min_size=12, max_size=12),
    st.floats(min_value=50, max_value=5000),
    bearings,
    st.floats(min_value=0, max_value=1),
)
@pytest.mark.slow
def test_point_in_polygon_star_shapes(lat, lon, star, stretch, scale, azimuth, depth):
    angles, widest_gap = star
    radii = [scale * s for s in stretch[: len(angles)]]
    ring = star_polygon((lat, lon), angles, radii)
    # Every vertex is at least `scale` away and neighbours are at most
    # widest_gap apart in bearing, so the disc of radius
    # scale*cos(widest_gap/2) is inside; nothing beyond the farthest vertex is.
    inner = scale * math.cos(math.radians(widest_gap / 2))
    assert g.point_in_polygon(*direct(lat, lon, azimuth, 0.95 * inner * depth), ring)
    assert not g.point_in_polygon(*direct(lat, lon, azimuth, max(radii) * (1.05 + depth)), ring)


@PROPERTY
@given(
    latitudes,
    longitudes,
    star_bearings(),
    st.lists(st.floats(min_value=0.05, max_value=1.0), min_size=12, max_size=12),
    st.floats(min_value=100, max_value=10_000),
)
@pytest.mark.slow
def test_polygon_area_matches_geographiclib(lat, lon, star, stretch, scale):
    angles, _widest_gap = star
    ring = star_polygon((lat, lon), angles, [scale * s for s in stretch[: len(angles)]])
    reference = WGS84.Polygon()
    for vertex in ring:
        reference.AddPoint(*vertex)
    expected = abs(reference.Compute(False, True)[2])
    assert g.polygon_area_m2(ring) == pytest.approx(expected, rel=0.005)


def test_point_in_multipolygon_with_holes():
    outer = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    hole = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6]]
    polygon = {"type": "Polygon", "coordinates": [outer, hole]}
    assert g.point_in_multipolygon(0.2, 0.2, polygon)
    assert not g.point_in_multipolygon(0.5, 0.5, polygon)
    assert g.point_in_multipolygon(0.4, 0.5, polygon)  # on the hole's edge
    assert not g.point_in_multipolygon(2, 2, polygon)
    island = [[5, 5, 12.0], [5.1, 5], [5.1, 5.1], [5, 5.1]]  # altitude ignored
    multi = {"type": "MultiPolygon", "coordinates": [[outer, hole], [island]]}
    assert g.point_in_multipolygon(5.05, 5.05, multi)  # lat 5.05, lon 5.05
    assert not g.point_in_multipolygon(0.5, 0.5, multi)
    assert g.point_in_multipolygon(0.9, 0.1, multi)
    assert not g.point_in_multipolygon(0.5, 0.5, {"type": "MultiPolygon", "coordinates": []})


def test_point_in_multipolygon_uses_geojson_axis_order():
    # A tall thin polygon: longitudes 10..10.01, latitudes 50..51.
    thin = {"type": "Polygon", "coordinates": [[[10, 50], [10.01, 50], [10.01, 51], [10, 51]]]}
    assert g.point_in_multipolygon(50.5, 10.005, thin)
    assert not g.point_in_multipolygon(10.005, 50.5, thin)


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [0, 0]},
        {"coordinates": [[[0, 0], [1, 0], [1, 1]]]},
        {"type": "Polygon", "coordinates": None},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, "x"], [1, 1]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1], [1, 1]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 91]]]},
        {"type": "MultiPolygon", "coordinates": {"a": 1}},
        [[0, 0], [1, 0], [1, 1]],
    ],
)
def test_point_in_multipolygon_rejects_bad_geometry(geometry):
    with pytest.raises(GeometryError):
        g.point_in_multipolygon(0.5, 0.5, geometry)


@pytest.mark.slow
def test_large_boundary_is_fast_enough():
    boundary = [g.destination_point(45, -93, 360 * k / 20_000, 30_000) for k in range(20_000)]
    assert len(g.validate_polygon(boundary, max_vertices=100_000)) == 20_000
    assert g.point_in_polygon(45.1, -93.1, boundary)
    assert not g.point_in_polygon(45.5, -93, boundary)


def test_validate_polygon_refuses_a_sliver_and_keeps_a_thin_strip():
    # Under a millimetre wide over a kilometre: a line drawn with a shaky hand.
    sliver = [(40.0, -75.0), (40.01, -75.0), (40.005, -75.0 + 1e-8)]
    with pytest.raises(GeometryError, match="The polygon has no area"):
        g.validate_polygon(sliver)
    # Five metres wide over a kilometre: a street, and a real search area.
    strip = [(40.0, -75.0), (40.01, -75.0), (40.01, -74.99994), (40.0, -74.99994)]
    assert g.validate_polygon(strip) == strip
    reference = WGS84.Polygon()
    for vertex in strip:
        reference.AddPoint(*vertex)
    assert g.polygon_area_m2(strip) == pytest.approx(abs(reference.Compute()[2]), rel=1e-9)
