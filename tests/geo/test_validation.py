"""Input checking: cameraregistry.geo.validation, with geographiclib as the reference."""

import math
from decimal import Decimal

import pytest

from cameraregistry import geo as g
from cameraregistry.geo import GeometryError


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
