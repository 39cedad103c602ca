"""Hostile input answers problem+json naming the parameter; unknown /api/ URLs are problem+json 404s."""

from __future__ import annotations

import pytest

from api.selectors import Cursor
from tests.api.helpers import api_client, is_problem, make_token

pytestmark = pytest.mark.django_db

HOSTILE = [
    ("bbox", "garbage"),
    ("bbox", "1,2,3"),
    ("bbox", "1,2,3,4,5"),
    ("bbox", "nan,0,1,1"),
    ("bbox", "inf,0,1,1"),
    ("bbox", "10,0,-10,1"),
    ("bbox", "0,95,1,96"),
    ("bbox", "-200,0,1,1"),
    ("bbox", "1e400,0,1,1"),
    ("bbox", "1,\x00,2,3"),
    ("bbox", "9" * 5000),
    ("status", "nonsense"),
    ("status", "active\x00"),
    ("updated_since", "yesterday"),
    ("updated_since", "2026-13-45T99:99:99"),
    ("updated_since", "\x00"),
    ("updated_since", "9" * 400),
    ("updated_since", "99999-01-01T00:00:00Z"),
    ("page_size", "0"),
    ("page_size", "-1"),
    ("page_size", "501"),
    ("page_size", "99999999999999999999"),
    ("page_size", "1e5"),
    ("page_size", "ten"),
    ("page_size", "\x00"),
    ("cursor", "not-a-cursor"),
    ("cursor", "\x00"),
    ("cursor", "W10"),  # base64 of []
    ("cursor", "WyJ4IiwwLDFd"),  # ["x",0,1]
    ("cursor", "!!!!"),
    ("cursor", "x" * 5000),
]


@pytest.mark.parametrize(("name", "value"), HOSTILE)
def test_hostile_parameters_answer_400_naming_the_parameter(town, name, value):
    _token, secret = make_token(town["maple"])
    body = is_problem(api_client(secret).get("/api/v1/registrations/", {name: value}), 400)
    assert [error["field"] for error in body["errors"]] == [name]
    assert all(error["message"] for error in body["errors"])
    assert name in body["detail"]


def test_a_forged_cursor_is_harmless_and_a_huge_id_is_refused(town):
    _token, secret = make_token(town["maple"])
    client = api_client(secret)
    import datetime as dt

    forged = Cursor(at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC), kind=0, id=0).encode()
    assert client.get("/api/v1/registrations/", {"cursor": forged}).status_code == 200
    huge = Cursor(at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC), kind=0, id=2**70).encode()
    is_problem(client.get("/api/v1/registrations/", {"cursor": huge}), 400)


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/v1/",
        "/api/v1/nothing/",
        "/api/v2/registrations/",
        "/api/v1/registrations",
        "/api/v1/registrations/not-a-uuid/",
        "/api/v1/registrations/%00/",
        "/api/v1/registrations/00000000-0000-0000-0000-000000000000/contacts/extra/",
    ],
)
@pytest.mark.parametrize("authorised", [False, True])
def test_unknown_api_urls_are_problem_json_404(town, path, authorised):
    secret = make_token(town["maple"])[1] if authorised else None
    client = api_client(secret)
    is_problem(client.get(path), 404)
    is_problem(client.post(path, data="{}", content_type="application/json"), 404)


def test_wrong_method_and_bad_accept_are_problems_too(town):
    _token, secret = make_token(town["maple"])
    client = api_client(secret)
    is_problem(client.post("/api/v1/registrations/", data="{}", content_type="application/json"), 405)
    is_problem(client.delete("/api/v1/registrations/"), 405)
    response = client.get("/api/v1/registrations/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406 and response["Content-Type"].startswith("application/problem+json")


def test_options_is_not_an_unaudited_way_in(town):
    _token, secret = make_token(town["maple"])
    is_problem(api_client(secret).options("/api/v1/registrations/"), 405)


def test_a_failed_audit_write_refuses_the_read_with_503_problem_json(town, monkeypatch):
    from audit.services import AuditWriteFailed
    from registrations.models import Registration

    _token, secret = make_token(town["maple"], ["contacts:read"])
    registration = Registration.objects.filter(agency=town["maple"]).first()

    def refuse(**fields):
        raise AuditWriteFailed(fields["action"])

    monkeypatch.setattr("audit.services._append_or_refuse", refuse)
    response = api_client(secret).get(f"/api/v1/registrations/{registration.public_id}/contacts/")
    body = is_problem(response, 503)
    assert registration.owner_name not in response.content.decode() and response["Retry-After"]
    assert "audit" in body["detail"]


def test_an_unexpected_error_is_a_problem_json_500_not_an_html_page(town, monkeypatch):
    _token, secret = make_token(town["maple"])

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("api.registration_views.registration_sync_page", explode)
    body = is_problem(api_client(secret).get("/api/v1/registrations/"), 500)
    assert "boom" not in body["detail"]


def test_the_docs_and_schema_answer_other_methods_with_problem_json(db):
    from django.test import Client

    for path in ("/api/v1/docs/", "/api/v1/schema/"):
        is_problem(Client().post(path, data="{}", content_type="application/json"), 405)
