"""Registration exports in CSV (spreadsheets), GeoJSON (QGIS) and KML 2.2 (Google Earth).

Writers take an iterable of registrations (already scoped by the caller) and a text stream.
Contact details are left out unless asked for: a map layer rarely needs them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO
from xml.sax.saxutils import escape

from cameraregistry.csv_safe import safe_cell
from registrations.models import Registration

FORMATS = ("csv", "geojson", "kml")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
}

BASE_COLUMNS = [
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
    "created_at",
    "verified_at",
    "last_confirmed_at",
    "cameras",
    "camera_locations",
    "records_street",
    "retention_days_max",
    "notes_for_detectives",
]
CONTACT_COLUMNS = [
    "owner_name",
    "owner_phone",
    "owner_email",
    "preferred_contact_method",
    "contact_hours",
    "alternate_name",
    "alternate_phone",
    "alternate_email",
    "alternate_relation",
]


def export_queryset(queryset) -> Iterable[Registration]:
    return queryset.select_related("agency").prefetch_related("cameras").order_by("agency__slug", "id")


def _properties(registration: Registration, contacts: bool) -> dict[str, object]:
    cameras = list(registration.cameras.all())
    properties: dict[str, object] = {
        "public_id": str(registration.public_id),
        "agency": registration.agency.slug,
        "status": registration.status,
        "property_type": registration.property_type,
        "business_name": registration.business_name,
        "street_address": registration.street_address,
        "unit": registration.unit,
        "city": registration.city,
        "postal_code": registration.postal_code,
        "latitude": round(registration.latitude, 7),
        "longitude": round(registration.longitude, 7),
        "created_at": registration.created_at.isoformat(),
        "verified_at": registration.verified_at.isoformat() if registration.verified_at else "",
        "last_confirmed_at": registration.last_confirmed_at.isoformat(),
        "cameras": len(cameras),
        "camera_locations": ", ".join(sorted({location for camera in cameras for location in camera.locations})),
        "records_street": "yes" if any(camera.records_street for camera in cameras) else "no",
        "retention_days_max": max((camera.retention_days for camera in cameras), default=""),
        "notes_for_detectives": registration.notes_for_detectives,
    }
    if contacts:
        for name in CONTACT_COLUMNS:
            properties[name] = getattr(registration, name)
    return properties


def write_csv(registrations: Iterable[Registration], stream: TextIO, *, contacts: bool = False) -> int:
    columns = BASE_COLUMNS + (CONTACT_COLUMNS if contacts else [])
    writer = csv.writer(stream)
    writer.writerow(columns)
    count = 0
    for registration in registrations:
        properties = _properties(registration, contacts)
        writer.writerow([safe_cell(properties[column]) for column in columns])
        count += 1
    return count


def write_geojson(registrations: Iterable[Registration], stream: TextIO, *, contacts: bool = False) -> int:
    stream.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for registration in registrations:
        feature = {
            "type": "Feature",
            "id": str(registration.public_id),
            # GeoJSON order is longitude, latitude (RFC 7946).
            "geometry": {
                "type": "Point",
                "coordinates": [round(registration.longitude, 7), round(registration.latitude, 7)],
            },
            "properties": _properties(registration, contacts),
        }
        stream.write((",\n" if count else "") + json.dumps(feature, ensure_ascii=False))
        count += 1
    stream.write("\n]}\n")
    return count


def write_kml(registrations: Iterable[Registration], stream: TextIO, *, contacts: bool = False) -> int:
    stream.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n'
        "<name>Registered cameras</name>\n"
    )
    count = 0
    for registration in registrations:
        properties = _properties(registration, contacts)
        data = "".join(
            f'<Data name="{_xml_text(name)}"><value>{_xml_text(value)}</value></Data>'
            for name, value in properties.items()
        )
        stream.write(
            f"<Placemark><name>{_xml_text(registration.display_name)}</name>"
            f"<ExtendedData>{data}</ExtendedData>"
            f"<Point><coordinates>{registration.longitude:.7f},{registration.latitude:.7f},0</coordinates></Point>"
            "</Placemark>\n"
        )
        count += 1
    stream.write("</Document>\n</kml>\n")
    return count


def _xml_text(value: object) -> str:
    # XML 1.0 forbids most control characters even when escaped.
    text = "".join(ch for ch in str(value) if ch in "\t\n\r" or ord(ch) >= 32)
    return escape(text, {'"': "&quot;"})


WRITERS = {"csv": write_csv, "geojson": write_geojson, "kml": write_kml}
