"""`python -m bench.address_suggestions`: address suggestions (registrations.geocoding.geocode) at 300,000 points.

Builds a county-like address table in a fresh database (DATABASE_URL, default a SQLite file under /tmp):
about 7,000 streets (names x types x directions) with 300,000 points, then times the first lookup (which
builds the process's index), and 200 lookups of addresses the table lacks (typos, Street for Ave,
missing type, numbers off the range) through geocode(): exact query + index key query + suggestion + in_bulk.
ADDRESS_BENCH_POINTS changes the size.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = (
    "Maple Oak Cedar Elm Birch Willow Aspen Spruce Pine Walnut Chestnut Hickory Poplar Sycamore Magnolia Dogwood "
    "Laurel Juniper Cypress Hawthorn Linden Alder Beech Hemlock Redwood Sequoia Holly Ivy Rose Lilac Tulip Daisy "
    "Lincoln Washington Jefferson Madison Monroe Jackson Adams Grant Harrison Cleveland Wilson Franklin Kennedy "
    "Roosevelt Hamilton Marshall Sheridan Sherman Custer Lee Hill Park Lake River Forest Meadow Prairie Ridge "
    "Valley Spring Summit Sunset Highland Fairview Glenwood Brookside Riverside Lakeview Parkview Woodland "
    "Greenfield Fairfield Mill Church School Market Main Center Union Liberty Commerce Railroad Depot Canal "
    "Harbor Bay Shore Cliff Stone Rock Granite Marble Silver Golden Crystal Diamond Ruby Emerald"
).split()
TYPES = ["St", "Ave", "Rd", "Dr", "Ln", "Ct", "Pl", "Blvd", "Way", "Ter", "Cir"]
DIRECTIONS = ["", "", "N", "S", "E", "W"]


def _streets(rng: random.Random) -> list[str]:
    streets = set()
    for name in NAMES:
        for kind in TYPES:
            for direction in DIRECTIONS:
                streets.add(f"{direction} {name} {kind}".strip())
    for number in range(1, 120):
        suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
        for kind in ("St", "Ave"):
            streets.add(f"{number}{suffix} {kind}")
    return sorted(streets)


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]  # two letters swapped


def _write_points(size: int, streets: list[str], rng: random.Random) -> None:
    """`size` address points on `streets`, house numbers from `rng`, replacing any there were."""
    from registrations.geocoding import normalize_address, street_of
    from registrations.models import AddressPoint

    per_street = size // len(streets) + 1
    AddressPoint.objects.all().delete()
    batch, written = [], 0
    for street in streets:
        start = rng.randrange(1, 40) * 100
        for slot in range(per_street):
            if written + len(batch) >= size:
                break
            number = start + slot * 2 + (slot % 2)
            address = f"{number} {street}"
            normalized = normalize_address(address)
            house, street_key = street_of(normalized)
            batch.append(
                AddressPoint(
                    address=address,
                    normalized=normalized,
                    house_number=house,
                    street=street_key,
                    city="Bench County",
                    latitude=41.0 + rng.random(),
                    longitude=-88.0 + rng.random(),
                    source="bench",
                )
            )
        if len(batch) >= 20000:
            AddressPoint.objects.bulk_create(batch, batch_size=5000)
            written, batch = written + len(batch), []
    AddressPoint.objects.bulk_create(batch, batch_size=5000)


def _queries(sample: list[tuple[str, str]], rng: random.Random) -> list[str]:
    """What people type for the sampled addresses: a typo, "Street" for the county's type, no type, a number
    the table lacks, in turns."""
    queries = []
    for index, (house, street) in enumerate(sample):
        words = street.split()
        kind = index % 4
        if kind == 0:  # a typo in the name
            words = [_typo(rng, word) if len(word) > 3 and not word[0].isdigit() else word for word in words]
        elif kind == 1 and words[-1] != "ST":  # Street for the county's type
            words[-1] = "Street"
        elif kind == 2 and len(words) > 1:  # no street type
            words = words[:-1]
        house = str(int(house) + 3 if kind == 3 else house)  # a number the table lacks
        queries.append(f"{house} {' '.join(words)}")
    return queries


def main() -> None:
    size = int(os.environ.get("ADDRESS_BENCH_POINTS", "300000"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/address-bench-{size}.sqlite3")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="address-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cameraregistry.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from registrations.address_index import address_index, address_index_invalidate
    from registrations.geocoding import geocode
    from registrations.models import AddressPoint

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    streets = _streets(rng)
    if AddressPoint.objects.count() != size:
        _write_points(size, streets, rng)
    address_index_invalidate()
    total = AddressPoint.objects.count()
    sample = list(AddressPoint.objects.order_by("?").values_list("house_number", "street")[:200])
    queries = _queries(sample, rng)
    started = time.perf_counter()
    address_index()  # what the first lookup after an import pays
    first = time.perf_counter() - started
    timings = []
    answered = 0
    for query in queries:
        started = time.perf_counter()
        result = geocode(query)
        timings.append((time.perf_counter() - started) * 1000)
        answered += bool(result.point or result.suggestions)
    timings.sort()
    print(f"{total:,} address points on {len(streets):,} streets ({os.environ['DATABASE_URL'].split(':')[0]})")
    print(f"index build (first lookup after an import): {first:.2f} s")
    print(
        f"{len(timings)} lookups: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms; "
        f"{answered} answered with a point or suggestions"
    )


if __name__ == "__main__":
    main()
