"""Footage requests for a case's chosen cameras, their status and history, evidence metadata and download.

Requests and their history need `footage:request`; evidence needs `footage:read`. footage.services decides
(windows, paused owners, ended sharing agreements, closed cases) and writes the custody audit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from api.base import ApiView, JsonApiView, service_errors
from api.case_selectors import (
    case_for_footage,
    case_requests,
    chosen_ids_for_cameras,
    default_request_window,
    request_detail,
    request_with_evidence,
)
from api.footage_serializers import (
    EvidenceListOutput,
    RequestCreateInput,
    RequestListOutput,
    RequestOutput,
)
from api.openapi import problems
from api.problems import ProblemException
from api.renderers import JSONRenderer
from footage import selectors as footage_selectors
from footage import services as footage_services

# The service's error keys, as fields of the request body.
REQUEST_FIELDS = {"cameras": "cameras", "window_start": "window_start", "window_end": "window_end"}


def request_data(footage_request) -> dict:
    registration = footage_request.registration
    hidden = getattr(footage_request, "access_ended", False) or registration is None
    events = list(footage_request.events.all())
    return {
        "id": footage_request.pk,
        "case": {"id": footage_request.case_id, "case_number": footage_request.case.case_number},
        "status": footage_request.status,
        "channel": footage_request.channel,
        "camera_id": None if hidden or footage_request.case_camera is None else footage_request.case_camera.camera_id,
        "registration": None if hidden else str(registration.public_id),
        "address": None if hidden else registration.street_address,
        "access_ended": bool(getattr(footage_request, "access_ended", False)),
        "window_start": footage_request.window_start,
        "window_end": footage_request.window_end,
        "created_at": footage_request.created_at,
        "answered_at": footage_request.answered_at,
        "expires_at": footage_request.expires_at,
        "owner_reason": "" if hidden else footage_request.owner_reason,
        "evidence_count": len(footage_request.evidence.all()),
        "events": [{"occurred_at": e.occurred_at, "kind": e.kind, "description": e.description} for e in events],
    }


REQUEST_EXAMPLE = {
    "id": 301,
    "case": {"id": 40, "case_number": "2026-004512"},
    "status": "footage_received",
    "channel": "email",
    "camera_id": 1733,
    "registration": "0b8f5a52-1c3e-4a8e-9d39-2b8c4f0d7e11",
    "address": "407 Maple Ave",
    "access_ended": False,
    "evidence_count": 1,
    "events": [
        {"occurred_at": "2026-05-01T07:30:00Z", "kind": "created", "description": "Request created; email queued"},
        {"occurred_at": "2026-05-01T09:02:00Z", "kind": "evidence_received", "description": "door.mp4: 20480 bytes"},
    ],
}
EVIDENCE_EXAMPLE = {
    "id": 77,
    "name": "door.mp4",
    "size": 20480,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "content_type": "video/mp4",
    "received_at": "2026-05-01T09:02:00Z",
    "purged_at": None,
    "download": "/api/v1/evidence/77/download",
}
REQUESTS_EXAMPLE = [OpenApiExample("Requests", value={"results": [REQUEST_EXAMPLE]}, response_only=True)]


class CaseRequestsApi(JsonApiView):
    """GET lists the case's requests; POST asks the owners of chosen cameras."""

    operation = "footage_requests.list"
    required_scope = "footage:request"

    @extend_schema(
        operation_id="cases_footage_requests_list",
        summary="The case's footage requests",
        description="Newest first, each with its status and history. Scope: `footage:request`.",
        responses={200: RequestListOutput, **problems()},
        examples=REQUESTS_EXAMPLE,
    )
    def get(self, request, case_id):
        case = case_for_footage(request.user, case_id)
        requests = case_requests(request.user, case)
        self.audit(request, object_type="case", object_id=case.pk, parameters={"count": len(requests)})
        return Response(RequestListOutput({"results": [request_data(item) for item in requests]}).data)

    @extend_schema(
        operation_id="cases_footage_requests_create",
        summary="Ask the owners of chosen cameras for footage",
        description=(
            "One request per owner among the cameras (each must be chosen for the case, and its owner one your "
            "agency may still ask). Owners with an email get a private link; others are to be called. The window "
            "is at most 7 days and defaults to the case's latest search. Scope: `footage:request`."
        ),
        request=RequestCreateInput,
        responses={201: RequestListOutput, **problems(413, 415)},
        examples=[
            OpenApiExample(
                "Two cameras",
                value={"cameras": [1733, 1740], "message": "Footage of the street, 1–3 am please."},
                request_only=True,
            ),
            *REQUESTS_EXAMPLE,
        ],
    )
    def post(self, request, case_id):
        case = case_for_footage(request.user, case_id)
        serializer = RequestCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chosen, missing = chosen_ids_for_cameras(case, list(dict.fromkeys(data["cameras"])))
        if missing:
            raise ProblemException(
                400,
                "cameras: not chosen for this case",
                errors=[
                    {"field": "cameras", "message": f"Camera {camera} is not chosen for this case; choose it first."}
                    for camera in missing
                ],
            )
        window = (data["window_start"], data["window_end"]) if "window_start" in data else default_request_window(case)
        start, end = window if window else (None, None)
        with transaction.atomic():
            try:
                created = footage_services.footage_request_create(
                    user=request.user,
                    case=case,
                    case_camera_ids=chosen,
                    window_start=start,
                    window_end=end,
                    message=data.get("message", ""),
                    request=request._request,
                )
            except DjangoValidationError as error:
                raise service_errors(error, REQUEST_FIELDS) from None
            self.audit(request, object_type="case", object_id=case.pk, parameters={"requests": [r.pk for r in created]})
        created = [request_detail(request.user, item.pk) for item in created]
        return Response(RequestListOutput({"results": [request_data(item) for item in created]}).data, status=201)

    def initial(self, request, *args, **kwargs):
        self.operation = "footage_requests.create" if request.method == "POST" else "footage_requests.list"
        super().initial(request, *args, **kwargs)


class RequestDetailApi(ApiView):
    operation = "footage_requests.detail"
    required_scope = "footage:request"

    @extend_schema(
        operation_id="footage_requests_retrieve",
        summary="A footage request: status and history",
        description=(
            "When the owner's agency no longer shares with yours, the owner's address and registration are left "
            "out (`access_ended`); the history stays. Scope: `footage:request`."
        ),
        responses={200: RequestOutput, **problems()},
        examples=[OpenApiExample("A request", value=REQUEST_EXAMPLE, response_only=True)],
    )
    def get(self, request, request_id):
        footage_request = request_detail(request.user, request_id)
        self.audit(request, object_type="footage_request", object_id=footage_request.pk)
        return Response(RequestOutput(request_data(footage_request)).data)


def evidence_data(evidence) -> dict:
    return {
        "id": evidence.pk,
        "name": evidence.original_name,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "content_type": evidence.content_type,
        "received_at": evidence.uploaded_at,
        "purged_at": evidence.purged_at,
        "download": None if evidence.purged_at else f"/api/v1/evidence/{evidence.pk}/download",
    }


class RequestEvidenceApi(ApiView):
    operation = "evidence.list"
    required_scope = "footage:read"

    @extend_schema(
        operation_id="footage_requests_evidence_list",
        summary="The evidence files received for a request",
        description="Name, size, SHA-256 recorded at arrival, received at. Scope: `footage:read`.",
        responses={200: EvidenceListOutput, **problems()},
        examples=[OpenApiExample("Files", value={"results": [EVIDENCE_EXAMPLE]}, response_only=True)],
    )
    def get(self, request, request_id):
        footage_request = request_with_evidence(request.user, request_id)
        files = list(footage_request.evidence.all())
        self.audit(
            request, object_type="footage_request", object_id=footage_request.pk, parameters={"files": len(files)}
        )
        return Response(EvidenceListOutput({"results": [evidence_data(item) for item in files]}).data)


class OctetStreamRenderer(BaseRenderer):
    media_type = "application/octet-stream"
    format = "bin"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only problems are rendered here (the file itself is a FileResponse): as JSON.
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


class EvidenceDownloadApi(ApiView):
    operation = "evidence.download"
    required_scope = "footage:read"
    renderer_classes = [OctetStreamRenderer, JSONRenderer]

    @extend_schema(
        operation_id="evidence_download",
        summary="Download an evidence file, its SHA-256 re-verified first",
        description=(
            "The file's SHA-256 is recomputed before it is sent (as the staff page does); the answer carries it in "
            "`X-Evidence-SHA256`. A file that no longer matches is never sent: 409, recorded in the audit log as a "
            "hash mismatch. A file purged under the retention rule: 410. Scope: `footage:read`."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file"),
            **problems(406, 409, 410),
        },
    )
    def get(self, request, evidence_id):
        evidence = footage_selectors.evidence_for(request.user, evidence_id)
        if evidence.purged_at is not None:
            raise ProblemException(
                410,
                f"This file was deleted on {evidence.purged_at:%Y-%m-%d} under the retention rule "
                f"({evidence.request.agency.footage_retention_days_after_close} days after the case closed).",
            )
        matches, actual = footage_services.evidence_verify(
            user=request.user, evidence=evidence, purpose="download", request=request._request
        )
        if not matches:
            self.audit(
                request,
                object_type="evidence_file",
                object_id=evidence.pk,
                parameters={"expected": evidence.sha256, "actual": actual},
                outcome="failure",
            )
            raise ProblemException(
                409,
                f"{evidence.original_name} has changed or is missing since it was received (SHA-256 recorded "
                f"{evidence.sha256}, now {actual}). Do not use it as evidence; this was recorded in the audit log.",
                expected_sha256=evidence.sha256,
                actual_sha256=actual,
            )
        self.audit(request, object_type="evidence_file", object_id=evidence.pk, parameters={"sha256": evidence.sha256})
        response = FileResponse(
            default_storage.open(evidence.stored_name, "rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type="application/octet-stream",
        )
        response["X-Evidence-SHA256"] = evidence.sha256
        return response
