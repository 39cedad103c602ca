"""Tests for cameraregistry.geo, with geographiclib as the reference."""

import math
from decimal import Decimal

import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cameraregistry import geo as g
from cameraregistry.geo import GeometryError

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


# ---------------------------------------------------------------------------
# Points and input checking
# ---------------------------------------------------------------------------


def test_validate_point_returns_floats():
    assert g.validate_point(45, -93) == (45.0, -93.0)
    assert g.validate_point(Decimal("51.5"), Decimal("-0.12")) == (51.5, -0.12)
    assert g.validate_point(-90, 180) == (-90.0, 180.0)


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (math.nan, 0.0, "Latitude must be a finite number."),
        (0.0, math.inf, "Longitude must be a finite number."),
        (-math.inf, 0.0, "Latitude must be a finite number."),
        (90.0001, 0.0, "Latitude must be between -90 and 90."),
        (-91, 0.0, "Latitude must be between -90 and 90."),
        (0.0, 180.5, "Longitude must be between -180 and 180."),
        (0.0, -181, "Longitude must be between -180 and 180."),
        ("45", 0.0, "Latitude must be a number."),
        (None, 0.0, "Latitude must be a number."),
        (True, 0.0, "Latitude must be a number."),
    ],
)
def test_validate_point_rejects_bad_input(lat, lon, message):
    with pytest.raises(GeometryError) as raised:
        g.validate_point(lat, lon)
    assert str(raised.value) == message


def test_geometry_error_is_a_value_error():
    # Callers elsewhere in the project catch ValueError.
    assert issubclass(GeometryError, ValueError)


@pytest.mark.parametrize(
    "call",
    [
        lambda: g.distance_m(math.nan, 0, 0, 0),
        lambda: g.initial_bearing_deg(0, 0, 100, 0),
        lambda: g.destination_point(0, 0, math.inf, 10),
        lambda: g.destination_point(0, 0, 0, -1),
        lambda: g.point_in_cone(0, 0, 0, 0, 100, 0, 0),
        lambda: g.point_in_cone(0, 0, 0, 361, 100, 0, 0),
        lambda: g.point_in_cone(0, 0, 0, 90, -1, 0, 0),
        lambda: g.point_in_cone(0, 0, 0, 90, 1e9, 0, 0),
        lambda: g.point_in_cone(0, 0, math.nan, 90, 100, 0, 0),
        lambda: g.cone_polygon(0, 0, 0, 90, 100, steps=0),
        lambda: g.circle_polygon(0, 0, 100, steps=2),
        lambda: g.angle_difference_deg(math.nan, 0),
        lambda: g.bbox_around(0, 0, math.inf),
        lambda: g.expand_bbox(1, 0, 0, 1, 10),
        lambda: g.cone_intersects_polyline(0, 0, 0, 90, 100, [(0, 0), (0, 0.001)], corridor_m=-5),
    ],
)
def test_bad_numbers_raise(call):
    with pytest.raises(GeometryError):
        call()


# ---------------------------------------------------------------------------
# Geodesics: known cases
# ---------------------------------------------------------------------------


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
def test_nearly_antipodal_points_use_the_fallback(lat1, lon1, lat2, lon2):
    reference = WGS84.Inverse(lat1, lon1, lat2, lon2)
    assert g.distance_m(lat1, lon1, lat2, lon2) == pytest.approx(reference["s12"], abs=0.01)
    # The azimuth found must lead to the other point (for symmetric pairs
    # two azimuths are equally short, so compare where it goes, not the angle).
    azimuth = g.initial_bearing_deg(lat1, lon1, lat2, lon2)
    arrival = direct(lat1, lon1, azimuth, reference["s12"])
    assert WGS84.Inverse(*arrival, lat2, lon2)["s12"] < 1.0


def test_angle_difference_known_values():
    assert g.angle_difference_deg(350, 10) == 20
    assert g.angle_difference_deg(10, 350) == 20
    assert g.angle_difference_deg(0, 180) == 180
    assert g.angle_difference_deg(-90, 270) == 0
    assert g.angle_difference_deg(720.5, 0) == pytest.approx(0.5)


# ---------------------------------------------------------------------------
# Geodesics: properties against geographiclib
# ---------------------------------------------------------------------------


@PROPERTY
@given(latitudes, longitudes, bearings, st.floats(min_value=0, max_value=50_000))
def test_distance_matches_geographiclib(lat, lon, azimuth, distance):
    lat2, lon2 = direct(lat, lon, azimuth, distance)
    forward = g.distance_m(lat, lon, lat2, lon2)
    backward = g.distance_m(lat2, lon2, lat, lon)
    assert forward >= 0
    assert forward == pytest.approx(backward, abs=1e-6)
    assert abs(forward - WGS84.Inverse(lat, lon, lat2, lon2)["s12"]) < 0.5


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


@PROPERTY
@given(st.floats(min_value=-1e4, max_value=1e4), st.floats(min_value=-1e4, max_value=1e4))
def test_angle_difference_is_symmetric_and_bounded(a, b):
    difference = g.angle_difference_deg(a, b)
    assert 0 <= difference <= 180
    assert difference == pytest.approx(g.angle_difference_deg(b, a), abs=1e-9)
    assert difference == pytest.approx(g.angle_difference_deg(a + 360, b), abs=1e-9)


# ---------------------------------------------------------------------------
# Bounding boxes
# ---------------------------------------------------------------------------


def contains(box, point):
    min_lat, min_lon, max_lat, max_lon = box
    return min_lat <= point[0] <= max_lat and min_lon <= point[1] <= max_lon


@PROPERTY
@given(
    st.floats(min_value=-89.9, max_value=89.9),
    longitudes,
    st.floats(min_value=0, max_value=20_000),
    bearings,
    st.floats(min_value=0, max_value=1),
)
def test_bbox_around_contains_the_circle(lat, lon, radius, azimuth, fraction):
    box = g.bbox_around(lat, lon, radius)
    assert contains(box, (lat, lon))
    assert contains(box, direct(lat, lon, azimuth, radius * fraction))
    assert contains(box, g.destination_point(lat, lon, azimuth, radius))


@PROPERTY
@given(
    latitudes,
    st.floats(min_value=-170, max_value=170),
    st.floats(min_value=0, max_value=0.5),
    st.floats(min_value=0, max_value=0.5),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=10_000),
    bearings,
)
def test_expand_bbox_contains_everything_within_the_margin(lat, lon, height, width, u, v, margin, azimuth):
    box = (lat, lon, lat + height, lon + width)
    grown = g.expand_bbox(*box, margin)
    inside = (lat + u * height, lon + v * width)
    assert contains(grown, direct(*inside, azimuth, margin))


def test_bounding_box_and_wrapping_cases():
    assert g.bounding_box([(1, 2), (-3, 5), (0, -1)]) == (-3, -1, 1, 5)
    # Crossing the antimeridian or reaching a pole: every longitude.
    assert g.bbox_around(0, 179.999, 500)[1::2] == (-180.0, 180.0)
    assert g.bbox_around(89.99, 0, 5000)[1::2] == (-180.0, 180.0)
    assert g.bbox_around(89.99, 0, 5000)[2] == 90.0
    with pytest.raises(GeometryError):
        g.bounding_box([])


# ---------------------------------------------------------------------------
# View cones
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------


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
def test_distance_to_polyline_matches_geodesic(lat, lon, legs, azimuth, distance):
    route = [(lat, lon)]
    for heading, length in legs:
        route.append(direct(*route[-1], heading, length))
    query = direct(lat, lon, azimuth, distance)
    expected = geodesic_distance_to_route(*query, route)
    assert g.distance_to_polyline_m(*query, route) == pytest.approx(expected, rel=0.01, abs=1.0)


# ---------------------------------------------------------------------------
# Polygons
# ---------------------------------------------------------------------------

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


def test_large_boundary_is_fast_enough():
    boundary = [g.destination_point(45, -93, 360 * k / 20_000, 30_000) for k in range(20_000)]
    assert len(g.validate_polygon(boundary, max_vertices=100_000)) == 20_000
    assert g.point_in_polygon(45.1, -93.1, boundary)
    assert not g.point_in_polygon(45.5, -93, boundary)


# ---------------------------------------------------------------------------
# Cones against polygons
# ---------------------------------------------------------------------------


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
