"""Local geocoder: addresses are matched against the AddressPoint table only.

No external service is called; a department loads its county's address points
(`manage.py import_address_points`) and residents' addresses resolve offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    normalized = normalize_address(text)[:200]
    if not normalized:
        return GeocodeResult(None, [])
    point = AddressPoint.objects.filter(normalized=normalized).order_by("id").first()
    if point is not None:
        return GeocodeResult(point, [])
    # No exact match: offer addresses on the same street, nearest house numbers first.
    words = normalized.split()
    number = words[0] if words and words[0].isdigit() else ""
    street = " ".join(words[1:] if number else words)
    suggestions: list[AddressPoint] = []
    if street:
        candidates = list(AddressPoint.objects.filter(street=street)[:2000])
        if number:
            candidates.sort(
                key=lambda p: abs(int(p.house_number or 0) - int(number)) if p.house_number.isdigit() else 10**9
            )
        suggestions = candidates[:limit]
    return GeocodeResult(None, suggestions)


def street_of(normalized: str) -> tuple[str, str]:
    words = normalized.split()
    if words and words[0].isdigit():
        return words[0], " ".join(words[1:])
    return "", " ".join(words)
