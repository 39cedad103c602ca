"""Bench-only URLconf: the app's URLs plus one bare JSON view, the baseline of bench.api_http.

The view returns the same page of rows as GET /api/v1/registrations/?page_size=N (the same fields, the same
(updated_at, id) ordering, values through the ORM with the same select/prefetch) as plain Django JSON:
no DRF, no token, no audit entry. Which agencies' rows it shows comes from BENCH_BARE_AGENCY_IDS, set by the
bench to what the token sees. It is only mounted by bench.bare_settings.
"""

from __future__ import annotations

import os

from django.db.models import Prefetch
from django.http import JsonResponse
from django.urls import path

from cameraregistry.urls import urlpatterns as app_urlpatterns
from registrations.models import Camera, Registration

AGENCY_IDS = [int(value) for value in os.environ.get("BENCH_BARE_AGENCY_IDS", "").split(",") if value]


def _camera(camera) -> dict:
    return {
        "id": camera.id,
        "locations": list(camera.locations),
        "description": camera.description,
        "records_street": camera.records_street,
        "bearing_degrees": camera.bearing_degrees,
        "field_of_view_degrees": camera.field_of_view_degrees,
        "range_m": camera.range_m,
        "retention_days": camera.retention_days,
        "exports_common_format": camera.exports_common_format,
        "brand": camera.brand,
    }


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def bare_registrations(request):
    size = min(max(int(request.GET.get("page_size", 100)), 1), 500)
    rows = (
        Registration.objects.filter(agency_id__in=AGENCY_IDS)
        .select_related("agency")
        .prefetch_related(Prefetch("cameras", queryset=Camera.objects.order_by("id")))
        .order_by("updated_at", "id")[:size]
    )
    results = [
        {
            "id": str(row.public_id),
            "agency": row.agency.slug,
            "status": row.status,
            "property_type": row.property_type,
            "business_name": row.business_name,
            "street_address": row.street_address,
            "unit": row.unit,
            "city": row.city,
            "postal_code": row.postal_code,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "address_not_in_table": row.address_not_in_table,
            "verified_at": _iso(row.verified_at),
            "last_confirmed_at": _iso(row.last_confirmed_at),
            "notes_for_detectives": row.notes_for_detectives,
            "cameras": [_camera(camera) for camera in row.cameras.all()],
            "updated_at": _iso(row.updated_at),
        }
        for row in rows
    ]
    return JsonResponse({"results": results, "next_cursor": None})


urlpatterns = [path("bench-bare/registrations/", bare_registrations), *app_urlpatterns]
