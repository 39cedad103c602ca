"""Fuzzy suggestions over the whole address table, for addresses the exact lookup does not find.

The table is read once per process into a compact index (street names, and per street its sorted
house numbers with their point ids); rapidfuzz compares the typed street name with every distinct
street name, then the nearest house numbers of the best streets are ranked. The index is rebuilt
when the table changes: importers call `address_index_invalidate()` (a version in the shared
cache, so every app server notices), and the table's id range is part of the key as a backstop.
"""

from __future__ import annotations

import math
import re
import threading
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.cache import cache
from rapidfuzz import fuzz, process

from registrations.models import AddressPoint

_VERSION_KEY = "registrations:address-index-version"
DIRECTIONS = frozenset({"N", "S", "E", "W", "NE", "NW", "SE", "SW"})
SUFFIXES = frozenset(
    {"ST", "AVE", "RD", "DR", "LN", "BLVD", "CT", "PL", "TER", "PKWY", "HWY", "CIR", "SQ", "TRL", "WAY"}
)
_HOUSE_NUMBER = re.compile(r"^(\d{1,9})[A-Z]?$")
# A street name must be at least this alike (rapidfuzz ratio, 0-100) to be suggested.
NAME_CUTOFF = 70
_STREETS_COMPARED = 25


class StreetParts(NamedTuple):
    direction: str
    core: str
    suffix: str


def street_parts(street: str) -> StreetParts:
    """'N MAPLE AVE' -> ('N', 'MAPLE', 'AVE'); the name alone is what typos are measured on."""
    words = street.split()
    direction = suffix = ""
    if len(words) > 1 and words[0] in DIRECTIONS:
        direction, words = words[0], words[1:]
    if len(words) > 1 and words[-1] in DIRECTIONS:
        direction, words = direction or words[-1], words[:-1]
    if len(words) > 1 and words[-1] in SUFFIXES:
        suffix, words = words[-1], words[:-1]
    return StreetParts(direction, " ".join(words), suffix)


def house_number_value(text: str) -> int | None:
    found = _HOUSE_NUMBER.match(text)
    return int(found.group(1)) if found else None


@dataclass
class _Street:
    parts: StreetParts
    numbers: array = field(default_factory=lambda: array("q"))
    ids: array = field(default_factory=lambda: array("q"))


class AddressIndex:
    """Street names and house numbers of every address point; about 20 bytes a point."""

    def __init__(self, rows) -> None:
        by_street: dict[str, list[tuple[int, int]]] = {}
        for point_id, house_number, street in rows:
            if house_number.isascii() and house_number.isdigit() and len(house_number) < 10:
                number = int(house_number)  # the usual case, without the regular expression
            else:
                number = house_number_value(house_number or "")
            points = by_street.get(street)
            if points is None:
                points = by_street[street] = []
            points.append((-1 if number is None else number, point_id))
        self.streets: list[_Street] = []
        core_positions: dict[str, int] = {}
        self.cores: list[str] = []
        self.core_streets: list[list[int]] = []
        for street, points in by_street.items():
            if not street:  # also None
                continue
            points.sort()
            entry = _Street(street_parts(street))
            entry.numbers.extend(number for number, _ in points)
            entry.ids.extend(point_id for _, point_id in points)
            position = core_positions.setdefault(entry.parts.core, len(self.cores))
            if position == len(self.cores):
                self.cores.append(entry.parts.core)
                self.core_streets.append([])
            self.core_streets[position].append(len(self.streets))
            self.streets.append(entry)
        self.size = sum(len(street.ids) for street in self.streets)

    def suggest(self, number: int | None, street: str, limit: int = 5) -> list[int]:
        """Point ids, best first, for a normalised street (and house number, when given)."""
        wanted = street_parts(street)
        if not wanted.core:
            return []
        ranked: list[tuple[float, int, int]] = []
        for _core, name_score, position in process.extract(
            wanted.core, self.cores, scorer=fuzz.ratio, limit=_STREETS_COMPARED, score_cutoff=NAME_CUTOFF
        ):
            for street_index in self.core_streets[position]:
                entry = self.streets[street_index]
                score = name_score + _parts_bonus(wanted, entry.parts)
                for penalty, point_id in _nearest_numbers(entry, number):
                    ranked.append((score - penalty, -point_id, point_id))
        ranked.sort(reverse=True)
        return [point_id for _, _, point_id in ranked[:limit]]


def _parts_bonus(wanted: StreetParts, found: StreetParts) -> float:
    """Same street type or direction counts a little for; a different one counts against; a missing one is neutral."""
    bonus = 0.0
    if wanted.suffix and found.suffix:
        bonus += 4 if wanted.suffix == found.suffix else -6
    if wanted.direction and found.direction:
        bonus += 3 if wanted.direction == found.direction else -8
    elif found.direction and not wanted.direction:
        bonus -= 1
    return bonus


def _nearest_numbers(entry: _Street, number: int | None) -> list[tuple[float, int]]:
    """(penalty, point id) for the house numbers nearest the one typed: the one below and the one above."""
    numbers, ids = entry.numbers, entry.ids
    if number is None:
        return [(10.0, ids[0])]
    at = bisect_left(numbers, number)
    found = []
    for index in (at - 2, at - 1, at, at + 1):
        if 0 <= index < len(numbers) and numbers[index] >= 0:
            distance = abs(numbers[index] - number)
            found.append((min(25.0, 4 * math.log2(1 + distance)), ids[index]))
    found.sort()
    return found[:2] or [(25.0, ids[0])]


_lock = threading.Lock()
_cached: tuple[tuple, AddressIndex] | None = None


def address_index_invalidate() -> None:
    """Call after the address table changes (import, demo build): every process rebuilds its index."""
    global _cached
    cache.set(_VERSION_KEY, (cache.get(_VERSION_KEY) or 0) + 1, timeout=None)
    with _lock:
        _cached = None


def _current_key() -> tuple:
    # Two one-row reads of the primary key index (SQLite scans the table for MIN and MAX in one query).
    ids = AddressPoint.objects.values_list("id", flat=True)
    return (cache.get(_VERSION_KEY) or 0, ids.order_by("id").first(), ids.order_by("-id").first())


def address_index() -> AddressIndex:
    """This process's index of the address table, rebuilt when the table has changed."""
    global _cached
    key = _current_key()
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        rows = AddressPoint.objects.order_by().values_list("id", "house_number", "street").iterator(chunk_size=20000)
        index = AddressIndex(rows)
        _cached = (key, index)
        return index
