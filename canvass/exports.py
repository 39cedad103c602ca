"""Map GeoJSON, CSV and GeoJSON downloads of a search's results, one row or feature per address.

No contact details leave this way; what the owner told the department about the cameras (and the notes
for detectives) does.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from cameraregistry import geo, units
from cameraregistry.csv_safe import safe_cell
from canvass import grouping, ranking
from canvass.services import SearchResult

# One row per address, best first; every camera of it in the owner's words in one cell.
CSV_COLUMNS = [
    "address",
    "business_name",
    "registration",
    "rank",
    "best_verdict",
    "distance_m",
    "camera_count",
    "cameras",
    "brand",
    "export_format",
    "notes_for_detectives",
    "urgent",
    "footage_likely_kept",
]
# Between two cameras in the "cameras" cell (each camera's own parts are joined with "; ").
CAMERA_SEPARATOR = " | "


def in_units(result: SearchResult, length_units: str) -> SearchResult:
    """Word the ranked cameras' "why" distances in the agency's units (numbers stay in metres)."""
    for item in result.ranked:
        item.length_units = length_units
    return result


def addresses_of(result: SearchResult, notes: dict[int, str] | None = None) -> list[grouping.AddressRow]:
    """The result grouped by address, each with its owner's notes for detectives (from selectors.detective_notes)."""
    return grouping.with_notes(grouping.group_by_address(result), notes or {})


def csv_header(length_units: str = units.METRIC) -> list[str]:
    suffix = "_" + units.unit_symbol(length_units)
    return [column[: -len("_m")] + suffix if column == "distance_m" else column for column in CSV_COLUMNS]


def address_cells(row: grouping.AddressRow, length_units: str) -> list[Any]:
    best = row.best
    detail = row.detail
    return [
        detail.address,
        detail.business_name,
        detail.registration_public_id,
        row.rank,
        best.verdict_words,
        round(units.from_metres(best.item.distance_m, length_units)),
        len(row.cameras),
        CAMERA_SEPARATOR.join(camera.summary(length_units) for camera in row.cameras),
        row.brands,
        row.export_formats,
        row.notes,
        "yes" if row.urgent else "no",
        "yes" if row.any_kept else "no",
    ]


def results_csv(result: SearchResult, length_units: str = units.METRIC, *, notes: dict[int, str] | None = None) -> str:
    """One row per address (best first), distances in `length_units`; every cell through csv_safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_header(length_units))
    in_units(result, length_units)
    for row in addresses_of(result, notes):
        writer.writerow([safe_cell(cell) for cell in address_cells(row, length_units)])
    return buffer.getvalue()


def _lonlat(points) -> list[list[float]]:
    return [[round(lon, 7), round(lat, 7)] for lat, lon in points]


def area_feature(area: ranking.SearchArea) -> dict[str, Any]:
    if area.kind == ranking.POLYGON:
        ring = _lonlat(area.vertices)
        shape = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    elif area.kind == ranking.ROUTE:
        shape = {"type": "LineString", "coordinates": _lonlat(area.vertices)}
    else:
        shape = {"type": "Polygon", "coordinates": [_lonlat(geo.circle_polygon(*area.place, area.radius_m, 64))]}
    properties = {"role": "area", "kind": area.kind, "radius_m": area.radius_m, "corridor_m": area.corridor_m}
    return {"type": "Feature", "geometry": shape, "properties": properties}


def _camera_properties(camera: grouping.CameraRow, length_units: str) -> dict[str, Any]:
    item, detail, facts = camera.item, camera.detail, camera.item.camera
    return {
        "camera_id": facts.camera_id,
        "title": camera.title,
        "locations": list(detail.locations),
        "description": detail.description,
        "verdict": camera.verdict,
        "verdict_words": camera.verdict_words,
        "facing": camera.facing,
        "bearing_degrees": facts.bearing_degrees,
        "field_of_view_degrees": facts.field_of_view_degrees,
        "range_m": facts.range_m,
        "range": camera.range_words(length_units),
        "distance_m": round(item.distance_m),
        "retention_days": facts.retention_days,
        "keeps_video": camera.kept,
        "exports_common_format": detail.exports_common_format,
        "export_format": camera.export_format,
        "brand": detail.brand,
        "records_street": facts.records_street,
        "sees_incident": "unknown" if item.sees_incident is None else ("yes" if item.sees_incident else "no"),
        "score": item.score,
        "footage_likely_kept": item.footage_likely_kept,
        "overwritten_after": item.overwritten_after.isoformat(timespec="minutes"),
        "urgent": item.urgent,
        "verified": facts.verified,
        "why": [reason.text for reason in item.reasons],
    }


def address_feature(row: grouping.AddressRow, length_units: str) -> dict[str, Any]:
    best, detail = row.best, row.detail
    camera = best.item.camera
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(camera.longitude, 7), round(camera.latitude, 7)]},
        "properties": {
            "role": "address",
            "rank": row.rank,
            "address": detail.address,
            "business_name": detail.business_name,
            "registration": detail.registration_public_id,
            "best_verdict": best.verdict,
            "best_verdict_words": best.verdict_words,
            "distance_m": round(best.item.distance_m),
            "camera_count": len(row.cameras),
            "brand": row.brands,
            "export_format": row.export_formats,
            "notes_for_detectives": row.notes,
            "urgent": row.urgent,
            "footage_likely_kept": row.any_kept,
            "cameras": [_camera_properties(entry, length_units) for entry in row.cameras],
        },
    }


def results_geojson(
    result: SearchResult,
    *,
    notes: dict[int, str] | None = None,
    length_units: str = units.METRIC,
    with_cones: bool = True,
) -> dict[str, Any]:
    """Search area, incident place, one point per address (its cameras as a list) and, where known, view cones."""
    area = result.area
    features: list[dict[str, Any]] = [area_feature(area), _incident_feature(area)]
    in_units(result, length_units)
    for row in addresses_of(result, notes):
        features.append(address_feature(row, length_units))
        if with_cones:
            features.extend(
                _cone_feature(entry.item.camera, row.rank, entry.verdict)
                for entry in row.cameras
                if entry.item.camera.has_view_cone
            )
    return {"type": "FeatureCollection", "features": features}


def _incident_feature(area: ranking.SearchArea) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(area.place[1], 7), round(area.place[0], 7)]},
        "properties": {"role": "incident"},
    }


# The map's cameras as compact rows instead of one GeoJSON feature each: at the agency's maximum radius the
# features' repeated property names alone made the page over a megabyte.
MAP_VERDICTS = (grouping.SEES, grouping.MIGHT, grouping.AWAY, grouping.UNKNOWN)
MAP_CAMERA_COLUMNS = ("lon", "lat", "verdict", "rank", "camera_id")
_VERDICT_CODES = {name: code for code, name in enumerate(MAP_VERDICTS)}


def map_geojson(
    addresses, area: ranking.SearchArea, *, cone_ids: set[int] = frozenset(), with_addresses: bool = False
) -> dict[str, Any]:
    """The results map: area, incident and view cones (only for the addresses in `cone_ids`, the current page)
    as GeoJSON features; every camera of every result as one compact row in "cameras", in MAP_CAMERA_COLUMNS
    order (verdict as an index into "verdicts"). An address's cameras come best first, so the first row of a
    rank names its result row. With `with_addresses` (the sheet, whose page has no result rows to name them)
    each row ends with the address."""
    features: list[dict[str, Any]] = [area_feature(area), _incident_feature(area)]
    cameras: list[list[Any]] = []
    for row in addresses:
        label = [_address_label(row)] if with_addresses else []
        with_cones = row.registration_id in cone_ids
        for entry in row.cameras:
            camera = entry.item.camera
            cameras.append(
                [
                    round(camera.longitude, 6),
                    round(camera.latitude, 6),
                    _VERDICT_CODES[entry.verdict],
                    row.rank,
                    camera.camera_id,
                    *label,
                ]
            )
            if with_cones and camera.has_view_cone:
                features.append(_cone_feature(camera, row.rank, entry.verdict))
    columns = [*MAP_CAMERA_COLUMNS, "address"] if with_addresses else list(MAP_CAMERA_COLUMNS)
    return {
        "type": "FeatureCollection",
        "features": features,
        "verdicts": list(MAP_VERDICTS),
        "camera_columns": columns,
        "cameras": cameras,
    }


def _address_label(row) -> str:
    detail = row.detail
    return f"{detail.address} · {detail.business_name}" if detail.business_name else detail.address


def _cone_feature(camera, rank: int, verdict: str) -> dict[str, Any]:
    cone = geo.cone_polygon(
        camera.latitude, camera.longitude, camera.bearing_degrees, camera.field_of_view_degrees, camera.range_m
    )
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [_lonlat(cone)]},
        "properties": {"role": "cone", "camera_id": camera.camera_id, "rank": rank, "verdict": verdict},
    }
