"""A fictional town for demonstrations, tests and benchmarks.

Maple Falls is a square street grid: numbered streets run east-west, named avenues
run north-south, blocks are about 100 m, and every block face has address points
about every 12 m. A small neighbouring department, Cedar Grove, serves the
eastern edge, so a deployment with several agencies is always on show.
Everything is derived from one random seed, so the same seed gives the same town.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, OffenseType
from agencies.services import agency_save, terms_publish
from cameraregistry.crypto import lookup_hash
from cameraregistry.progress import Progress
from registrations.address_index import address_index_invalidate
from registrations.bulk import BulkWriter
from registrations.geocoding import normalize_address
from registrations.models import (
    AddressPoint,
    Camera,
    CameraLocation,
    ConsentRecord,
    ConsentSource,
    Registration,
    Status,
)
from registrations.rules import CAMERA_ANSWER_FIELDS

CENTER_LATITUDE = 41.6820
CENTER_LONGITUDE = -87.8420
BLOCK_M = 100.0
ADDRESSES_PER_FACE = 8
METRES_PER_DEGREE_LATITUDE = 111_132.0

AVENUE_NAMES = [
    "Maple",
    "Oak",
    "Cedar",
    "Elm",
    "Birch",
    "Willow",
    "Aspen",
    "Spruce",
    "Poplar",
    "Walnut",
    "Hickory",
    "Chestnut",
    "Sycamore",
    "Magnolia",
    "Juniper",
    "Linden",
    "Alder",
    "Cypress",
    "Laurel",
    "Hawthorn",
    "Locust",
    "Redbud",
    "Dogwood",
    "Hemlock",
    "Larch",
    "Mulberry",
    "Pine",
    "Beech",
    "Holly",
    "Sassafras",
]
FIRST_NAMES = [
    "Maria",
    "James",
    "Ana",
    "Robert",
    "Linda",
    "Jose",
    "Patricia",
    "Michael",
    "Guadalupe",
    "David",
    "Jennifer",
    "Luis",
    "Elizabeth",
    "Kevin",
    "Sofia",
    "Daniel",
    "Aisha",
    "Thomas",
    "Mei",
    "Carlos",
    "Fatima",
    "Brian",
    "Olga",
    "Tyrone",
    "Priya",
    "Samuel",
    "Rosa",
    "Andrew",
    "Keisha",
    "Piotr",
]
LAST_NAMES = [
    "Garcia",
    "Smith",
    "Nowak",
    "Johnson",
    "Hernandez",
    "Williams",
    "Kowalski",
    "Brown",
    "Lopez",
    "Jones",
    "Nguyen",
    "Miller",
    "Patel",
    "Davis",
    "Rodriguez",
    "Wilson",
    "Kim",
    "Moore",
    "Martinez",
    "Taylor",
    "Murphy",
    "Okafor",
    "Anderson",
    "Rossi",
    "Jackson",
    "Schmidt",
    "White",
    "Cohen",
    "Harris",
    "Ali",
]
BUSINESS_KINDS = [
    "Hardware",
    "Pharmacy",
    "Auto Repair",
    "Deli",
    "Dental Office",
    "Bakery",
    "Liquors",
    "Laundromat",
    "Gas Station",
    "Pizzeria",
    "Bank",
    "Daycare",
    "Insurance",
    "Barber",
    "Grocery",
]
BRANDS = ["Ring", "Arlo", "Lorex", "Swann", "Nest", "Reolink", "Hikvision", "Wyze", "Eufy", "Amcrest", ""]

TERMS_EN = """The goal of this security camera registration program is to deter crime and promote public safety.

Information you give is for official use by {agency} only, by investigators working a criminal case. The department never gets access to your cameras or recordings. If a crime happens near your property, an investigator may contact you to ask for footage of a specific date and time. You may say yes or no to any request, and saying no never affects you.

Registering does not make you an employee or agent of {agency}. Footage you choose to share may be used as evidence, and may be released to the public, the media or requestors as state public-records law allows.

You can update, pause or withdraw your registration at any time. Withdrawing erases your personal details."""
TERMS_ES = """El objetivo de este programa de registro de cámaras de seguridad es disuadir el delito y promover la seguridad pública.

La información que usted proporciona es solo para uso oficial de {agency}, por investigadores que trabajan en un caso penal. El departamento nunca tiene acceso a sus cámaras ni a sus grabaciones. Si ocurre un delito cerca de su propiedad, un investigador puede comunicarse con usted para pedir el video de una fecha y hora específicas. Usted puede aceptar o rechazar cualquier solicitud, y rechazarla nunca le afecta.

Registrarse no le convierte en empleado ni agente de {agency}. El video que decida compartir puede usarse como prueba y puede hacerse público, a los medios o a solicitantes según lo permita la ley estatal de registros públicos.

Puede actualizar, pausar o retirar su registro en cualquier momento. Retirarlo borra sus datos personales."""

OFFENSES = [
    "Burglary",
    "Robbery",
    "Theft from vehicle",
    "Vehicle theft",
    "Hit and run",
    "Assault",
    "Shooting",
    "Homicide",
    "Criminal damage",
    "Missing person",
    "Package theft",
    "Arson",
]


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class Grid:
    size: int  # streets and avenues each

    @property
    def metres_per_degree_longitude(self) -> float:
        return METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(CENTER_LATITUDE))

    def point(self, east_m: float, north_m: float) -> tuple[float, float]:
        half = (self.size - 1) * BLOCK_M / 2
        return (
            CENTER_LATITUDE + (north_m - half) / METRES_PER_DEGREE_LATITUDE,
            CENTER_LONGITUDE + (east_m - half) / self.metres_per_degree_longitude,
        )

    def avenue_name(self, index: int) -> str:
        base = AVENUE_NAMES[index % len(AVENUE_NAMES)]
        return f"{base} Ave" if index < len(AVENUE_NAMES) else f"{base} {ordinal(index // len(AVENUE_NAMES) + 1)} Ave"

    def street_name(self, index: int) -> str:
        return f"{ordinal(index + 1)} St"


def grid_for(registrations: int) -> Grid:
    # Enough address points for every registration with room to spare (about 1 in 3 addresses registers).
    needed = max(registrations * 3, 2000)
    size = 4
    while 2 * size * (size - 1) * ADDRESSES_PER_FACE < needed:
        size += 1
    return Grid(size)


def iter_address_points(grid: Grid):
    """Yield (address, street, number, lat, lon) for every address point, both sides of every block face."""
    offset = 12.0  # metres from the street centre line to the house
    for street_index in range(grid.size):  # east-west streets
        north = street_index * BLOCK_M
        name = grid.street_name(street_index)
        for block in range(grid.size - 1):
            for slot in range(ADDRESSES_PER_FACE // 2):
                east = block * BLOCK_M + (slot + 0.5) * BLOCK_M / (ADDRESSES_PER_FACE // 2)
                for side, sign in ((0, -1), (1, 1)):
                    number = (block + 1) * 100 + slot * 2 + side
                    lat, lon = grid.point(east, north + sign * offset)
                    yield f"{number} {name}", name, number, lat, lon
    for avenue_index in range(grid.size):  # north-south avenues
        east = avenue_index * BLOCK_M
        name = grid.avenue_name(avenue_index)
        for block in range(grid.size - 1):
            for slot in range(ADDRESSES_PER_FACE // 2):
                north = block * BLOCK_M + (slot + 0.5) * BLOCK_M / (ADDRESSES_PER_FACE // 2)
                for side, sign in ((0, -1), (1, 1)):
                    number = (block + 1) * 100 + slot * 2 + side
                    lat, lon = grid.point(east + sign * offset, north)
                    yield f"{number} {name}", name, number, lat, lon


def _ring(grid: Grid, west_m: float, east_m: float) -> list[list[float]]:
    margin = 60.0
    south, north = -margin, (grid.size - 1) * BLOCK_M + margin
    corners = [(west_m, south), (east_m, south), (east_m, north), (west_m, north), (west_m, south)]
    return [[round(grid.point(e, n)[1], 7), round(grid.point(e, n)[0], 7)] for e, n in corners]


def create_agencies(grid: Grid) -> tuple[Agency, Agency]:
    width = (grid.size - 1) * BLOCK_M
    split = width - 2 * BLOCK_M + BLOCK_M / 2  # Cedar Grove serves the two easternmost blocks
    maple = agency_save(
        agency=Agency(
            name="Maple Falls Police Department",
            slug="maple-falls",
            contact_email="investigations@maplefalls.example",
            contact_phone="708-555-0100",
            boundary={"type": "Polygon", "coordinates": [_ring(grid, -60.0, split)]},
        )
    )
    cedar = agency_save(
        agency=Agency(
            name="Cedar Grove Police Department",
            slug="cedar-grove",
            contact_email="detectives@cedargrove.example",
            contact_phone="708-555-0200",
            boundary={"type": "Polygon", "coordinates": [_ring(grid, split, width + 60.0)]},
        )
    )
    for agency in (maple, cedar):
        terms_publish(
            agency=agency, text_en=TERMS_EN.format(agency=agency.name), text_es=TERMS_ES.format(agency=agency.name)
        )
        OffenseType.objects.bulk_create([OffenseType(agency=agency, name=name) for name in OFFENSES])
    return maple, cedar


ADDRESS_POINT_COLUMNS = [
    "address",
    "normalized",
    "house_number",
    "street",
    "city",
    "postal_code",
    "latitude",
    "longitude",
    "source",
]
REGISTRATION_COLUMNS = [
    "public_id",
    "agency",
    "status",
    "property_type",
    "business_name",
    "street_address",
    "unit",
    "city",
    "postal_code",
    "latitude",
    "longitude",
    "location_corrected",
    "owner_name",
    "owner_phone",
    "owner_email",
    "owner_email_hash",
    "preferred_contact_method",
    "contact_hours",
    "alternate_name",
    "alternate_phone",
    "alternate_email",
    "alternate_relation",
    "confirms_exterior_cameras",
    "confirms_records_and_keeps_video",
    "notes_for_detectives",
    "language",
    "created_at",
    "updated_at",
    "verified_at",
    "last_confirmed_at",
]
CAMERA_COLUMNS = ["registration", "locations", *CAMERA_ANSWER_FIELDS]
CONSENT_COLUMNS = ["registration", "terms_version", "accepted_at", "source", "language"]
CONTACT_METHODS = ["phone", "phone", "text", "email"]
CONTACT_HOURS = ["", "Evenings", "Weekdays after 5 pm", "Any time", "Mornings"]
ALTERNATE_RELATIONS = ["Spouse", "Son", "Daughter", "Manager", "Neighbor"]
NOTES_FOR_DETECTIVES = [
    "",
    "",
    "",
    "Recorder is in the basement.",
    "Call before 9 pm.",
    "Camera over the garage also sees the alley.",
]
CAMERA_DESCRIPTIONS = [
    "",
    "Front walk and street",
    "Driveway",
    "Alley behind garage",
    "Parking lot and entrance",
    "Sidewalk and the corner",
]
FLUSH_ADDRESS_POINTS = 10000
FLUSH_REGISTRATIONS = 5000


def write_address_points(points: list[tuple], stdout=None) -> None:
    """The town's address points, in the order given (their ids follow it), then the suggestion index reset."""
    progress = Progress("Address points", len(points), stdout)
    writer = BulkWriter(AddressPoint, ADDRESS_POINT_COLUMNS, defaults=False)
    street_keys: dict[str, str] = {}
    for address, street, number, lat, lon in points:
        street_key = street_keys.setdefault(street, normalize_address(street))
        writer.add_next(
            address, f"{number} {street_key}", str(number), street_key, "Maple Falls", "60464", lat, lon, "demo"
        )
        if len(writer.rows) == FLUSH_ADDRESS_POINTS:
            writer.flush()
            progress.advance(FLUSH_ADDRESS_POINTS)
    progress.advance(len(writer.rows))
    writer.flush()
    writer.reset_sequence()
    address_index_invalidate()


@dataclass
class TownWriters:
    """The three tables each demo registration writes: the registration, its consent and its cameras."""

    registrations: BulkWriter
    consents: BulkWriter
    cameras: BulkWriter

    @classmethod
    def create(cls) -> TownWriters:
        return cls(
            registrations=BulkWriter(Registration, REGISTRATION_COLUMNS, defaults=False),
            consents=BulkWriter(ConsentRecord, CONSENT_COLUMNS, defaults=False),
            cameras=BulkWriter(Camera, CAMERA_COLUMNS, defaults=False),
        )

    def flush(self, *, reset_sequences: bool = False) -> None:
        for writer in (self.registrations, self.consents, self.cameras):
            writer.flush()
            if reset_sequences:
                writer.reset_sequence()


def registration_history(rng: random.Random, now: datetime) -> tuple[datetime, datetime, bool, str]:
    """When a demo registration was made and last confirmed, whether staff verified it, and its status."""
    created = now - timedelta(days=rng.randint(0, 3 * 365), minutes=rng.randint(0, 1440))
    stale = rng.random() < 0.1
    confirmed = max(created, now - timedelta(days=rng.randint(0, 330)))
    if stale:
        confirmed = min(created, now - timedelta(days=rng.randint(400, 900)))
        created = confirmed
    # Staff keep up: what waits is the last three weeks' registrations and a few stragglers.
    verified = now - created > timedelta(days=21) and rng.random() > 0.02
    status = Status.STALE if stale else (Status.ACTIVE if verified else Status.PENDING)
    if status == Status.ACTIVE and rng.random() < 0.03:
        status = Status.PAUSED
    return created, confirmed, verified, status


def add_registration(
    rng: random.Random, writers: TownWriters, point: tuple, *, agency_id: int, terms_id: int, now: datetime
) -> int:
    """One made-up household or business at `point` with its consent; returns the new registration's id."""
    adapt_time = connection.ops.adapt_datetimefield_value
    address, _street, _number, lat, lon = point
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    business = rng.random() < 0.15
    created, confirmed, verified, status = registration_history(rng, now)
    email = f"{first}.{last}{rng.randint(1, 9999)}@example.com".lower() if rng.random() < 0.85 else ""
    has_alternate = rng.random() < 0.3
    language = "es" if rng.random() < 0.2 else "en"
    registration_id = writers.registrations.add_next(
        uuid.UUID(int=rng.getrandbits(128), version=4).hex,
        agency_id,
        status,
        "business" if business else "residence",
        f"{last} {rng.choice(BUSINESS_KINDS)}" if business else "",
        address,
        "",
        "Maple Falls",
        "60464",
        lat + rng.uniform(-0.00002, 0.00002),
        lon + rng.uniform(-0.00002, 0.00002),
        False,
        f"{first} {last}",
        f"708-555-{rng.randint(0, 9999):04d}",
        email,
        lookup_hash(email),
        rng.choice(CONTACT_METHODS) if email else "phone",
        rng.choice(CONTACT_HOURS),
        f"{rng.choice(FIRST_NAMES)} {last}" if has_alternate else "",
        f"708-555-{rng.randint(0, 9999):04d}" if has_alternate else "",
        "",
        rng.choice(ALTERNATE_RELATIONS) if has_alternate else "",
        True,
        True,
        rng.choice(NOTES_FOR_DETECTIVES),
        language,
        adapt_time(created),
        adapt_time(now),
        adapt_time(created + timedelta(days=rng.randint(1, 14))) if verified else None,
        adapt_time(confirmed),
    )
    writers.consents.add_next(registration_id, terms_id, adapt_time(created), ConsentSource.WEB_FORM, language)
    return registration_id


def add_cameras(rng: random.Random, writer: BulkWriter, registration_id: int) -> int:
    """One to three cameras (a quarter of places have up to eight); returns how many."""
    locations_field = Camera._meta.get_field("locations")
    location_values = CameraLocation.values[:8]
    count = rng.randint(1, 8) if rng.random() < 0.25 else rng.randint(1, 3)
    for _ in range(count):
        known_direction = rng.random() < 0.8
        locations = sorted({rng.choice(location_values), *rng.sample(location_values, rng.randint(0, 1))})
        writer.add_next(
            registration_id,
            locations_field.get_db_prep_save(locations, connection),
            rng.random() < 0.55,
            rng.choice(CAMERA_DESCRIPTIONS),
            rng.randrange(0, 360, 5) if known_direction else None,
            rng.choice([60, 90, 90, 110, 120, 180]) if known_direction else None,
            rng.choice([15, 20, 25, 30, 40, 50]) if known_direction else None,
            rng.choice([3, 5, 7, 7, 14, 14, 30, 30, 30, 60]),
            rng.choice(["yes", "yes", "no", "unknown"]),
            rng.choice(BRANDS),
        )
    return count


def build_town(*, registrations: int, seed: int, stdout=None) -> dict[str, int]:
    rng = random.Random(seed)
    grid = grid_for(registrations)
    now = timezone.now()
    with transaction.atomic():
        maple, cedar = create_agencies(grid)
        terms = {maple.pk: maple.current_terms().pk, cedar.pk: cedar.current_terms().pk}
        split_longitude = grid.point((grid.size - 1) * BLOCK_M - 1.5 * BLOCK_M, 0)[1]
        points = list(iter_address_points(grid))
        write_address_points(points, stdout)

        chosen = rng.sample(range(len(points)), registrations)
        progress = Progress("Registrations", registrations, stdout)
        writers = TownWriters.create()
        cameras_total = 0
        for done, index in enumerate(chosen, start=1):
            point = points[index]
            agency_id = cedar.pk if point[4] > split_longitude else maple.pk
            registration_id = add_registration(
                rng, writers, point, agency_id=agency_id, terms_id=terms[agency_id], now=now
            )
            cameras_total += add_cameras(rng, writers.cameras, registration_id)
            if done % FLUSH_REGISTRATIONS == 0 or done == registrations:
                writers.flush()
                progress.advance(done - progress.done)
        writers.flush(reset_sequences=True)
    return {"address_points": len(points), "registrations": registrations, "cameras": cameras_total, "grid": grid.size}
