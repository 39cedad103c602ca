"""A request that meets the database restarting (or SQLite busy) answers 503 "try again", never a 500.

The unit tests raise the drivers' real exception types, wrapped by Django as a query would raise them,
from views of tests/db_unavailable_urls.py. The PostgreSQL test really kills the backend of the
request's connection halfway through a registration, from a second connection.
"""

from __future__ import annotations

import logging

import psycopg
import pytest
from django.db import connection
from django.test import Client

from registrations.models import Registration
from tests.registrations.helpers import form_data

OUTAGES = ["admin-shutdown", "shutting-down", "starting-up", "refused", "server-closed", "connection-closed"]
BUGS = ["integrity", "programming", "statement-timeout"]


@pytest.fixture
def error_urls(settings, db):
    settings.ROOT_URLCONF = "tests.db_unavailable_urls"


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


def _assert_try_again(response, caplog) -> None:
    assert response.status_code == 503, response.content[:500]
    assert 1 <= int(response["Retry-After"]) <= 30
    warnings = [r for r in caplog.records if r.name == "cameraregistry.db_unavailable"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("kind", [*OUTAGES, "sqlite-locked"])
def test_a_lost_refused_or_busy_database_is_a_503_page_asking_to_try_again(error_urls, anonymous, caplog, kind):
    response = anonymous.get(f"/db-error/{kind}/")
    _assert_try_again(response, caplog)
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Service temporarily unavailable, try again" in page
    assert "nothing was saved" in page
    assert "Traceback" not in page and "psycopg" not in page


@pytest.mark.parametrize("kind", BUGS)
def test_other_database_errors_are_still_500s(error_urls, anonymous, caplog, kind):
    response = anonymous.get(f"/db-error/{kind}/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert not [r for r in caplog.records if r.name == "cameraregistry.db_unavailable"]


def test_the_page_is_in_spanish_for_a_spanish_browser(error_urls, anonymous, caplog):
    response = anonymous.get("/db-error/admin-shutdown/", HTTP_ACCEPT_LANGUAGE="es")
    _assert_try_again(response, caplog)
    page = response.content.decode()
    assert "Servicio no disponible por el momento, inténtelo de nuevo" in page
    assert "no se guardó nada" in page


@pytest.mark.parametrize("kind", ["server-closed", "sqlite-locked"])
def test_the_api_answers_a_503_problem(error_urls, anonymous, caplog, kind):
    response = anonymous.get(f"/api/v1/test-db-error/{kind}")
    _assert_try_again(response, caplog)
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503 and body["type"] == "/api/v1/problems/database-unavailable"
    assert "Try again" in body["detail"]


def test_an_api_integrity_error_is_still_a_500_problem(error_urls, anonymous):
    response = anonymous.get("/api/v1/test-db-error/integrity")
    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
    assert "Retry-After" not in response


def test_an_audit_entry_refused_because_the_database_is_gone_is_the_same_503(error_urls, anonymous, caplog):
    response = anonymous.get("/audited-db-error/refused/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "Service temporarily unavailable, try again" in page
    assert "audit log could not be written" not in page


def test_an_audit_entry_refused_for_another_reason_keeps_its_own_page(error_urls, anonymous):
    response = anonymous.get("/audited-db-error/programming/")
    assert response.status_code == 503
    assert "audit log could not be written" in response.content.decode()


def test_a_middleware_meeting_the_outage_gets_the_same_page(error_urls, anonymous, caplog, settings):
    at = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:at],
        "tests.db_unavailable_urls.RaisingMiddleware",
        *settings.MIDDLEWARE[at:],
    ]
    _assert_try_again(anonymous.get("/middleware-error/refused/"), caplog)
    assert anonymous.get("/middleware-error/integrity/").status_code == 500


def _terminate_own_backend_at(statement_start: str):
    """An execute wrapper: just before the first statement starting so, a second connection kills this one's backend."""
    state = {"killed": False}

    def wrapper(execute, sql, params, many, context):
        if not state["killed"] and sql.lstrip().upper().startswith(statement_start):
            state["killed"] = True
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(**_connect_kwargs(), autocommit=True) as other:
                assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        return execute(sql, params, many, context)

    return wrapper, state


def _connect_kwargs() -> dict:
    params = connection.get_connection_params()
    return {key: value for key, value in params.items() if key in {"dbname", "user", "password", "host", "port"}}


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_killed_mid_registration_answers_503_saves_nothing_and_the_next_request_works(town, caplog):
    resident = Client(raise_request_exception=False)
    terms = town["maple"].current_terms()
    before = Registration.objects.count()
    wrapper, state = _terminate_own_backend_at("INSERT")
    with connection.execute_wrapper(wrapper):
        response = resident.post("/register/", form_data(terms.pk))
    assert state["killed"]
    _assert_try_again(response, caplog)
    assert "Service temporarily unavailable, try again" in response.content.decode()
    assert connection.connection is None or connection.is_usable()  # not the killed one

    assert Registration.objects.count() == before  # nothing half-saved
    again = resident.post("/register/", form_data(terms.pk))
    assert again.status_code == 302, again.content.decode()[:1000]
    assert Registration.objects.count() == before + 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_killed_mid_page_read_answers_503_and_the_broken_connection_is_closed(town, caplog):
    resident = Client(raise_request_exception=False)
    wrapper, state = _terminate_own_backend_at("SELECT")
    with connection.execute_wrapper(wrapper):
        response = resident.get("/register/")
    assert state["killed"]
    _assert_try_again(response, caplog)
    # No atomic block closed it this time: the middleware did, so the next request connects afresh
    # (the test client does not run Django's end-of-request connection cleanup).
    assert connection.connection is None
    assert resident.get("/register/").status_code == 200


def test_an_api_token_lookup_meeting_the_outage_is_one_503_problem_and_one_warning(db, anonymous, caplog):
    from tests.db_unavailable_urls import raise_as_django

    def refuse_token_lookups(execute, sql, params, many, context):
        if "api_apitoken" in sql:
            raise_as_django("refused")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_token_lookups):
        response = anonymous.get("/api/v1/registrations/", HTTP_AUTHORIZATION="Bearer " + "x" * 40)
    _assert_try_again(response, caplog)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/v1/problems/database-unavailable"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_while_postgresql_refuses_connections_readyz_and_pages_answer_503_then_recover(town, caplog):
    from tests.tcp_relay import TcpRelay

    settings_dict = connection.settings_dict
    relay = TcpRelay(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)).start()
    original = (settings_dict["HOST"], settings_dict["PORT"])
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", relay.port  # this thread's queries go through it
    try:
        resident = Client(raise_request_exception=False)
        assert resident.get("/register/").status_code == 200
        relay.cut()  # what a restart looks like: the open connection closed under it, new ones refused
        ready = resident.get("/readyz")
        assert ready.status_code == 503 and "database" in ready.json()["failed"]
        for _attempt in range(2):  # first the connection closed under it, then refused ones
            response = resident.get("/register/")
            assert response.status_code == 503 and response["Retry-After"]
            assert "Service temporarily unavailable, try again" in response.content.decode()
        relay.restore()
        assert resident.get("/register/").status_code == 200
        assert resident.get("/readyz").json()["checks"]["database"] == "ok"
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = original
        relay.cut()
