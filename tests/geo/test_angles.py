"""Bearings: cameraregistry.geo.angles, with geographiclib as the reference."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry import geo as g
from tests.geo.helpers import (
    PROPERTY,
)


def test_angle_difference_known_values():
    assert g.angle_difference_deg(350, 10) == 20
    assert g.angle_difference_deg(10, 350) == 20
    assert g.angle_difference_deg(0, 180) == 180
    assert g.angle_difference_deg(-90, 270) == 0
    assert g.angle_difference_deg(720.5, 0) == pytest.approx(0.5)


@pytest.mark.slow
@PROPERTY
@given(st.floats(min_value=-1e4, max_value=1e4), st.floats(min_value=-1e4, max_value=1e4))
def test_angle_difference_is_symmetric_and_bounded(a, b):
    difference = g.angle_difference_deg(a, b)
    assert 0 <= difference <= 180
    assert difference == pytest.approx(g.angle_difference_deg(b, a), abs=1e-9)
    assert difference == pytest.approx(g.angle_difference_deg(a + 360, b), abs=1e-9)
