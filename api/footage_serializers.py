"""Input and output of the footage request and evidence operations."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.canvass_serializers import StrictCharField, WholeNumberField
from footage.models import Channel, RequestStatus
from footage.services import MAX_MESSAGE_CHARS, MAX_WINDOW

MAX_CAMERAS = 200


@extend_schema_serializer(component_name="FootageRequestCreate")
class RequestCreateInput(serializers.Serializer):
    cameras = serializers.ListField(
        child=WholeNumberField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=MAX_CAMERAS,
        help_text="Camera ids chosen for the case (`chosen_cameras[].camera_id`); one request per owner",
    )
    window_start = serializers.DateTimeField(
        required=False,
        default_timezone=dt.UTC,
        help_text="Default: the window of the case's latest search. ISO 8601; without an offset, UTC",
    )
    window_end = serializers.DateTimeField(
        required=False, default_timezone=dt.UTC, help_text=f"At most {MAX_WINDOW.days} days after window_start"
    )
    message = StrictCharField(
        required=False, allow_blank=True, max_length=MAX_MESSAGE_CHARS * 2, help_text="To the owners"
    )

    def validate(self, attrs):
        if ("window_start" in attrs) != ("window_end" in attrs):
            raise serializers.ValidationError({"window_end": "Give both window_start and window_end, or neither."})
        return attrs


@extend_schema_serializer(component_name="RequestEvent")
class EventOutput(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    kind = serializers.CharField()
    description = serializers.CharField()


@extend_schema_serializer(component_name="FootageRequest")
class RequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.DictField(help_text="id and case_number")
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    camera_id = serializers.IntegerField(allow_null=True)
    registration = serializers.UUIDField(allow_null=True, help_text="null when access ended or the owner withdrew")
    address = serializers.CharField(allow_null=True)
    access_ended = serializers.BooleanField(help_text="The owner's agency no longer shares with yours")
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    owner_reason = serializers.CharField()
    evidence_count = serializers.IntegerField()
    events = EventOutput(many=True, help_text="The request's history, oldest first")


@extend_schema_serializer(component_name="FootageRequestList")
class RequestListOutput(serializers.Serializer):
    results = RequestOutput(many=True)


@extend_schema_serializer(component_name="Evidence")
class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes")
    sha256 = serializers.CharField(help_text="Recorded when the file arrived")
    content_type = serializers.CharField(help_text="Detected from the file's first bytes")
    received_at = serializers.DateTimeField()
    purged_at = serializers.DateTimeField(allow_null=True, help_text="Deleted under the retention rule")
    download = serializers.CharField(allow_null=True, help_text="Path of the download operation")


@extend_schema_serializer(component_name="EvidenceList")
class EvidenceListOutput(serializers.Serializer):
    results = EvidenceOutput(many=True)
