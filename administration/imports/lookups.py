"""What an import checks each row against, each loaded once per file instead of once per row: the
agencies' jurisdictions and current terms, the file's addresses in the address table, and the rows
imported and registered before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.db import connection

from agencies.models import Agency
from cameraregistry import geo
from cameraregistry.crypto import decrypt, lookup_hash
from registrations.geocoding import normalize_address
from registrations.models import AddressPoint, Registration
from registrations.services import RegistrationInput


class AgencyFinder:
    """agency_for_point without a query per row: agencies are few, rows are many."""

    def __init__(self) -> None:
        self.agencies = list(Agency.objects.order_by("name"))
        self.cache: dict[tuple[float, float], Agency | None] = {}
        self.exact: dict[tuple[float, float], Agency | None] = {}
        self.terms = {agency.pk: agency.current_terms() for agency in self.agencies}

    def find(self, latitude: float, longitude: float) -> Agency | None:
        # Rows of one address repeat the exact same point: answer those before rounding.
        if (latitude, longitude) in self.exact:
            return self.exact[(latitude, longitude)]
        key = (round(latitude, 6), round(longitude, 6))
        if key not in self.cache:
            self.cache[key] = next(
                (
                    agency
                    for agency in self.agencies
                    if agency.min_latitude <= latitude <= agency.max_latitude
                    and agency.min_longitude <= longitude <= agency.max_longitude
                    and geo.point_in_multipolygon(latitude, longitude, agency.boundary)
                ),
                None,
            )
        self.exact[(latitude, longitude)] = self.cache[key]
        return self.cache[key]


class AddressBook:
    """The geocoder's exact-match rule for the addresses in one file, loaded with one query.

    A county's address table can hold hundreds of thousands of points; only the file's own
    addresses are read, keyed by normalised address.
    """

    def __init__(self, addresses: set[str], normalize: Callable[[str], str]) -> None:
        self.normalize = normalize
        self.points: dict[str, tuple[float, float, str, str]] = {}
        wanted = sorted({normalize(address)[:200] for address in addresses} - {""})
        if not wanted:
            return
        table = connection.ops.quote_name(AddressPoint._meta.db_table)
        parameter: list[str] | str
        if connection.vendor == "postgresql":
            condition, parameter = "normalized = ANY(%s)", wanted
        else:  # one JSON parameter rather than tens of thousands of placeholders
            condition, parameter = "normalized IN (SELECT value FROM json_each(%s))", json.dumps(wanted)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT normalized, latitude, longitude, city, postal_code FROM {table} "  # noqa: S608 - our table name
                f"WHERE {condition} ORDER BY id DESC",
                [parameter],
            )
            for normalized, lat, lon, city, postal in cursor.fetchall():
                self.points[normalized] = (lat, lon, city, postal)  # lowest id wins, as in geocode()

    def find(self, address: str) -> tuple[float, float, str, str] | None:
        return self.points.get(self.normalize(address)[:200])


def fingerprint(data: RegistrationInput, normalize: Callable[[str], str] = normalize_address) -> str:
    unit = " ".join(re.sub(r"[^0-9A-Za-z]+", " ", data.unit).upper().split())
    contact = data.owner_email.lower() or re.sub(r"\D", "", data.owner_phone)
    return lookup_hash(f"{normalize(data.street_address)}|{unit}|{contact}")


def existing_registrations(normalize: Callable[[str], str]) -> set[tuple]:
    rows = Registration.objects.exclude(owner_email_hash="").values_list(
        "agency_id", "street_address", "unit", "owner_email_hash"
    )
    return {
        (agency_id, normalize(address), unit.upper(), email_hash)
        for agency_id, address, unit, email_hash in rows.iterator(chunk_size=20000)
    }


def _unit_key(unit: str) -> str:
    return " ".join(re.sub(r"[^0-9A-Za-z]+", " ", unit).upper().split())


def name_key(name: str) -> str:
    """A name as compared between answers: case, punctuation and spacing do not count."""
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


def person_key(agency_id: int, address: str, unit: str, name: str, normalize: Callable[[str], str]) -> tuple:
    """The same person at the same place: agency, normalised address, unit and name (with or without email)."""
    return (agency_id, normalize(address), _unit_key(unit), name_key(name))


def registrations_by_person(normalize: Callable[[str], str], addresses: set[str]) -> dict[tuple, int]:
    """person_key -> registration id, for the registrations (made on the form or imported) at the file's
    addresses, in one query. Names are encrypted: only those of registrations at these addresses are decrypted."""
    wanted = {normalize(address) for address in addresses} - {""}
    table = connection.ops.quote_name(Registration._meta.db_table)
    found: dict[tuple, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, agency_id, street_address, unit, owner_name FROM {table} ORDER BY id")  # noqa: S608
        for pk, agency_id, address, unit, sealed in cursor.fetchall():
            if normalize(address) in wanted:
                name = decrypt(sealed) if sealed else ""
                found.setdefault(person_key(agency_id, address, unit, name, normalize), pk)
    return found
