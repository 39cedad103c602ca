"""Local geocoder: addresses are matched against the AddressPoint table only.

No external service is called; a department loads its county's address points
(`manage.py import_address_points`) and residents' addresses resolve offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from registrations.address_index import address_index, house_number_value
from registrations.models import AddressPoint

_ABBREVIATIONS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "ROAD": "RD",
    "DRIVE": "DR",
    "LANE": "LN",
    "BOULEVARD": "BLVD",
    "COURT": "CT",
    "PLACE": "PL",
    "TERRACE": "TER",
    "PARKWAY": "PKWY",
    "HIGHWAY": "HWY",
    "CIRCLE": "CIR",
    "SQUARE": "SQ",
    "TRAIL": "TRL",
    "WAY": "WAY",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "CALLE": "ST",
    "AVENIDA": "AVE",
}
_NON_WORD = re.compile(r"[^0-9A-Z ]+")


def normalize_address(text: str) -> str:
    """'123 North Maple Street, Apt 4' -> '123 N MAPLE ST'. City and unit are dropped."""
    street_part = text.split(",")[0].upper()
    street_part = re.split(r"\b(?:APT|UNIT|SUITE|STE)\b|#", street_part)[0]
    words = _NON_WORD.sub(" ", street_part).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@dataclass(frozen=True)
class GeocodeResult:
    point: AddressPoint | None
    suggestions: list[AddressPoint]


def geocode(text: str, limit: int = 5) -> GeocodeResult:
    """The address table's point for this address, or the most alike addresses of the whole table."""
    normalized = normalize_address(text)[:200]
    if not normalized:
        return GeocodeResult(None, [])
    # Not ORDER BY id LIMIT 1: PostgreSQL would walk the primary key past every row when there is no match.
    same = list(AddressPoint.objects.filter(normalized=normalized).order_by()[:50])
    point = min(same, key=lambda found: found.pk, default=None)
    if point is not None:
        return GeocodeResult(point, [])
    number, street = street_of(normalized)
    ids = address_index().suggest(house_number_value(number) if number else None, street, limit=limit)
    found = AddressPoint.objects.in_bulk(ids)
    return GeocodeResult(None, [found[point_id] for point_id in ids if point_id in found])


def street_of(normalized: str) -> tuple[str, str]:
    words = normalized.split()
    if words and house_number_value(words[0]) is not None:
        return words[0], " ".join(words[1:])
    return "", " ".join(words)
