"""The project's URLs plus views (and a middleware) that raise the real database errors, for tests/test_db_unavailable.py.

Each error is a driver's own exception (psycopg's, sqlite3's) turned into Django's by Django's own
DatabaseErrorWrapper, exactly as a query that met it would raise it.
"""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import psycopg
from django.db.utils import DatabaseErrorWrapper
from django.http import Http404
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from audit.services import AuditWriteFailed
from cameraregistry.urls import handler400, handler403, handler404, handler500
from cameraregistry.urls import urlpatterns as project_urlpatterns

DRIVER_ERRORS = {
    "admin-shutdown": lambda: psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    "shutting-down": lambda: psycopg.errors.CannotConnectNow("the database system is shutting down"),
    "starting-up": lambda: psycopg.errors.CannotConnectNow("the database system is starting up"),
    "refused": lambda: psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    ),
    "server-closed": lambda: psycopg.OperationalError(
        "consuming input failed: server closed the connection unexpectedly"
    ),
    "connection-closed": lambda: psycopg.OperationalError("the connection is closed"),
    "sqlite-locked": lambda: sqlite3.OperationalError("database is locked"),
    # Not outages: bugs, which stay 500s.
    "integrity": lambda: psycopg.errors.UniqueViolation('duplicate key value violates unique constraint "x_pkey"'),
    "programming": lambda: psycopg.errors.UndefinedTable('relation "no_such_table" does not exist'),
    "statement-timeout": lambda: psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
}


def raise_as_django(kind: str) -> None:
    error = DRIVER_ERRORS[kind]()
    driver = sqlite3 if isinstance(error, sqlite3.Error) else psycopg
    with DatabaseErrorWrapper(SimpleNamespace(Database=driver, errors_occurred=False)):
        raise error


def page(request, kind: str):
    if kind not in DRIVER_ERRORS:
        raise Http404
    raise_as_django(kind)


def audited_page(request, kind: str):
    """As audit_record fails when the database is gone: AuditWriteFailed raised from the database's error."""
    try:
        raise_as_django(kind)
    except Exception as error:
        raise AuditWriteFailed("registration.create") from error


class Api(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request, kind: str):
        raise_as_django(kind)


class RaisingMiddleware:
    """Stands for a middleware whose database read (the session, the signed-in user) meets the outage."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/middleware-error/"):
            raise_as_django(request.path.split("/")[2])
        return self.get_response(request)


urlpatterns = [
    path("db-error/<str:kind>/", page),
    path("audited-db-error/<str:kind>/", audited_page),
    path("api/v1/test-db-error/<str:kind>", Api.as_view()),
    *project_urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
