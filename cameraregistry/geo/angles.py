"""Bearings and longitude differences, in degrees."""

from __future__ import annotations

from cameraregistry.geo.validation import number


def wrap180(degrees: float) -> float:
    """The same angle in [-180, 180)."""
    if -180.0 <= degrees < 180.0:
        # Adding 180 first would round tiny offsets to about 1e-14 degrees.
        return degrees
    return (degrees + 180.0) % 360.0 - 180.0


def normalise_bearing(degrees: float) -> float:
    """The same bearing in [0, 360)."""
    result = degrees % 360.0
    # -1e-17 % 360 rounds to 360.0, which is outside the promised range.
    return 0.0 if result >= 360.0 else result


def angle_gap(a: float, b: float) -> float:
    """Smallest absolute difference between two bearings given as floats, in [0, 180]."""
    difference = abs(a - b) % 360.0
    return min(difference, 360.0 - difference)


def angle_difference_deg(a: float, b: float) -> float:
    """Smallest absolute difference between two bearings, in [0, 180]."""
    return angle_gap(number(a, "Bearing"), number(b, "Bearing"))
