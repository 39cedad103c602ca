"""A request that meets the database gone (restarting, refusing, or SQLite busy) answers 503 "try again".

`is_database_unavailable` says whether an error means the database could not be reached or was busy
for a moment: Django's OperationalError or InterfaceError whose driver error is a lost or refused
connection (PostgreSQL's connection SQLSTATEs 08xxx and 57P01-57P03, psycopg's client-side
connection errors) or SQLite's "database is locked" after its busy timeout. Every other database
error (IntegrityError, ProgrammingError, a cancelled statement...) is a bug and stays a 500.

Such a request gets a plain page (or, under /api/, an RFC 9457 problem) with Retry-After, one
warning in the log instead of an error with a traceback, and its broken connection closed so the
next request on the thread connects afresh. Nothing is half-saved: every service writes inside its
own atomic block, which the lost connection rolled back (the project does not use ATOMIC_REQUESTS).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from django.db import DatabaseError, connections
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger("cameraregistry.db_unavailable")

RETRY_AFTER_SECONDS = 5
PROBLEM_TYPE = "/api/v1/problems/database-unavailable"
PROBLEM_DETAIL = "The database is unavailable for a moment (restarting or busy); nothing was changed. Try again."

try:  # PostgreSQL's driver; absent on an SQLite-only install
    import psycopg

    _DRIVER_ERRORS: tuple[type[BaseException], ...] = (
        sqlite3.OperationalError,
        psycopg.OperationalError,
        psycopg.InterfaceError,
    )
except ImportError:  # pragma: no cover - psycopg is in requirements.txt
    _DRIVER_ERRORS = (sqlite3.OperationalError,)

# SQLSTATE: class 08 connection exceptions; 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")
# What the drivers say when no SQLSTATE came from the server (the socket failed, or the server refused).
_PHRASES = (
    "server closed the connection",
    "terminating connection due to administrator command",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "connection refused",
    "connection failed",
    "could not connect to server",
    "the connection is closed",
    "the connection is lost",
    "connection already closed",
    "consuming input failed",
    "sending query failed",
    "no connection to the server",
    "database is locked",
    "database table is locked",
)


def _connection_lost(error: BaseException) -> bool:
    for candidate in (error.__cause__, error):
        if candidate is None:
            continue
        sqlstate = getattr(candidate, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_SQLSTATE_PREFIXES):
            return True
        text = str(candidate).lower()
        if any(phrase in text for phrase in _PHRASES):
            return True
    return False


def is_database_unavailable(error: BaseException | None) -> bool:
    """True for a lost, refused or busy database connection; False for every other error.

    An error raised `from` one (AuditWriteFailed, when the audit entry could not be written because
    the database was gone) counts as the one it came from.
    """
    for _depth in range(5):
        if error is None:
            return False
        if isinstance(error, (OperationalError, InterfaceError, *_DRIVER_ERRORS)):
            return _connection_lost(error)
        if isinstance(error, DatabaseError):
            return False  # IntegrityError, ProgrammingError, DataError...: a bug, not an outage
        error = error.__cause__
    return False


def close_broken_connections() -> None:
    """Close every connection of this thread that an error left unusable, so the next use reconnects."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue  # whoever opened the block closes it (a test's transaction, a worker's claim)
        try:
            connection.close_if_unusable_or_obsolete()
        except DatabaseError:
            pass  # it is being closed because it is broken


def log_unavailable(request: HttpRequest | None, error: BaseException) -> None:
    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    where = f"{request.method} {request.path}" if request is not None else "a request"
    logger.warning("Database unavailable during %s, answered 503: %s: %s", where, type(error).__name__, first_line)


def problem_body() -> dict[str, object]:
    """The RFC 9457 problem the API answers (api/problems.py uses it too)."""
    return {"type": PROBLEM_TYPE, "title": "Service unavailable", "status": 503, "detail": PROBLEM_DETAIL}


def database_unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    """Log once, close the broken connection, and answer 503 with Retry-After."""
    log_unavailable(request, error)
    close_broken_connections()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(problem_body(), status=503, content_type="application/problem+json")
    else:
        # A 5xx status also keeps SessionMiddleware from saving the session. The page needs no database.
        response = render(request, "errors/database_unavailable.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # type: ignore[attr-defined] # Django's log_response: logged once, above
    return response


class DatabaseUnavailableMiddleware:
    """Last in MIDDLEWARE, so it is the first to see a view's exception."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return database_unavailable_response(request, exception)
        return None
