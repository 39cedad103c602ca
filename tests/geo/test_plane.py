"""The local plane: cameraregistry.geo.plane, with geographiclib as the reference."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry import geo as g
from cameraregistry.geo.plane import LocalPlane, point_segment_distance, segment_segment_distance
from tests.geo.helpers import PROPERTY, WGS84, bearings, direct, latitudes


@PROPERTY
@given(
    st.floats(min_value=-89.9, max_value=89.9),
    st.floats(min_value=-180, max_value=180),
    bearings,
    st.floats(min_value=0.01, max_value=100_000),
)
@pytest.mark.slow
def test_azimuthal_projection_keeps_distance_and_bearing_from_the_centre(lat, lon, azimuth, distance):
    x, y = LocalPlane(lat, lon).project_azimuthal(*direct(lat, lon, azimuth, distance))
    assert math.hypot(x, y) == pytest.approx(distance, rel=1e-7, abs=1e-4)
    # Sideways error in metres: what the cone and route tests rely on.
    sideways = math.radians(g.angle_difference_deg(math.degrees(math.atan2(x, y)), azimuth)) * distance
    assert sideways < 0.02


@pytest.mark.slow
@PROPERTY
@given(latitudes, st.floats(min_value=-179, max_value=179), bearings, st.floats(min_value=0, max_value=2000))
def test_first_order_projection_is_good_to_well_under_a_metre_in_a_search_area(lat, lon, azimuth, distance):
    x, y = LocalPlane(lat, lon).project(*direct(lat, lon, azimuth, distance))
    assert abs(math.hypot(x, y) - distance) < 1.0


def test_first_order_projection_scales_by_the_radii_of_curvature():
    plane = LocalPlane(40.0, -75.0)
    north = WGS84.Inverse(40.0, -75.0, 40.001, -75.0)["s12"]
    east = WGS84.Inverse(40.0, -75.0, 40.0, -74.999)["s12"]
    assert plane.project(40.0, -75.0) == (0.0, 0.0)
    assert plane.metres_per_degree_lat * 0.001 == pytest.approx(north, abs=1e-4)
    assert plane.metres_per_degree_lon * 0.001 == pytest.approx(east, abs=1e-4)


def test_ranking_and_the_candidate_query_share_the_one_plane():
    from canvass import candidates, ranking

    assert ranking.LocalPlane is candidates.LocalPlane is LocalPlane


def test_point_segment_distance_known_cases():
    assert point_segment_distance(0, 1, -1, 0, 1, 0) == 1
    assert point_segment_distance(3, 4, 0, 0, 0, 0) == 5
    # Beyond the segment's end the nearest point is the end.
    assert point_segment_distance(4, 4, 0, 0, 1, 0) == 5


def test_segment_segment_distance_known_cases():
    assert segment_segment_distance(-1, 0, 1, 0, 0, -1, 0, 1) == 0
    assert segment_segment_distance(0, 0, 1, 0, 0, 2, 1, 2) == 2
    assert segment_segment_distance(0, 0, 1, 0, 1, 0, 2, 5) == 0


@PROPERTY
@given(
    st.floats(min_value=-89.9, max_value=89.9),
    st.floats(min_value=-180, max_value=180),
    bearings,
    st.floats(min_value=0.01, max_value=1_000),
)
@pytest.mark.slow
def test_unproject_azimuthal_matches_geodesic_direct_within_outline_ranges(lat, lon, azimuth, distance):
    angle = math.radians(azimuth)
    point = LocalPlane(lat, lon).unproject_azimuthal(distance * math.sin(angle), distance * math.cos(angle))
    reference = direct(lat, lon, azimuth, distance)
    # Compared as the geodesic gap between the two points: measured at most 2e-8 m up to 1 km.
    assert WGS84.Inverse(*point, *reference)["s12"] < 5e-8


def test_unproject_azimuthal_inverts_project_azimuthal():
    plane = LocalPlane(40.0, -75.0)
    assert plane.unproject_azimuthal(0.0, 0.0) == (40.0, -75.0)
    x, y = plane.project_azimuthal(*direct(40.0, -75.0, 123.0, 800.0))
    lat, lon = plane.unproject_azimuthal(x, y)
    assert plane.project_azimuthal(lat, lon) == pytest.approx((x, y), abs=1e-8)
