"""Cases: list, detail (chosen cameras and footage urgency), choose and unchoose cameras, close and reopen.

Reads with `canvass:search`, writes with `cases:write`; every rule is canvass.services' (the case page's).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import formats
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response

from api.base import ApiView, JsonApiView, service_errors
from api.case_selectors import case_chosen_cameras, case_searches, cases_page
from api.case_serializers import (
    CASES_PAGE_SIZE_DEFAULT,
    CameraChooseInput,
    CaseListInput,
    CaseOutput,
    CasePageOutput,
    ChosenCameraOutput,
    ReasonInput,
)
from api.openapi import problems
from canvass import selectors as canvass_selectors
from canvass import services as canvass_services
from canvass.selectors import CameraUrgency


def case_summary(case) -> dict:
    return {
        "id": case.pk,
        "case_number": case.case_number,
        "offense_type": {"id": case.offense_type_id, "name": case.offense_type.name},
        "status": case.status,
        "created_at": case.created_at,
        "closed_at": case.closed_at,
    }


def chosen_camera(chosen) -> dict:
    registration = chosen.camera.registration
    return {
        "id": chosen.pk,
        "camera_id": chosen.camera_id,
        "registration": str(registration.public_id),
        "address": registration.street_address,
        "chosen_at": chosen.chosen_at,
        "note": chosen.note,
    }


def footage_words(days: int | None, overwritten_after, zone) -> str:
    """The case page's words: "keeps 3 days, probably overwritten after Thu 4 Dec, 14:00" (agency time)."""
    if days is None or overwritten_after is None:
        return "Retention not known: ask soon."
    when = formats.date_format(overwritten_after.astimezone(zone), "D j M, H:i")
    return f"keeps {days} day{'s' if days != 1 else ''}, probably overwritten after {when}"


def overwrite_words(item: CameraUrgency, zone) -> str:
    return footage_words(item.retention_days, item.overwritten_after, zone)


def _urgency_item(item: CameraUrgency, zone) -> dict:
    return {
        "chosen_camera_id": item.case_camera.pk,
        "camera_id": item.case_camera.camera_id,
        "registration": str(item.registration.public_id),
        "address": item.registration.street_address,
        "retention_days": item.retention_days,
        "overwritten_after": item.overwritten_after,
        "words": overwrite_words(item, zone),
    }


def case_answer(user, case) -> dict:
    urgency = canvass_selectors.case_urgency(user, case)
    return {
        **case_summary(case),
        "close_reason": case.close_reason,
        "searches": [
            {
                "id": search.pk,
                "created_at": search.created_at,
                "area_kind": search.area_kind,
                "result_count": search.result_count,
                "window_start": search.window_start,
                "window_end": search.window_end,
            }
            for search in case_searches(case)
        ],
        "chosen_cameras": [chosen_camera(chosen) for chosen in case_chosen_cameras(user, case)],
        "urgency": {
            "incident_start": urgency.incident_start,
            "urgent": [_urgency_item(item, urgency.zone) for item in urgency.urgent],
            "unknown": [_urgency_item(item, urgency.zone) for item in urgency.unknown],
        },
    }


CASE_SUMMARY_EXAMPLE = {
    "id": 40,
    "case_number": "2026-004512",
    "offense_type": {"id": 3, "name": "Burglary"},
    "status": "open",
    "created_at": "2026-05-01T07:12:00Z",
    "closed_at": None,
}
CASE_EXAMPLE = {
    **CASE_SUMMARY_EXAMPLE,
    "close_reason": "",
    "searches": [{"id": 812, "area_kind": "radius", "result_count": 23}],
    "chosen_cameras": [{"id": 91, "camera_id": 1733, "address": "407 Maple Ave", "note": "Faces the alley"}],
    "urgency": {
        "incident_start": "2026-05-01T01:40:00Z",
        "urgent": [{"chosen_camera_id": 91, "camera_id": 1733, "words": "keeps 3 days, probably overwritten after …"}],
        "unknown": [],
    },
}
CHOSEN_EXAMPLE = {
    "id": 91,
    "camera_id": 1733,
    "registration": "0b8f5a52-1c3e-4a8e-9d39-2b8c4f0d7e11",
    "address": "407 Maple Ave",
    "chosen_at": "2026-05-01T07:20:00Z",
    "note": "Faces the alley",
}


class CaseListApi(ApiView):
    operation = "cases.list"
    required_scope = "canvass:search"

    @extend_schema(
        operation_id="cases_list",
        summary="Your agency's cases, newest first",
        description=(
            f"`?page=` from 1, `page_size` {CASES_PAGE_SIZE_DEFAULT} by default; follow `next_page` until it is "
            "null. Scope: `canvass:search`."
        ),
        parameters=[CaseListInput],
        responses={200: CasePageOutput, **problems()},
        examples=[
            OpenApiExample(
                "A page", value={"results": [CASE_SUMMARY_EXAMPLE], "page": 1, "next_page": None}, response_only=True
            )
        ],
    )
    def get(self, request):
        serializer = CaseListInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        page = data.get("page", 1)
        cases, more = cases_page(
            request.user, data.get("status", ""), page, data.get("page_size", CASES_PAGE_SIZE_DEFAULT)
        )
        self.audit(request, object_type="case", parameters={"page": page, "count": len(cases)})
        body = {
            "results": [case_summary(case) for case in cases],
            "page": page,
            "next_page": page + 1 if more else None,
        }
        return Response(CasePageOutput(body).data)


class CaseDetailApi(ApiView):
    operation = "cases.detail"
    required_scope = "canvass:search"

    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case: its searches, chosen cameras and footage urgency",
        description=(
            "`chosen_cameras` holds the cameras your agency may still use (a partner's camera drops out when its "
            "sharing agreement ends). `urgency` lists the chosen cameras whose owners you may ask for footage and "
            "whose footage will probably be overwritten within 72 hours. Scope: `canvass:search`."
        ),
        responses={200: CaseOutput, **problems()},
        examples=[OpenApiExample("A case", value=CASE_EXAMPLE, response_only=True)],
    )
    def get(self, request, case_id):
        case = canvass_selectors.case_for(request.user, case_id)
        body = case_answer(request.user, case)
        self.audit(request, object_type="case", object_id=case.pk)
        return Response(CaseOutput(body).data)


class CaseCameraChooseApi(JsonApiView):
    operation = "cases.cameras.choose"
    required_scope = "cases:write"

    @extend_schema(
        operation_id="cases_cameras_create",
        summary="Choose a camera for the case",
        description=(
            "The camera must be one your agency could find in a canvass search now. Choosing it again changes "
            "nothing. Scope: `cases:write`."
        ),
        request=CameraChooseInput,
        responses={200: ChosenCameraOutput, **problems(413, 415)},
        examples=[
            OpenApiExample("Choose", value={"camera_id": 1733, "note": "Faces the alley"}, request_only=True),
            OpenApiExample("Chosen", value=CHOSEN_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request, case_id):
        case = canvass_selectors.case_for(request.user, case_id)
        serializer = CameraChooseInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            try:
                chosen = canvass_services.case_camera_add(
                    user=request.user,
                    case=case,
                    camera_id=serializer.validated_data["camera_id"],
                    note=serializer.validated_data.get("note", ""),
                    request=request._request,
                )
            except DjangoValidationError as error:
                raise service_errors(error, {"camera": "camera_id"}) from None
            self.audit(request, object_type="case", object_id=case.pk, parameters={"camera_id": chosen.camera_id})
        return Response(ChosenCameraOutput(chosen_camera(chosen)).data)


class CaseCameraRemoveApi(ApiView):
    operation = "cases.cameras.remove"
    required_scope = "cases:write"

    @extend_schema(
        operation_id="cases_cameras_destroy",
        summary="Unchoose a camera",
        description="Answers 204 whether or not the camera was chosen. Scope: `cases:write`.",
        responses={204: OpenApiResponse(description="Not chosen (any more)"), **problems()},
    )
    def delete(self, request, case_id, camera_id):
        case = canvass_selectors.case_for(request.user, case_id)
        with transaction.atomic():
            canvass_services.case_camera_remove(
                user=request.user, case=case, camera_id=camera_id, request=request._request
            )
            self.audit(request, object_type="case", object_id=case.pk, parameters={"camera_id": camera_id})
        return Response(status=204)


class _CaseStatusApi(JsonApiView):
    required_scope = "cases:write"
    service = None

    def post(self, request, case_id):
        case = canvass_selectors.case_for(request.user, case_id)
        serializer = ReasonInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            try:
                case = type(self).service(
                    user=request.user,
                    case=case,
                    reason=serializer.validated_data.get("reason", ""),
                    request=request._request,
                )
            except DjangoValidationError as error:
                raise service_errors(error) from None
            self.audit(request, object_type="case", object_id=case.pk)
        case = canvass_selectors.case_for(request.user, case.pk)
        return Response(CaseOutput(case_answer(request.user, case)).data)


REASON_EXAMPLE = [
    OpenApiExample("Reason", value={"reason": "Suspect charged; footage secured."}, request_only=True),
    OpenApiExample("The case", value=CASE_EXAMPLE, response_only=True),
]


class CaseCloseApi(_CaseStatusApi):
    operation = "cases.close"
    service = staticmethod(canvass_services.case_close)

    @extend_schema(
        operation_id="cases_close",
        summary="Close a case (with a reason)",
        description=(
            "No new searches or footage requests; evidence is purged after your agency's retention rule. "
            "Scope: `cases:write`."
        ),
        request=ReasonInput,
        responses={200: CaseOutput, **problems(413, 415)},
        examples=REASON_EXAMPLE,
    )
    def post(self, request, case_id):
        return super().post(request, case_id)


class CaseReopenApi(_CaseStatusApi):
    operation = "cases.reopen"
    service = staticmethod(canvass_services.case_reopen)

    @extend_schema(
        operation_id="cases_reopen",
        summary="Reopen a closed case (with a reason)",
        description="Scope: `cases:write`.",
        request=ReasonInput,
        responses={200: CaseOutput, **problems(413, 415)},
        examples=REASON_EXAMPLE,
    )
    def post(self, request, case_id):
        return super().post(request, case_id)
