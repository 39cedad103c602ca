"""Loading address points (the local geocoder's table) from county GIS files: CSV or GeoJSON points."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from cameraregistry import geo, safe_json
from registrations.address_index import address_index_invalidate
from registrations.geocoding import normalize_address, street_of
from registrations.models import AddressPoint

from .importing import ImportFileError, RowProblem, read_table

_ADDRESS_KEYS = (
    "address",
    "full_address",
    "fulladdress",
    "fulladdr",
    "site_address",
    "siteaddress",
    "addr",
    "street_address",
)
_NUMBER_KEYS = ("house_number", "housenumber", "addnum", "add_number", "number", "st_num")
_STREET_KEYS = ("street", "street_name", "streetname", "fullname", "st_name")
_CITY_KEYS = ("city", "municipality", "place", "town", "postal_city", "post_comm")
_POSTAL_KEYS = ("zip", "zipcode", "zip_code", "postal_code", "postcode")
_LAT_KEYS = ("latitude", "lat", "y", "point_y")
_LON_KEYS = ("longitude", "lon", "lng", "long", "x", "point_x")


@dataclass
class AddressImportReport:
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    file_problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_problem and not self.problems


def _pick(record: dict[str, str], keys: tuple[str, ...]) -> str:
    lowered = {key.strip().lower(): value for key, value in record.items() if isinstance(key, str)}
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _records_from(path: Path) -> list[tuple[int, dict, tuple[float, float] | None]]:
    raw_start = path.read_bytes()[:64].lstrip()
    if raw_start.startswith(b"{"):
        try:
            data = safe_json.loads(path.read_text(encoding="utf-8-sig"), max_chars=None)
        except safe_json.JSONTooDeep as error:
            raise ImportFileError(f"The GeoJSON file cannot be read: {error}") from None
        except (ValueError, UnicodeDecodeError):
            raise ImportFileError("The GeoJSON file cannot be read as JSON.") from None
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise ImportFileError("The GeoJSON file has no 'features' list (a FeatureCollection of Point features).")
        records = []
        for number, feature in enumerate(features, start=1):
            geometry_ = feature.get("geometry") if isinstance(feature, dict) else None
            properties = feature.get("properties") if isinstance(feature, dict) else None
            point = None
            if isinstance(geometry_, dict) and geometry_.get("type") == "Point":
                coordinates = geometry_.get("coordinates") or []
                if isinstance(coordinates, list) and len(coordinates) >= 2:
                    point = (coordinates[1], coordinates[0])
            records.append((number, properties if isinstance(properties, dict) else {}, point))
        return records
    table = read_table(path)
    return [(number, dict(zip(table.headers, cells, strict=False)), None) for number, cells in table.rows]


def address_points_import(
    *, path: Path | str, source: str = "", progress: Callable[[int, int], None] | None = None
) -> AddressImportReport:
    """Add or update address points; a point already known by its normalised address is moved, not duplicated."""
    report = AddressImportReport()
    path = Path(path)
    try:
        records = _records_from(path)
    except ImportFileError as error:
        report.file_problem = str(error)
        return report
    except OSError:
        report.file_problem = f"The file {path.name} cannot be read."
        return report
    if not records:
        report.file_problem = "The file has no address points."
        return report
    known = dict(AddressPoint.objects.values_list("normalized", "pk"))
    new, moved = [], []
    seen: set[str] = set()
    for done, (number, record, point) in enumerate(records, start=1):
        if progress and (done % 5000 == 0 or done == len(records)):
            progress(done, len(records))
        address = _pick(record, _ADDRESS_KEYS)
        if not address:
            house, street = _pick(record, _NUMBER_KEYS), _pick(record, _STREET_KEYS)
            address = f"{house} {street}".strip()
        if not address:
            report.problems.append(RowProblem(number, "address", "No address in this row."))
            continue
        if point is None:
            point = (_pick(record, _LAT_KEYS), _pick(record, _LON_KEYS))
        try:
            latitude, longitude = float(point[0]), float(point[1])
            geo.validate_point(latitude, longitude)
        except (TypeError, ValueError):
            report.problems.append(
                RowProblem(number, "latitude/longitude", "No valid latitude and longitude for this address.")
            )
            continue
        normalized = normalize_address(address)[:200]
        if normalized in seen:
            continue
        seen.add(normalized)
        house_number, street = street_of(normalized)
        values = dict(
            address=address[:200],
            normalized=normalized,
            house_number=house_number[:20],
            street=street[:150],
            city=_pick(record, _CITY_KEYS)[:100],
            postal_code=_pick(record, _POSTAL_KEYS)[:20],
            latitude=latitude,
            longitude=longitude,
            source=(source or path.name)[:60],
        )
        if normalized in known:
            moved.append(AddressPoint(pk=known[normalized], **values))
        else:
            new.append(AddressPoint(**values))
    with transaction.atomic():
        AddressPoint.objects.bulk_create(new, batch_size=2000)
        AddressPoint.objects.bulk_update(
            moved,
            ["address", "house_number", "street", "city", "postal_code", "latitude", "longitude", "source"],
            batch_size=2000,
        )
    address_index_invalidate()
    report.created, report.updated = len(new), len(moved)
    return report
