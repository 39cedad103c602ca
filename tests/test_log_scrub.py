"""No usable token, signed value, session id or CSRF token reaches a log line.

Each URL pattern that carries a secret is provoked into logging (a CSRF failure, a 404
with DEBUG off, a 400 for a bad host) with a real, still-usable token, and the output is
read both from caplog and from the configured console handler's formatted stream.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cameraregistry.log_scrub import REDACTED, ScrubSecretsFilter, scrub
from footage.tokens import request_link_issue
from registrations.tokens import owner_link_issue
from tests.footage.helpers import make_request
from tests.owners.helpers import a_registration_with_email

TOKEN_ROUTES = {"manage/link/<str:value>/", "manage/confirm/<str:value>/", "footage/r/<uuid:public_id>/<str:value>/"}


def _routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_every_route_with_a_secret_in_the_path_is_covered():
    """A new route taking a `value` (a token) must be added to log_scrub.TOKEN_PATHS and to this file."""
    assert {route for route in _routes(get_resolver()) if "value>" in route} == TOKEN_ROUTES


@pytest.fixture
def console():
    """The formatted output of the console handler that settings.LOGGING installs on the root logger."""
    [handler] = [handler for handler in logging.getLogger().handlers if handler.get_name() == "console"]
    assert any(isinstance(item, ScrubSecretsFilter) for item in handler.filters)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def token_urls(town) -> list[tuple[str, str]]:
    """(path, secret) for a live token on each token-bearing route."""
    registration = a_registration_with_email(town["maple"])
    manage = owner_link_issue(registration=registration)
    confirm = owner_link_issue(registration=registration)
    footage_request = make_request(town["maple"], registration)
    footage = request_link_issue(footage_request=footage_request)
    return [
        (f"/manage/link/{manage}/", manage),
        (f"/manage/confirm/{confirm}/", confirm),
        (f"/footage/r/{footage_request.public_id}/{footage}/", footage),
    ]


def assert_nowhere(secret: str, caplog, console, *, expect: str, in_message: bool = True) -> None:
    token = secret.split(":")[0]  # the random part alone is the dangerous bit
    records = [record for record in caplog.records if record.name.startswith("django")]
    assert records, "the request was expected to log something"
    assert any(expect in record.getMessage() for record in records), [r.getMessage() for r in records]
    for record in records:
        assert token not in record.getMessage() and not record.args
        request = getattr(record, "request", None)
        if request is not None:
            assert token not in request.path and token not in request.get_full_path()
            assert token not in request.path_info and token not in str(request.META) and token not in repr(request)
    assert token not in caplog.text
    output = console.getvalue()
    assert expect in output and token not in output
    assert REDACTED in output or not in_message


@pytest.mark.django_db
@pytest.mark.parametrize("route", range(3), ids=["manage-link", "manage-confirm", "footage-link"])
def test_csrf_failure_does_not_log_the_token(town, route, caplog, console):
    path, secret = token_urls(town)[route]
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.INFO):
        response = client.post(path)
    assert response.status_code == 403
    assert_nowhere(secret, caplog, console, expect="Forbidden (CSRF cookie not set.)")
    assert Client().get(path).status_code == 200  # the token really was still usable


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("route", range(3), ids=["manage-link", "manage-confirm", "footage-link"])
def test_not_found_does_not_log_the_token(town, route, caplog, console, settings):
    settings.DEBUG = False
    path, secret = token_urls(town)[route]
    with caplog.at_level(logging.INFO):
        response = Client().get(path + "more/?again=" + secret)
    assert response.status_code == 404
    assert_nowhere(secret, caplog, console, expect="Not Found:")


@pytest.mark.django_db
@pytest.mark.parametrize("route", range(3), ids=["manage-link", "manage-confirm", "footage-link"])
def test_a_used_or_broken_link_does_not_log_the_token(town, route, caplog, console):
    path, secret = token_urls(town)[route]
    broken = path.replace(secret, secret[:-3] + "AAA")
    with caplog.at_level(logging.INFO):
        response = Client().get(broken)
    assert response.status_code == 404
    assert_nowhere(secret, caplog, console, expect="Not Found:")


@pytest.mark.django_db
@pytest.mark.parametrize("route", range(3), ids=["manage-link", "manage-confirm", "footage-link"])
def test_bad_request_does_not_log_the_token(town, route, caplog, console):
    path, secret = token_urls(town)[route]
    with caplog.at_level(logging.INFO):
        response = Client(HTTP_HOST="attacker.example").get(path)
    assert response.status_code == 400
    # The message names the host only; the path travels in record.request, for handlers that show it.
    assert_nowhere(secret, caplog, console, expect="Invalid HTTP_HOST header", in_message=False)


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_scrubbed_from_the_request(town, caplog, console):
    client = Client(enforce_csrf_checks=True)
    client.get("/manage/")  # a CSRF cookie
    session = client.session
    session["anything"] = 1
    session.save()
    session_id, csrf = client.cookies["sessionid"].value, client.cookies["csrftoken"].value
    with caplog.at_level(logging.INFO):
        client.post("/manage/", {"csrfmiddlewaretoken": "wrong" * 8})
    [record] = [record for record in caplog.records if record.name == "django.security.csrf"]
    text = caplog.text + console.getvalue() + str(record.request.META) + str(record.request.COOKIES)
    assert session_id not in text and csrf not in text


def test_signed_values_in_any_message_are_scrubbed():
    dumped = signing.dumps({"registration": 12}, salt="anything")
    timestamped = signing.TimestampSigner(salt="s").sign("a-random-token-value-1234567890")
    plain = signing.Signer(salt="s").sign("value")
    for secret in (dumped, timestamped, plain, timestamped.replace(":", "%3A")):
        line = scrub(f"Something happened with {secret} at 12:30:45")
        assert secret not in line and REDACTED in line and "12:30:45" in line


def test_named_secrets_are_scrubbed():
    line = scrub("Cookie: sessionid=abcdefghij0123456789abcdefghij01; csrftoken=XYZxyz0123456789abcdef; lang=es")
    assert "abcdefghij0123456789" not in line and "XYZxyz0123456789" not in line and "lang=es" in line
    line = scrub("{'csrfmiddlewaretoken': 'q1w2e3r4t5y6u7i8o9p0', 'email': 'x'} __Host-sessionid=zzzzzzzzzzzzzzzzzz")
    assert "q1w2e3r4t5y6u7i8o9p0" not in line and "zzzzzzzzzzzz" not in line and "'email': 'x'" in line


def test_ordinary_lines_are_left_alone():
    for line in ("GET /staff/registrations/?page=2 HTTP/1.1", "Not Found: /favicon.ico", "at 2026-01-02 03:04:05"):
        assert scrub(line) == line


def test_a_logged_exception_is_scrubbed(caplog, console):
    value = signing.dumps("secret-payload")
    try:
        raise ValueError(f"could not use {value}")
    except ValueError:
        logging.getLogger("django.request").exception("Failed on /manage/link/%s/", "tokenvaluethatislong")
    output = console.getvalue()
    assert value not in output and value not in caplog.text and "tokenvaluethatislong" not in output
    assert "ValueError" in output


def test_the_development_server_log_line_is_scrubbed(console):
    """runserver logs the request line with a socket as `request`; the path in it is scrubbed too."""
    import socket

    with socket.socket() as connection:
        logging.getLogger("django.server").warning(
            '"%s" %s %s', "POST /manage/link/tokenvaluethatislong/ HTTP/1.1", 403, 10, extra={"request": connection}
        )
    output = console.getvalue()
    assert "tokenvaluethatislong" not in output and "/manage/link/[redacted]/" in output


def test_a_signed_value_inside_a_long_run_of_text_is_still_scrubbed():
    value = signing.dumps({"registration": 7})
    line = "x" * 5000 + " " + value + " " + "y." * 3000
    assert value not in scrub(line)
    assert REDACTED in scrub(line)


def test_a_huge_hostile_line_is_cut_and_scrubbed():
    # The old pattern backtracked once per position over a run with no colon: minutes for 64 KB.
    # Now a line is read once; one longer than 64 KB is cut, and says so.
    value = signing.dumps({"registration": 7})
    line = value + " " + "a" * 200_000 + ":" + "b" * 100
    cleaned = scrub(line)
    assert value not in cleaned
    assert cleaned.endswith("[cut: longer than 64 KB]")
    assert len(cleaned) < 70_000
