"""Incident intake from CAD: one call opens (or reuses) the case, runs the pre-canvass and answers the ranked
cameras with how soon each one's footage will probably be overwritten.

The same canvass_search_run the search page uses; needs both `canvass:search` and `cases:write`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api.base import JsonApiView, service_errors
from api.canvass_serializers import (
    PAGE_SIZE,
    OffenseTypeField,
    PlaceField,
    RankedAddressOutput,
    RankedCameraOutput,
    SearchOutput,
    StrictCharField,
    WholeNumberField,
    address_output,
    area_fields,
    camera_output,
    search_output,
)
from api.canvass_views import RESULT_EXAMPLE, SEARCH_FIELDS, address_count, resolve_place, search_answer
from api.case_selectors import offense_type_reference
from api.case_views import footage_words
from api.openapi import problems
from cameraregistry.gc_pause import cyclic_gc_paused
from canvass import services as canvass_services
from canvass.models import AreaKind
from canvass.selectors import agency_timezone

_BOOLEAN = serializers.BooleanField()
WINDOW_MINUTES_DEFAULT = 30
WINDOW_MINUTES_MAX = 14 * 24 * 60
# A CAD clock a little ahead of ours is not an incident in the future.
CLOCK_SLACK = dt.timedelta(minutes=5)


@extend_schema_serializer(component_name="Incident")
class IncidentInput(serializers.Serializer):
    case_number = StrictCharField(max_length=100, help_text="The case is created for your agency if new")
    offense_type = OffenseTypeField()
    place = PlaceField()
    occurred_at = serializers.DateTimeField(default_timezone=dt.UTC, help_text="ISO 8601; without an offset, UTC")
    radius_m = area_fields()["radius_m"]
    window_before_minutes = WholeNumberField(
        required=False,
        min_value=0,
        max_value=WINDOW_MINUTES_MAX,
        help_text=f"The searched window starts this long before occurred_at (default {WINDOW_MINUTES_DEFAULT})",
    )
    window_after_minutes = WholeNumberField(
        required=False,
        min_value=0,
        max_value=WINDOW_MINUTES_MAX,
        help_text=(
            f"…and ends this long after it (default {WINDOW_MINUTES_DEFAULT}); the whole window is at most "
            "your department's maximum (24 hours by default)"
        ),
    )

    def validate_occurred_at(self, value):
        if value > timezone.now() + CLOCK_SLACK:
            raise serializers.ValidationError("The incident cannot have occurred in the future.")
        return value


@extend_schema_serializer(component_name="FootageUrgency")
class FootageUrgencyOutput(serializers.Serializer):
    overwritten_after = serializers.DateTimeField(help_text="Agency time: footage of the window's start is gone after")
    likely_kept = serializers.BooleanField()
    urgent = serializers.BooleanField(help_text="Kept now, overwritten within 3 days: ask first")
    words = serializers.CharField()


@extend_schema_serializer(component_name="IncidentCamera")
class IncidentCameraOutput(RankedCameraOutput):
    footage = FootageUrgencyOutput()


@extend_schema_serializer(component_name="IncidentAddress")
class IncidentAddressOutput(RankedAddressOutput):
    cameras = IncidentCameraOutput(many=True)


@extend_schema_serializer(component_name="IncidentResults")
class IncidentOutput(SearchOutput):
    results = IncidentAddressOutput(many=True)


def _camera_output(camera: dict, datetimes) -> dict:
    """IncidentCameraOutput(camera).data: the search's camera and its footage urgency."""
    output = camera_output(camera, datetimes)
    footage = camera["footage"]
    output["footage"] = None
    if footage is not None:
        output["footage"] = {
            "overwritten_after": datetimes(footage["overwritten_after"]),
            "likely_kept": _BOOLEAN.to_representation(footage["likely_kept"]),
            "urgent": _BOOLEAN.to_representation(footage["urgent"]),
            "words": None if footage["words"] is None else str(footage["words"]),
        }
    return output


def _address_output(address: dict, datetimes) -> dict:
    return address_output(address, datetimes, camera=_camera_output)


def incident_output(body: dict) -> dict:
    """IncidentOutput(body).data, built directly (as search_output; tests/api/test_canvass_output.py compares)."""
    return search_output(body, address=_address_output)


def with_urgency(body: dict, zone) -> dict:
    for row in body["results"]:
        for camera in row["cameras"]:
            camera["footage"] = {
                "overwritten_after": camera["overwritten_after"].astimezone(zone),
                "likely_kept": camera["footage_likely_kept"],
                "urgent": camera["urgent"],
                "words": footage_words(camera["retention_days"], camera["overwritten_after"], zone),
            }
    return body


EXAMPLE = {
    "case_number": "2026-004512",
    "offense_type": "Burglary",
    "place": {"address": "407 Maple Ave"},
    "occurred_at": "2026-05-01T02:10:00-05:00",
}


ANSWER_EXAMPLE = {
    **RESULT_EXAMPLE,
    "results": [
        {
            **RESULT_EXAMPLE["results"][0],
            "cameras": [
                {
                    **RESULT_EXAMPLE["results"][0]["cameras"][0],
                    "retention_days": 3,
                    "footage": {
                        "overwritten_after": "2026-05-04T01:40:00-05:00",
                        "likely_kept": True,
                        "urgent": True,
                        "words": "keeps 3 days, probably overwritten after Mon 4 May, 01:40",
                    },
                }
            ],
        }
    ],
}


class IncidentApi(JsonApiView):
    operation = "incidents.create"
    required_scope = ("canvass:search", "cases:write")

    @extend_schema(
        operation_id="incidents_create",
        summary="Incident intake: open the case, run the pre-canvass, answer the ranked cameras",
        description=(
            "Geocodes `place.address` through your department's address table (as the search page does; an "
            "address it lacks is a 422 with the nearest addresses) unless latitude and longitude are given, "
            "creates or reuses the case, and searches a radius (`radius_m`, else your department's default) "
            f"over the window around `occurred_at`. Answers the best {PAGE_SIZE} addresses with, for each "
            "camera, when its footage will probably be overwritten. The same limits and forbidden purposes as "
            "the search page. Scopes: `canvass:search` and `cases:write`."
        ),
        request=IncidentInput,
        responses={201: IncidentOutput, **problems(413, 415, 422)},
        examples=[
            OpenApiExample("From CAD", value=EXAMPLE, request_only=True),
            OpenApiExample("Ranked cameras", value=ANSWER_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request):
        with cyclic_gc_paused():
            return self._post(request)

    def _post(self, request):
        serializer = IncidentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        occurred = data["occurred_at"]
        window = (
            occurred - dt.timedelta(minutes=data.get("window_before_minutes", WINDOW_MINUTES_DEFAULT)),
            occurred + dt.timedelta(minutes=data.get("window_after_minutes", WINDOW_MINUTES_DEFAULT)),
        )
        place = resolve_place(data["place"])
        with transaction.atomic():
            try:
                result = canvass_services.canvass_search_run(
                    user=user,
                    case_number=data["case_number"],
                    offense_type_id=offense_type_reference(user, data["offense_type"]),
                    place=place,
                    window=window,
                    area=canvass_services.AreaRequest(kind=AreaKind.RADIUS, radius_m=data.get("radius_m")),
                    request=request._request,
                )
            except DjangoValidationError as error:
                raise service_errors(error, {**SEARCH_FIELDS, "window": "occurred_at"}) from None
            case = result.search.case
            self.audit(
                request,
                object_type="canvass_search",
                object_id=result.search.pk,
                parameters={"case_number": case.case_number, "result_count": address_count(result)},
            )
        # Worded after the commit, as for a search: no lock is held while the answer is built.
        body = with_urgency(search_answer(user, result, 1), agency_timezone(case.agency))
        return Response(
            incident_output(body), status=201, headers={"Location": f"/api/v1/searches/{result.search.pk}/"}
        )
