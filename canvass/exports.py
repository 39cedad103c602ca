"""Map GeoJSON, CSV and GeoJSON downloads of a search's ranked results. No contact details leave this way."""

from __future__ import annotations

import csv
import io
from typing import Any

from cameraregistry import geo, units
from cameraregistry.csv_safe import safe_cell
from canvass import ranking
from canvass.services import SearchResult

CSV_COLUMNS = [
    "rank",
    "score",
    "address",
    "business_name",
    "registration",
    "camera_id",
    "distance_m",
    "sees_incident",
    "records_street",
    "bearing_degrees",
    "field_of_view_degrees",
    "range_m",
    "retention_days",
    "footage_likely_kept",
    "overwritten_after",
    "urgent",
    "verified",
    "camera_description",
    "why",
]


def _sees_text(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def result_rows(result: SearchResult) -> list[dict[str, Any]]:
    rows = []
    for position, item in enumerate(result.ranked, start=1):
        camera = item.camera
        detail = result.details[camera.camera_id]
        rows.append(
            {
                "rank": position,
                "score": item.score,
                "address": detail.address,
                "business_name": detail.business_name,
                "registration": detail.registration_public_id,
                "camera_id": camera.camera_id,
                "distance_m": round(item.distance_m),
                "sees_incident": _sees_text(item.sees_incident),
                "records_street": "yes" if camera.records_street else "no",
                "bearing_degrees": camera.bearing_degrees,
                "field_of_view_degrees": camera.field_of_view_degrees,
                "range_m": camera.range_m,
                "retention_days": camera.retention_days,
                "footage_likely_kept": "yes" if item.footage_likely_kept else "no",
                "overwritten_after": item.overwritten_after.isoformat(timespec="minutes"),
                "urgent": "yes" if item.urgent else "no",
                "verified": "yes" if camera.verified else "no",
                "camera_description": detail.description,
                "why": " ".join(reason.text for reason in item.reasons),
            }
        )
    return rows


def in_units(result: SearchResult, length_units: str) -> SearchResult:
    """Word the ranked cameras' "why" distances in the agency's units (numbers stay in metres)."""
    for item in result.ranked:
        item.length_units = length_units
    return result


# Lengths the CSV gives in the agency's units: the header names the unit ("distance_ft").
_CSV_LENGTHS = ("distance_m", "range_m")


def csv_header(length_units: str = units.METRIC) -> list[str]:
    suffix = "_" + units.unit_symbol(length_units)
    return [column[: -len("_m")] + suffix if column in _CSV_LENGTHS else column for column in CSV_COLUMNS]


def results_csv(result: SearchResult, length_units: str = units.METRIC) -> str:
    """The ranked results as CSV; distance and range in `length_units` (whole numbers), the rest as ranked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_header(length_units))
    in_units(result, length_units)
    for row in result_rows(result):
        for column in _CSV_LENGTHS:
            if row[column] is not None:
                row[column] = round(units.from_metres(row[column], length_units))
        writer.writerow([safe_cell(row[column]) for column in CSV_COLUMNS])
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


def results_geojson(result: SearchResult, *, with_cones: bool = True) -> dict[str, Any]:
    """Search area, incident place, one point per ranked camera and, where known, its view cone."""
    area = result.area
    features: list[dict[str, Any]] = [
        area_feature(area),
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(area.place[1], 7), round(area.place[0], 7)]},
            "properties": {"role": "incident"},
        },
    ]
    rows = result_rows(result)
    for row, item in zip(rows, result.ranked, strict=True):
        camera = item.camera
        properties = {"role": "camera", **{key: row[key] for key in CSV_COLUMNS if key != "why"}}
        properties["why"] = [reason.text for reason in item.reasons]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(camera.longitude, 7), round(camera.latitude, 7)]},
                "properties": properties,
            }
        )
        if with_cones and camera.has_view_cone:
            cone = geo.cone_polygon(
                camera.latitude, camera.longitude, camera.bearing_degrees, camera.field_of_view_degrees, camera.range_m
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [_lonlat(cone)]},
                    "properties": {"role": "cone", "camera_id": camera.camera_id, "rank": row["rank"]},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def map_geojson(
    addresses, area: ranking.SearchArea, *, cone_ids: set[int] = frozenset(), with_addresses: bool = False
) -> dict[str, Any]:
    """The results map: area, incident, one small point per camera (every result) and view cones only for the
    addresses in `cone_ids` (the current page). Points carry only what the map needs: address rank, verdict,
    and with `with_addresses` (the sheet, whose page has no result rows to name them) the address."""
    features: list[dict[str, Any]] = [
        area_feature(area),
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(area.place[1], 7), round(area.place[0], 7)]},
            "properties": {"role": "incident"},
        },
    ]
    for row in addresses:
        for entry in row.cameras:
            camera = entry.item.camera
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(camera.longitude, 6), round(camera.latitude, 6)],
                    },
                    "properties": {
                        "role": "camera",
                        "camera_id": camera.camera_id,
                        "rank": row.rank,
                        "row": row.best.item.camera.camera_id,
                        "verdict": entry.verdict,
                        **({"address": _address_label(row)} if with_addresses else {}),
                    },
                }
            )
            if row.registration_id in cone_ids and camera.has_view_cone:
                features.append(_cone_feature(camera, row.rank, entry.verdict))
    return {"type": "FeatureCollection", "features": features}


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
