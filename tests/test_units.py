"""Lengths in the agency's units: conversions, round trips and the words people read."""

from __future__ import annotations

import math

import pytest

from cameraregistry import units


def test_a_foot_is_exactly_0_3048_metres():
    assert units.to_metres(1, "us") == pytest.approx(0.3048)
    assert units.from_metres(0.3048, "us") == pytest.approx(1)
    assert units.FEET_PER_METRE == pytest.approx(3.28084, rel=1e-6)


def test_metric_is_unchanged():
    assert units.to_metres(25, "metric") == 25.0
    assert units.from_metres(25, "metric") == 25.0


@pytest.mark.parametrize("value", [0, 1, 3.5, 80, 492, 984, 4921, 16404])
@pytest.mark.parametrize("unit", ["us", "metric"])
def test_round_trip(value, unit):
    assert units.from_metres(units.to_metres(value, unit), unit) == pytest.approx(value)
    assert units.to_metres(units.from_metres(value, unit), unit) == pytest.approx(value)


def test_the_largest_range_in_feet_converts_within_the_metre_limit():
    # A camera range is at most 300 m: 984 ft must stay accepted after conversion.
    assert round(units.to_metres(984, "us")) == 300
    assert units.whole_in_units(300, "us") == 984
    assert units.whole_in_units(1, "us", up=True) == 4
    assert units.whole_in_units(1500, "metric") == 1500


@pytest.mark.parametrize(
    ("metres", "unit", "words"),
    [
        (24, "us", "about 80 ft"),  # 78.7 ft
        (24.384, "us", "about 80 ft"),
        (150, "us", "about 490 ft"),  # 492.1 ft
        (1, "us", "about 3 ft"),
        (0, "us", "about 0 ft"),
        (25, "metric", "about 25 m"),
        (24.6, "metric", "about 25 m"),
        (149.4, "metric", "about 149 m"),
    ],
)
def test_format_length(metres, unit, words):
    assert units.format_length(metres, unit) == words


def test_unknown_units_and_non_finite_lengths_are_refused():
    with pytest.raises(ValueError):
        units.to_metres(1, "imperial")
    with pytest.raises(ValueError):
        units.format_length(1, "")
    with pytest.raises(ValueError):
        units.format_length(math.inf, "us")
