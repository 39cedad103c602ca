"""View cones, against points, circles, routes and polygons: cameraregistry.geo.cones, with geographiclib as the reference."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cameraregistry import geo as g
from cameraregistry.geo.routes import route_points
from tests.geo.helpers import (
    CAMERA,
    PROPERTY,
    SLOW_PROPERTY,
    WGS84,
    bearings,
    direct,
    distances,
    latitudes,
    longitudes,
    offset,
)


def test_point_in_cone_known_cases():
    north = g.destination_point(*CAMERA, 0, 100)
    behind = g.destination_point(*CAMERA, 180, 100)
    far = g.destination_point(*CAMERA, 0, 200)
    assert g.point_in_cone(*CAMERA, 0, 90, 150, *north)
    assert not g.point_in_cone(*CAMERA, 0, 90, 150, *behind)
    assert not g.point_in_cone(*CAMERA, 0, 90, 150, *far)
    assert g.point_in_cone(*CAMERA, 0, 360, 150, *behind)
    assert g.point_in_cone(*CAMERA, 0, 90, 150, *CAMERA)
    assert g.point_in_cone(*CAMERA, 0, 90, 150, *g.destination_point(*CAMERA, 44, 100))
    assert not g.point_in_cone(*CAMERA, 0, 90, 150, *g.destination_point(*CAMERA, 46, 100))
    # A cone facing 350 degrees with a 40 degree field covers 330..10.
    assert g.point_in_cone(*CAMERA, 350, 40, 150, *g.destination_point(*CAMERA, 5, 100))
    assert not g.point_in_cone(*CAMERA, 350, 40, 150, *g.destination_point(*CAMERA, 15, 100))


@pytest.mark.slow
@PROPERTY
@given(latitudes, longitudes, bearings, st.floats(min_value=1, max_value=359), bearings, distances)
def test_point_in_cone_agrees_with_geographiclib(lat, lon, facing, fov, azimuth, distance):
    reach = 25_000.0
    point = direct(lat, lon, azimuth, distance)
    reference = WGS84.Inverse(lat, lon, *point)
    off_axis = g.angle_difference_deg(reference["azi1"], facing)
    assume(abs(reference["s12"] - reach) > 0.01 and abs(off_axis - fov / 2) > 1e-4)
    expected = reference["s12"] < reach and off_axis < fov / 2
    assert g.point_in_cone(lat, lon, facing, fov, reach, *point) == expected


def test_cone_polygon_shape():
    ring = g.cone_polygon(*CAMERA, 30, 90, 100, steps=6)
    assert ring[0] == ring[-1] == CAMERA
    assert len(ring) == 6 + 3
    for point in ring[1:-1]:
        assert g.distance_m(*CAMERA, *point) == pytest.approx(100, abs=1e-6)
        assert g.angle_difference_deg(g.initial_bearing_deg(*CAMERA, *point), 30) <= 45 + 1e-6
    assert g.angle_difference_deg(g.initial_bearing_deg(*CAMERA, *ring[1]), 345) < 1e-6
    assert g.angle_difference_deg(g.initial_bearing_deg(*CAMERA, *ring[-2]), 75) < 1e-6


def test_full_circle_cone_and_circle_polygon():
    circle = g.circle_polygon(*CAMERA, 250, steps=16)
    assert len(circle) == 17 and circle[0] == circle[-1]
    assert all(g.distance_m(*CAMERA, *point) == pytest.approx(250, abs=1e-6) for point in circle)
    cone = g.cone_polygon(*CAMERA, 0, 360, 250, steps=16)
    assert cone == circle


@pytest.mark.parametrize("reach", [0.5, 40, 999, 1_001, 60_000])
def test_outlines_are_on_the_range_either_side_of_the_plane_limit(reach):
    # Up to OUTLINE_PLANE_MAX_M the camera's plane draws the points, beyond it geographiclib's Direct.
    ring = g.cone_polygon(*CAMERA, 200, 120, reach, steps=8)
    for index, point in enumerate(ring[1:-1]):
        assert g.distance_m(*CAMERA, *point) == pytest.approx(reach, abs=1e-6)
        assert g.angle_difference_deg(g.initial_bearing_deg(*CAMERA, *point), 140 + 15 * index) < 1e-6
    circle = g.circle_polygon(-89.5, 179.99, reach, steps=12)
    assert all(g.distance_m(-89.5, 179.99, *point) == pytest.approx(reach, abs=1e-6) for point in circle)
    assert all(-180 <= lon < 180 for _lat, lon in circle)


def test_cone_intersects_circle_known_cases():
    ahead = g.destination_point(*CAMERA, 0, 120)
    behind = g.destination_point(*CAMERA, 180, 60)
    assert g.cone_intersects_circle(*CAMERA, 0, 60, 100, *ahead, 25)
    assert not g.cone_intersects_circle(*CAMERA, 0, 60, 100, *ahead, 15)
    assert not g.cone_intersects_circle(*CAMERA, 0, 60, 100, *behind, 50)
    # A search circle around the camera includes the apex, so it overlaps.
    assert g.cone_intersects_circle(*CAMERA, 0, 60, 100, *behind, 70)
    # Beside the cone: nearest cone point is on its edge ray.
    side = g.destination_point(*CAMERA, 90, 50)
    gap = 50 * math.sin(math.radians(60))
    assert g.cone_intersects_circle(*CAMERA, 0, 60, 100, *side, gap + 0.5)
    assert not g.cone_intersects_circle(*CAMERA, 0, 60, 100, *side, gap - 0.5)
    assert not g.cone_intersects_circle(0, 0, 0, 60, 100, 10, 10, 1000)


def test_route_in_front_of_camera_intersects_cone():
    route = [offset(CAMERA, 0, 30, 270, 100), offset(CAMERA, 0, 30, 90, 100)]
    assert g.cone_intersects_polyline(*CAMERA, 0, 60, 50, route)


def test_route_behind_camera_does_not_intersect_cone():
    route = [offset(CAMERA, 180, 30, 270, 100), offset(CAMERA, 180, 30, 90, 100)]
    assert not g.cone_intersects_polyline(*CAMERA, 0, 60, 50, route)
    # The route is 30 m from the apex: a corridor reaching it counts.
    assert g.cone_intersects_polyline(*CAMERA, 0, 60, 50, route, corridor_m=31)
    assert not g.cone_intersects_polyline(*CAMERA, 0, 60, 50, route, corridor_m=29)
    assert g.cone_intersects_polyline(*CAMERA, 180, 60, 50, route)


def test_route_crossing_the_cone_without_a_vertex_inside():
    # Both vertices far to either side; the segment passes through the cone.
    route = [offset(CAMERA, 0, 40, 270, 5000), offset(CAMERA, 0, 40, 90, 5000)]
    assert g.cone_intersects_polyline(*CAMERA, 0, 20, 50, route)
    assert not g.cone_intersects_polyline(*CAMERA, 0, 20, 35, route)


def test_route_beyond_range_and_beside_the_cone():
    beyond = [offset(CAMERA, 0, 80, 270, 100), offset(CAMERA, 0, 80, 90, 100)]
    assert not g.cone_intersects_polyline(*CAMERA, 0, 90, 60, beyond)
    assert g.cone_intersects_polyline(*CAMERA, 0, 90, 60, beyond, corridor_m=21)
    assert not g.cone_intersects_polyline(*CAMERA, 0, 90, 60, beyond, corridor_m=19)
    # Running north beside a cone facing north-east, never entering it.
    beside = [offset(CAMERA, 270, 10, 0, 1), offset(CAMERA, 270, 10, 0, 200)]
    assert not g.cone_intersects_polyline(*CAMERA, 45, 60, 100, beside)
    assert g.cone_intersects_polyline(*CAMERA, 45, 60, 100, beside, corridor_m=12)
    # The same answers for a route already checked once (what ranking passes).
    route = route_points(beside)
    assert not g.cone_intersects_route(*CAMERA, 45, 60, 100, route)
    assert g.cone_intersects_route(*CAMERA, 45, 60, 100, route, corridor_m=12)
    with pytest.raises(g.GeometryError):
        g.cone_intersects_route(*CAMERA, 45, 60, 100, route, corridor_m=-1)


@SLOW_PROPERTY
@given(
    latitudes,
    longitudes,
    bearings,
    st.floats(min_value=5, max_value=300),
    st.floats(min_value=20, max_value=200),
    bearings,
    st.floats(min_value=0, max_value=250),
    bearings,
    st.floats(min_value=10, max_value=400),
)
def test_cone_intersects_polyline_agrees_with_sampling(lat, lon, facing, fov, reach, azimuth, start, heading, length):
    a = direct(lat, lon, azimuth, start)
    b = direct(*a, heading, length)
    line = WGS84.InverseLine(*a, *b)
    samples = 200
    spacing = line.s13 / samples
    points = [(p["lat2"], p["lon2"]) for p in (line.Position(line.s13 * k / samples) for k in range(samples + 1))]
    result = g.cone_intersects_polyline(lat, lon, facing, fov, reach, [a, b])
    if any(g.point_in_cone(lat, lon, facing, fov, reach, *p) for p in points):
        assert result
    if result:
        assert any(g.cone_intersects_circle(lat, lon, facing, fov, reach, *p, spacing + 0.02) for p in points)


def test_cone_intersects_polygon_known_cases():
    ahead = [offset(CAMERA, 0, 60, 270, 20), offset(CAMERA, 0, 60, 90, 20), offset(CAMERA, 0, 90, 90, 20)]
    behind = [offset(CAMERA, 180, 60, 270, 20), offset(CAMERA, 180, 60, 90, 20), offset(CAMERA, 180, 90, 90, 20)]
    assert g.cone_intersects_polygon(*CAMERA, 0, 60, 100, ahead)
    assert not g.cone_intersects_polygon(*CAMERA, 0, 60, 50, ahead)
    assert not g.cone_intersects_polygon(*CAMERA, 0, 60, 100, behind)
    assert g.cone_intersects_polygon(*CAMERA, 0, 360, 100, behind)
    # The cone lies wholly inside a big polygon: no edge touches it.
    around = [offset(CAMERA, bearing, 5000) for bearing in (0, 90, 180, 270)]
    assert g.cone_intersects_polygon(*CAMERA, 0, 60, 100, around)
    # A polygon straddling the cone's axis with no vertex inside the cone.
    straddle = [offset(CAMERA, 0, 40, 270, 500), offset(CAMERA, 0, 40, 90, 500), offset(CAMERA, 0, 45, 90, 500)]
    assert g.cone_intersects_polygon(*CAMERA, 0, 10, 100, straddle)


@PROPERTY
@given(
    st.floats(min_value=-89, max_value=89),
    longitudes,
    bearings,
    st.floats(min_value=1, max_value=359),
    st.floats(min_value=1, max_value=100_000),
    st.booleans(),
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.floats(min_value=-1e-5, max_value=1e-5),
    st.floats(min_value=0, max_value=1),
)
def test_point_in_cone_decides_points_at_the_edge_as_the_exact_geodesic_does(
    lat, lon, facing, fov, reach, on_arc, radial_nudge, angle_nudge, fraction
):
    # Points within a millimetre of the arc or a hair of an edge ray, where the
    # camera's plane must hand over to the exact geodesic.
    if on_arc:
        azimuth, distance = facing + (fraction - 0.5) * fov, reach + radial_nudge
    else:
        azimuth, distance = facing + fov / 2 + angle_nudge, reach * fraction
    point = direct(lat, lon, azimuth % 360, max(0.0, distance))
    reference = WGS84.Inverse(lat, lon, *point)
    off_axis = g.angle_difference_deg(reference["azi1"], facing)
    # Within a billionth of a degree (or a nanometre) of the tolerance itself, the oracle and point_in_cone may
    # round either way (one subtracts the raw azimuth, the other the azimuth in [0, 360)): neither is wrong there.
    assume(abs(off_axis - (fov / 2 + 1e-6)) > 1e-9 and abs(reference["s12"] - (reach + 1e-6)) > 1e-9)
    expected = reference["s12"] <= reach + 1e-6 and (reference["s12"] == 0 or off_axis <= fov / 2 + 1e-6)
    assert g.point_in_cone(lat, lon, facing, fov, reach, *point) == expected
