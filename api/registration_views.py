"""Registrations for GIS and records sync: a cursor-paged feed, one registration, its contacts."""

from __future__ import annotations

import datetime as dt
import math

from drf_spectacular.utils import (
    OpenApiExample,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from accounts.access import Permission, sharing_use_check, sharing_uses_record
from api.base import ApiView, QueryInput, QueryInteger
from api.openapi import problems
from api.selectors import BadCursor, Cursor, SyncFilters, Tombstone, registration_detail, registration_sync_page
from registrations.models import CameraLocation, ContactMethod, ExportFormat, PropertyType, Status

PAGE_SIZE_DEFAULT = 100
PAGE_SIZE_MAX = 500
ERRORS = problems()


@extend_schema_serializer(component_name="Camera")
class CameraOutput(serializers.Serializer):
    id = serializers.IntegerField()
    locations = serializers.ListField(child=serializers.ChoiceField(choices=CameraLocation.choices))
    description = serializers.CharField()
    records_street = serializers.BooleanField()
    bearing_degrees = serializers.IntegerField(allow_null=True, help_text="0 = north, 90 = east")
    field_of_view_degrees = serializers.IntegerField(allow_null=True)
    range_m = serializers.IntegerField(allow_null=True)
    retention_days = serializers.IntegerField(help_text="How many days the camera keeps video")
    exports_common_format = serializers.ChoiceField(choices=ExportFormat.choices)
    brand = serializers.CharField()


@extend_schema_serializer(component_name="Registration")
class RegistrationOutput(serializers.Serializer):
    """What the staff registration page shows, without the owner's contact details."""

    id = serializers.UUIDField(source="public_id")
    agency = serializers.SlugField(source="agency.slug")
    status = serializers.ChoiceField(choices=Status.choices)
    property_type = serializers.ChoiceField(choices=PropertyType.choices)
    business_name = serializers.CharField()
    street_address = serializers.CharField()
    unit = serializers.CharField()
    city = serializers.CharField()
    postal_code = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address_not_in_table = serializers.BooleanField()
    verified_at = serializers.DateTimeField(allow_null=True)
    last_confirmed_at = serializers.DateTimeField()
    notes_for_detectives = serializers.CharField()
    cameras = CameraOutput(many=True, source="cameras.all")
    updated_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="Tombstone")
class TombstoneOutput(serializers.Serializer):
    """A registration withdrawn, purged or merged away: only its id, never personal data or a point."""

    id = serializers.CharField(source="public_id")
    deleted = serializers.BooleanField(help_text="Always true: delete this registration from your copy.")
    updated_at = serializers.DateTimeField(source="at", help_text="When it was removed")


def _bbox(text: str) -> tuple[float, float, float, float]:
    parts = text.split(",")
    if len(parts) != 4:
        raise serializers.ValidationError("Give four numbers: minlon,minlat,maxlon,maxlat.")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
    except ValueError:
        raise serializers.ValidationError("Give four numbers: minlon,minlat,maxlon,maxlat.") from None
    if not all(math.isfinite(value) for value in (min_lon, min_lat, max_lon, max_lat)):
        raise serializers.ValidationError("The numbers must be finite.")
    if not (-180 <= min_lon <= max_lon <= 180):
        raise serializers.ValidationError("Longitudes must be between -180 and 180, the smaller first.")
    if not (-90 <= min_lat <= max_lat <= 90):
        raise serializers.ValidationError("Latitudes must be between -90 and 90, the smaller first.")
    return min_lon, min_lat, max_lon, max_lat


class RegistrationListApi(ApiView):
    operation = "registrations.list"
    required_scope = "registrations:read"

    class InputSerializer(QueryInput):
        bbox = serializers.CharField(
            required=False, max_length=200, help_text="minlon,minlat,maxlon,maxlat (WGS 84 degrees)"
        )
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        updated_since = serializers.DateTimeField(
            required=False,
            default_timezone=dt.UTC,
            help_text=(
                "ISO 8601; without an offset, UTC. Also turns on tombstones for registrations withdrawn, purged "
                "or merged since then (kept REGISTRATION_TOMBSTONE_DAYS, 90 by default)."
            ),
        )
        cursor = serializers.CharField(required=False, max_length=200, help_text="`next_cursor` of the previous page")
        page_size = QueryInteger(required=False, min_value=1, max_value=PAGE_SIZE_MAX)

        def validate_bbox(self, value: str):
            return _bbox(value)

        def validate_cursor(self, value: str):
            try:
                return Cursor.decode(value)
            except BadCursor:
                raise serializers.ValidationError("This cursor was not given by this API; start without one.") from None

    @extend_schema_serializer(component_name="RegistrationPage")
    class OutputSerializer(serializers.Serializer):
        results = PolymorphicProxySerializer(
            component_name="SyncItem",
            serializers=[RegistrationOutput, TombstoneOutput],
            resource_type_field_name=None,
            many=True,
            help_text=(
                "Registrations and, with updated_since, tombstones of registrations removed since then "
                "(not filtered by bbox: a tombstone has no point)."
            ),
        )
        next_cursor = serializers.CharField(allow_null=True)

    @extend_schema(
        operation_id="registrations_list",
        summary="Registrations for GIS / records sync",
        description=(
            "Registrations your agency (and agencies sharing with it) may see, ordered by (updated_at, id). "
            f"Page size {PAGE_SIZE_DEFAULT} by default, at most {PAGE_SIZE_MAX}; follow `next_cursor` until it is "
            "null. For incremental sync, pass the last `updated_at` you saw as `updated_since`: the page then "
            "also holds `{id, deleted: true, updated_at}` tombstones of registrations withdrawn by their owner, "
            "removed by the retention rules or merged into another since then, in the same order; delete those "
            "from your copy. A tombstone has only the id (no address, no point), so `bbox` cannot filter "
            "tombstones: every tombstone of your agencies is given; `status` leaves them out. Tombstones are kept "
            "REGISTRATION_TOMBSTONE_DAYS days (90 by default): if you sync less often, do a full sync (no "
            "`updated_since`)."
        ),
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "A page",
                value={
                    "results": [
                        {"id": "0b8f…", "status": "active", "street_address": "12 Elm St", "cameras": []},
                        {"id": "5c1e…", "deleted": True, "updated_at": "2026-05-01T12:00:00Z"},
                    ],
                    "next_cursor": "WyIyMDI2LTA1LTAxVDEyOjAwOjAwKzAwOjAwIiwwLDQyXQ",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        filters = SyncFilters(
            bbox=data.get("bbox"), status=data.get("status", ""), updated_since=data.get("updated_since")
        )
        page = registration_sync_page(
            request.user, filters, data.get("cursor"), data.get("page_size", PAGE_SIZE_DEFAULT)
        )
        agency_ids = {item.agency_id for item in page.items if not isinstance(item, Tombstone)}
        self.audit(
            request,
            object_type="registration",
            parameters={**filters.as_parameters(), "cursor": bool(data.get("cursor")), "count": len(page.items)},
        )
        sharing_uses_record(
            user=request.user,
            agency_ids=agency_ids,
            action=self.audit_action or "api.registrations.list",
            request=request._request,
        )
        # One serializer of each kind for the whole page: building one per row deep-copies its fields every time.
        registration_output, tombstone_output = RegistrationOutput(), TombstoneOutput()
        results = [
            (tombstone_output if isinstance(item, Tombstone) else registration_output).to_representation(item)
            for item in page.items
        ]
        return Response({"results": results, "next_cursor": page.next_cursor})


class RegistrationDetailApi(ApiView):
    operation = "registrations.detail"
    required_scope = "registrations:read"

    @extend_schema(
        operation_id="registrations_retrieve",
        summary="One registration, without contact details",
        responses={200: RegistrationOutput, **ERRORS},
    )
    def get(self, request, public_id):
        registration = registration_detail(request.user, public_id)
        sharing_use_check(request.user, registration, request._request)
        self.audit(request, object_type="registration", object_id=str(registration.public_id))
        return Response(RegistrationOutput(registration).data)


class RegistrationContactsApi(ApiView):
    operation = "registrations.contacts"
    required_scope = "contacts:read"
    # The same entry the staff page writes when someone reveals contact details.
    audit_action = "registration.contact_view"

    @extend_schema_serializer(component_name="RegistrationContacts")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="public_id")
        owner_name = serializers.CharField()
        owner_phone = serializers.CharField()
        owner_email = serializers.CharField()
        preferred_contact_method = serializers.ChoiceField(choices=ContactMethod.choices)
        contact_hours = serializers.CharField()
        alternate_name = serializers.CharField()
        alternate_phone = serializers.CharField()
        alternate_email = serializers.CharField()
        alternate_relation = serializers.CharField()

    @extend_schema(
        operation_id="registrations_contacts_retrieve",
        summary="The owner's contact details (each read is audited)",
        responses={200: OutputSerializer, **ERRORS},
    )
    def get(self, request, public_id):
        registration = registration_detail(request.user, public_id, Permission.VIEW_CONTACT_DETAILS)
        sharing_use_check(request.user, registration, request._request)
        self.audit(request, object_type="registration", object_id=str(registration.public_id))
        return Response(self.OutputSerializer(registration).data)
