"""Answer a refused action (its audit entry could not be written) with a clear 503 page, not a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.services import AuditWriteFailed


def audit_unavailable_response(request: HttpRequest) -> HttpResponse:
    # A 5xx status also keeps SessionMiddleware from saving the session (e.g. a half-done sign-in).
    response = render(request, "errors/audit_unavailable.html", status=503)
    response["Retry-After"] = "300"
    return response


class AuditFailureMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AuditWriteFailed):
            return audit_unavailable_response(request)
        return None
