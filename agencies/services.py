from __future__ import annotations

from django.db import transaction

from agencies.models import Agency, TermsVersion


def _boundary_bbox(boundary: dict) -> tuple[float, float, float, float]:
    polygons = [boundary["coordinates"]] if boundary["type"] == "Polygon" else boundary["coordinates"]
    lats = [float(point[1]) for polygon in polygons for ring in polygon for point in ring]
    lons = [float(point[0]) for polygon in polygons for ring in polygon for point in ring]
    return min(lats), max(lats), min(lons), max(lons)


@transaction.atomic
def agency_save(*, agency: Agency) -> Agency:
    """Validate and save an agency, keeping its boundary's bounding box in step."""
    agency.full_clean()
    agency.min_latitude, agency.max_latitude, agency.min_longitude, agency.max_longitude = _boundary_bbox(
        agency.boundary
    )
    agency.save()
    return agency


@transaction.atomic
def terms_publish(*, agency: Agency, text_en: str, text_es: str = "") -> TermsVersion:
    """Publish a new terms version; earlier versions stay as the record of what owners agreed to."""
    latest = TermsVersion.objects.select_for_update().filter(agency=agency).order_by("-version").first()
    terms = TermsVersion(agency=agency, version=(latest.version + 1 if latest else 1), text_en=text_en, text_es=text_es)
    terms.full_clean()
    terms.save()
    return terms
