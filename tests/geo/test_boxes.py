"""Bounding boxes: cameraregistry.geo.boxes, with geographiclib as the reference."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry import geo as g
from cameraregistry.geo import GeometryError
from tests.geo.helpers import (
    PROPERTY,
    bearings,
    direct,
    latitudes,
    longitudes,
)


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
@pytest.mark.slow
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
