"""Template filters for lengths stored in metres, shown in an agency's units.

{{ item.distance_m|about_length:length_units }} -> "about 490 ft"; {{ search.radius_m|exact_length:length_units }} -> "492 ft".
"""

from __future__ import annotations

from django import template

from cameraregistry import units

register = template.Library()


def _units(value: object) -> str:
    return value if value in units.UNITS else units.DEFAULT_UNITS


@register.filter
def about_length(metres, length_units) -> str:
    if metres in (None, ""):
        return ""
    return units.format_length(float(metres), _units(length_units))


@register.filter
def exact_length(metres, length_units) -> str:
    """A length the user chose (a radius), as the whole number of units it is, with the unit."""
    if metres in (None, ""):
        return ""
    chosen = _units(length_units)
    return f"{round(units.from_metres(float(metres), chosen)):,} {units.unit_symbol(chosen)}"
