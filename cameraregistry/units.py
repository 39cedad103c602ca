"""Lengths in the units an agency's people use. Everything is stored in metres; this converts at the edges.

"us" is US customary (feet), "metric" is metres. Pure functions (no database); words are translated.
"""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

US = "us"
METRIC = "metric"
UNITS = (US, METRIC)
DEFAULT_UNITS = US

FEET_PER_METRE = 1 / 0.3048  # the international foot is exactly 0.3048 m


def _check(units: str) -> str:
    if units not in UNITS:
        raise ValueError(f"Unknown length units {units!r}; expected one of {', '.join(UNITS)}.")
    return units


def to_metres(value: float, units: str) -> float:
    """A length entered in `units` as metres."""
    return float(value) / FEET_PER_METRE if _check(units) == US else float(value)


def from_metres(metres: float, units: str) -> float:
    """A length in metres as `units` (unrounded)."""
    return float(metres) * FEET_PER_METRE if _check(units) == US else float(metres)


def unit_symbol(units: str) -> str:
    return "ft" if _check(units) == US else "m"


def rounded(metres: float, units: str) -> int:
    """The length in `units`, rounded the way people say it: feet to the nearest 5 ft, metres to 1 m."""
    value = from_metres(metres, units)
    if not math.isfinite(value):
        raise ValueError("A length must be a finite number.")
    if units == US:
        step = 5 if value >= 5 else 1  # "about 0 ft" says nothing; short lengths keep their feet
        return int(math.floor(value / step + 0.5) * step)
    return int(math.floor(value + 0.5))


def format_length(metres: float, units: str) -> str:
    """ "about 80 ft" / "about 25 m", in the active language."""
    length = rounded(metres, units)
    if units == US:
        return _("about %(length)s ft") % {"length": length}
    return _("about %(length)s m") % {"length": length}


def whole_in_units(metres: float, units: str, *, up: bool = False) -> int:
    """A limit in metres as a whole number of `units`, rounded inward so that it is itself accepted."""
    value = from_metres(metres, units)
    return int(math.ceil(value - 1e-9)) if up else int(math.floor(value + 1e-9))
