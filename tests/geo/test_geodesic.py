"""Geodesics: cameraregistry.geo.geodesic, with geographiclib as the reference."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry import geo as g
from tests.geo.helpers import (
    CAMERA,
    PROPERTY,
    WGS84,
    bearings,
    direct,
    distances,
    latitudes,
    longitudes,
)


def test_point_due_north_at_100_m():
    north = g.destination_point(*CAMERA, 0, 100)
    assert g.distance_m(*CAMERA, *north) == pytest.approx(100, abs=1e-6)
    assert g.angle_difference_deg(g.initial_bearing_deg(*CAMERA, *north), 0) < 1e-6
    assert north[1] == pytest.approx(CAMERA[1], abs=1e-12)


def test_same_point_has_zero_distance_and_bearing():
    assert g.distance_m(*CAMERA, *CAMERA) == 0
    assert g.initial_bearing_deg(*CAMERA, *CAMERA) == 0
    assert g.destination_point(*CAMERA, 123, 0) == CAMERA


def test_one_degree_of_latitude_at_equator():
    assert g.distance_m(0, 0, 1, 0) == pytest.approx(WGS84.Inverse(0, 0, 1, 0)["s12"], abs=1e-4)
    assert g.distance_m(0, 0, 1, 0) == pytest.approx(110574.4, abs=0.1)


def test_distance_across_the_antimeridian():
    expected = WGS84.Inverse(10, 179.99, 10, -179.99)["s12"]
    assert g.distance_m(10, 179.99, 10, -179.99) == pytest.approx(expected, abs=1e-4)
    assert g.initial_bearing_deg(10, 179.99, 10, -179.99) == pytest.approx(90, abs=0.01)


def test_destination_longitude_is_normalised():
    lat, lon = g.destination_point(0, 179.9999, 90, 1000)
    assert -180 <= lon < 180
    assert g.distance_m(0, 179.9999, lat, lon) == pytest.approx(1000, abs=1e-6)


@pytest.mark.parametrize(
    ("lat1", "lon1", "lat2", "lon2"),
    [(0, 0, 0, 180), (0, 0, 0.5, 179.7), (1, 0, -1.0001, 179.8), (0, 0, 0, 179.5), (90, 0, -90, 0)],
)
def test_nearly_antipodal_points_are_solved(lat1, lon1, lat2, lon2):
    reference = WGS84.Inverse(lat1, lon1, lat2, lon2)
    assert g.distance_m(lat1, lon1, lat2, lon2) == pytest.approx(reference["s12"], abs=0.01)
    # The azimuth found must lead to the other point (for symmetric pairs
    # two azimuths are equally short, so compare where it goes, not the angle).
    azimuth = g.initial_bearing_deg(lat1, lon1, lat2, lon2)
    arrival = direct(lat1, lon1, azimuth, reference["s12"])
    assert WGS84.Inverse(*arrival, lat2, lon2)["s12"] < 1.0


@PROPERTY
@given(latitudes, longitudes, bearings, st.floats(min_value=0, max_value=50_000))
def test_distance_matches_geographiclib(lat, lon, azimuth, distance):
    lat2, lon2 = direct(lat, lon, azimuth, distance)
    forward = g.distance_m(lat, lon, lat2, lon2)
    backward = g.distance_m(lat2, lon2, lat, lon)
    assert forward >= 0
    assert forward == pytest.approx(backward, abs=1e-6)
    assert abs(forward - WGS84.Inverse(lat, lon, lat2, lon2)["s12"]) < 0.5


@pytest.mark.slow
@PROPERTY
@given(latitudes, longitudes, bearings, distances)
def test_bearing_matches_geographiclib(lat, lon, azimuth, distance):
    lat2, lon2 = direct(lat, lon, azimuth, distance)
    expected = WGS84.Inverse(lat, lon, lat2, lon2)["azi1"] % 360
    bearing = g.initial_bearing_deg(lat, lon, lat2, lon2)
    assert 0 <= bearing < 360
    assert g.angle_difference_deg(bearing, expected) < 0.01


@PROPERTY
@given(latitudes, longitudes, bearings, distances)
def test_destination_matches_geographiclib(lat, lon, azimuth, distance):
    ours = g.destination_point(lat, lon, azimuth, distance)
    reference = direct(lat, lon, azimuth, distance)
    assert WGS84.Inverse(*ours, *reference)["s12"] < 0.5


@PROPERTY
@given(latitudes, longitudes, bearings, distances)
def test_destination_round_trips(lat, lon, azimuth, distance):
    lat2, lon2 = g.destination_point(lat, lon, azimuth, distance)
    assert g.distance_m(lat, lon, lat2, lon2) == pytest.approx(distance, rel=1e-9, abs=1e-6)
    assert g.angle_difference_deg(g.initial_bearing_deg(lat, lon, lat2, lon2), azimuth) < 1e-6
