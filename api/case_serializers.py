"""Input and output of the case operations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from api.base import QueryInput, QueryInteger
from api.canvass_serializers import StrictCharField, WholeNumberField
from canvass.models import AreaKind, CaseStatus
from canvass.services import MAX_CASE_REASON_CHARS

CASES_PAGE_SIZE_DEFAULT = 50
CASES_PAGE_SIZE_MAX = 100


class CaseListInput(QueryInput):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    page = QueryInteger(required=False, min_value=1, max_value=100_000)
    page_size = QueryInteger(
        required=False,
        min_value=1,
        max_value=CASES_PAGE_SIZE_MAX,
        help_text=f"Default {CASES_PAGE_SIZE_DEFAULT}, at most {CASES_PAGE_SIZE_MAX}",
    )


@extend_schema_serializer(component_name="OffenseType")
class OffenseTypeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="CaseSummary")
class CaseSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField()
    offense_type = OffenseTypeOutput()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="CasePage")
class CasePageOutput(serializers.Serializer):
    results = CaseSummaryOutput(many=True)
    page = serializers.IntegerField()
    next_page = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="CaseSearch")
class CaseSearchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    area_kind = serializers.ChoiceField(choices=AreaKind.choices)
    result_count = serializers.IntegerField()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()


@extend_schema_serializer(component_name="ChosenCamera")
class ChosenCameraOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The choice's id")
    camera_id = WholeNumberField()
    registration = serializers.UUIDField()
    address = serializers.CharField()
    chosen_at = serializers.DateTimeField()
    note = serializers.CharField()


@extend_schema_serializer(component_name="CameraUrgency")
class CameraUrgencyOutput(serializers.Serializer):
    chosen_camera_id = WholeNumberField()
    camera_id = WholeNumberField()
    registration = serializers.UUIDField()
    address = serializers.CharField()
    retention_days = serializers.IntegerField(allow_null=True)
    overwritten_after = serializers.DateTimeField(allow_null=True, help_text="In the agency's time zone")
    words = serializers.CharField()


@extend_schema_serializer(component_name="CaseUrgency")
class CaseUrgencyOutput(serializers.Serializer):
    incident_start = serializers.DateTimeField(allow_null=True)
    urgent = CameraUrgencyOutput(many=True, help_text="Probably overwritten within 72 hours, soonest first")
    unknown = CameraUrgencyOutput(many=True, help_text="Retention not known: ask soon")


@extend_schema_serializer(component_name="Case")
class CaseOutput(CaseSummaryOutput):
    close_reason = serializers.CharField()
    searches = CaseSearchOutput(many=True)
    chosen_cameras = ChosenCameraOutput(many=True)
    urgency = CaseUrgencyOutput()


@extend_schema_serializer(component_name="ChooseCamera")
class CameraChooseInput(serializers.Serializer):
    camera_id = WholeNumberField(min_value=1, max_value=2**63 - 1, help_text="`camera_id` of a search result")
    note = StrictCharField(required=False, allow_blank=True, max_length=300)


@extend_schema_serializer(component_name="CaseReason")
class ReasonInput(serializers.Serializer):
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=MAX_CASE_REASON_CHARS * 2,
        help_text=f"Required; at most {MAX_CASE_REASON_CHARS} characters. Shown on the case page and audited",
    )
