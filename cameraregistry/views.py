from __future__ import annotations

import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.forbidden import staff_forbidden_response
from cameraregistry.db_unavailable import database_unavailable_response, is_database_unavailable
from cameraregistry.readiness import readiness


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        reason = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        return JsonResponse({"status": "error", "reason": f"database unreachable: {reason}"}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Database, cache, storage and worker heartbeat: 200 when all work, 503 naming those that do not."""
    checks = readiness()
    failed = [name for name, status in checks.items() if status != "ok"]
    if failed:
        return JsonResponse({"status": "error", "failed": failed, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


def home(request: HttpRequest):
    return render(request, "home.html")


def bad_request(request: HttpRequest, exception: Exception | None = None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None):
    # Signed-in staff get the staff layout naming the role needed; anyone else the public page.
    return staff_forbidden_response(request, exception) or render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None):
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest):
    # Called while Django handles the exception: one raised by a middleware (e.g. the session read)
    # when the database is gone is "try again" too; a view's exception reached DatabaseUnavailableMiddleware.
    error = sys.exc_info()[1]
    if error is not None and is_database_unavailable(error):
        return database_unavailable_response(request, error)
    return render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = ""):
    return render(request, "errors/csrf.html", status=403)
