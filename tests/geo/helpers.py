"""Shared scene builders and hypothesis settings for the geometry tests; geographiclib is the reference."""

from geographiclib.geodesic import Geodesic
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

WGS84 = Geodesic.WGS84
CAMERA = (40.0, -75.0)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
latitudes = st.floats(min_value=-70, max_value=70)
longitudes = st.floats(min_value=-180, max_value=180)
bearings = st.floats(min_value=0, max_value=360, exclude_max=True)
distances = st.floats(min_value=1, max_value=50_000)


def direct(lat, lon, azimuth, distance):
    result = WGS84.Direct(lat, lon, azimuth, distance)
    return result["lat2"], result["lon2"]


def offset(origin, first_bearing, first_distance, second_bearing=0.0, second_distance=0.0):
    """A point reached by two geodesic legs, handy for building scenes around the camera."""
    point = direct(*origin, first_bearing, first_distance)
    return direct(*point, second_bearing, second_distance) if second_distance else point


def star_polygon(centre, bearing_list, radii):
    return [direct(*centre, bearing, radius) for bearing, radius in zip(bearing_list, radii, strict=True)]
