"""Every API error as RFC 9457 `application/problem+json`: type, title, status, detail, and field errors."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from audit.services import AuditWriteFailed
from cameraregistry.db_unavailable import (
    RETRY_AFTER_SECONDS,
    close_broken_connections,
    is_database_unavailable,
    log_unavailable,
    problem_body,
)

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"

TITLES = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    410: "Gone",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}
TYPES = {
    400: "invalid-request",
    401: "authentication-required",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    410: "gone",
    413: "body-too-large",
    415: "unsupported-media-type",
    422: "unprocessable",
    429: "rate-limited",
    500: "internal-error",
    503: "audit-unavailable",
}


class ProblemException(exceptions.APIException):
    """An API answer other than DRF's own errors: `status_code`, a detail, and extra members for the body."""

    def __init__(self, status_code: int, detail: str, *, errors: list[dict] | None = None, **extra) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.errors = errors or []
        self.extra = extra


def problem(status_code: int, detail: str = "", errors: list[dict] | None = None) -> dict:
    body = {
        "type": TYPE_BASE + TYPES.get(status_code, "error"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail or TITLES.get(status_code, "Error"),
    }
    if errors:
        body["errors"] = errors
    return body


def field_errors(detail, prefix: str = "") -> list[dict]:
    """A serializer's nested error detail as a flat list of {"field", "message"}."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            name = (
                prefix
                if key in ("non_field_errors", "__all__") and not prefix
                else ".".join(filter(None, [prefix, str(key)]))
            )
            found.extend(field_errors(value, name))
        return found
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix or None, "message": str(item)} for item in detail]
        found = []
        for index, item in enumerate(detail):
            found.extend(field_errors(item, f"{prefix}[{index}]" if prefix else str(index)))
        return found
    return [{"field": prefix or None, "message": str(detail)}]


def _problem_response(body: dict, headers: dict | None = None) -> Response:
    # As DRF's own handler does: a transaction the view opened is rolled back, nothing half-saved.
    set_rollback()
    return Response(body, status=body["status"], headers=headers, content_type=CONTENT_TYPE)


def exception_handler(exc, context) -> Response:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: no exception leaves an API view as HTML or a bare 500."""
    headers = {}
    if is_database_unavailable(exc):
        # Before AuditWriteFailed: an audit entry that failed because the database was gone is this case too.
        log_unavailable(context["request"], exc)
        close_broken_connections()
        response = _problem_response(problem_body(), {"Retry-After": str(RETRY_AFTER_SECONDS)})
        response._has_been_logged = True  # Django's log_response: logged once, as a warning, above
        return response
    if isinstance(exc, Http404):
        return _problem_response(problem(404, "No such resource, or not one this token may see."))
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, AuditWriteFailed):
        return _problem_response(
            problem(503, "The audit log cannot be written, so the request was refused. Try again later."),
            {"Retry-After": "300"},
        )
    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unexpected error in an API view", exc_info=exc)
        return _problem_response(problem(500, "Something went wrong on the server; the error was logged."))
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        authenticate = context["request"].successful_authenticator or (context["request"].authenticators or [None])[0]
        header = authenticate.authenticate_header(context["request"]) if authenticate else None
        if header:
            headers["WWW-Authenticate"] = header
        else:
            exc.status_code = status.HTTP_403_FORBIDDEN
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors[:5])
        return _problem_response(problem(code, detail, errors), headers)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if isinstance(exc, ProblemException):
        return _problem_response({**problem(code, str(detail), exc.errors), **exc.extra}, headers)
    return _problem_response(problem(code, str(detail)), headers)


@csrf_exempt
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any URL under /api/ that names no operation (no session, nothing changed: no CSRF check either)."""
    return JsonResponse(
        problem(404, "No API operation at this address; see /api/v1/docs/."), status=404, content_type=CONTENT_TYPE
    )
