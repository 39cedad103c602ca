"""Token authentication: what each scope allows, and every way a token is refused."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.access import Permission, has_permission
from api.models import ApiToken
from api.scopes import SCOPES
from api.services import api_token_revoke, secret_hash
from audit.models import AuditEntry
from registrations.models import Registration
from tests.api.helpers import ALL_SCOPES, api_client, is_problem, make_token
from tests.staff_fixtures import make_staff, sign_in_with_password

pytestmark = pytest.mark.django_db

# Each operation of this foundation and the one scope that opens it.
OPERATIONS = {
    "list": ("registrations:read", lambda r: "/api/v1/registrations/"),
    "detail": ("registrations:read", lambda r: f"/api/v1/registrations/{r.public_id}/"),
    "contacts": ("contacts:read", lambda r: f"/api/v1/registrations/{r.public_id}/contacts/"),
}


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_scope_allows_exactly_its_operations(town, scope):
    _token, secret = make_token(town["maple"], [scope])
    client = api_client(secret)
    registration = Registration.objects.filter(agency=town["maple"]).first()
    for name, (needed, url) in OPERATIONS.items():
        response = client.get(url(registration))
        if scope == needed:
            assert response.status_code == 200, (name, response.content[:300])
        else:
            body = is_problem(response, 403)
            assert needed in body["detail"], name


def test_the_token_permissions_replace_the_role_at_the_chokepoint(town):
    token, secret = make_token(town["maple"], ["registrations:read"])
    account = token.account
    assert account.role == "" and not account.has_usable_password()
    assert not has_permission(account, Permission.VIEW_REGISTRATIONS)  # outside the API: nothing
    account.api_permissions = frozenset({Permission.VIEW_REGISTRATIONS})
    assert has_permission(account, Permission.VIEW_REGISTRATIONS)
    assert not has_permission(account, Permission.VIEW_CONTACT_DETAILS)
    account.is_active = False
    assert not has_permission(account, Permission.VIEW_REGISTRATIONS)


def test_the_integration_account_cannot_sign_in_on_the_pages(town, client):
    token, _secret = make_token(town["maple"])
    response = sign_in_with_password(client, token.account.username, "")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Token abc",
        "Bearer a b",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 5000,
        "Bearer ccr_\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
        "Bearer ccr_doesnotexistdoesnotexistdoesnotexist",
    ],
)
def test_no_or_malformed_or_unknown_token_is_401(town, client, header):
    kwargs = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get("/api/v1/registrations/", **kwargs)
    if header in (None, "", "Token abc", "Basic dXNlcjpwYXNz"):
        body = is_problem(response, 401)
    else:
        body = is_problem(response, 401)
        assert body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused(town):
    token, secret = make_token(town["maple"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    body = is_problem(api_client(secret).get("/api/v1/registrations/"), 401)
    assert "expired" in body["detail"]


@pytest.mark.slow
def test_revoked_token_is_refused_and_its_account_disabled(town):
    token, secret = make_token(town["maple"])
    client = api_client(secret)
    assert client.get("/api/v1/registrations/").status_code == 200
    api_token_revoke(actor=make_staff(town["maple"], "administrator"), token=token)
    is_problem(client.get("/api/v1/registrations/"), 401)
    token.account.refresh_from_db()
    assert not token.account.is_active
    assert AuditEntry.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_a_disabled_integration_account_stops_its_token(town):
    token, secret = make_token(town["maple"])
    type(token.account).objects.filter(pk=token.account_id).update(is_active=False)
    is_problem(api_client(secret).get("/api/v1/registrations/"), 401)


def test_a_token_of_one_agency_sees_nothing_of_another(town):
    _token, secret = make_token(town["cedar"], ALL_SCOPES)
    ids = {
        item["id"] for item in api_client(secret).get("/api/v1/registrations/", {"page_size": 500}).json()["results"]
    }
    maple = {str(p) for p in Registration.objects.filter(agency=town["maple"]).values_list("public_id", flat=True)}
    cedar = {str(p) for p in Registration.objects.filter(agency=town["cedar"]).values_list("public_id", flat=True)}
    assert ids == cedar and not ids & maple


def test_rate_limit_answers_429_with_retry_after(town, settings, one_rate_window):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    _token, secret = make_token(town["maple"])
    client = api_client(secret)
    assert [client.get("/api/v1/registrations/", {"page_size": 1}).status_code for _ in range(3)] == [200] * 3
    response = client.get("/api/v1/registrations/", {"page_size": 1})
    is_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 61
    # Another token of the same agency has its own allowance.
    _other, other_secret = make_token(town["maple"], name="GIS")
    assert api_client(other_secret).get("/api/v1/registrations/", {"page_size": 1}).status_code == 200


def test_allow_list_refuses_other_addresses_and_audits_the_attempt(town):
    token, secret = make_token(town["maple"], addresses=["10.1.0.0/16", "2001:db8::1"])
    assert api_client(secret).get("/api/v1/registrations/", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert api_client(secret).get("/api/v1/registrations/", REMOTE_ADDR="2001:db8::1").status_code == 200
    body = is_problem(api_client(secret).get("/api/v1/registrations/", REMOTE_ADDR="10.2.0.1"), 403)
    assert "address" in body["detail"]
    entry = AuditEntry.objects.filter(action="api.address_refused").get()
    assert entry.actor_id == token.account_id and entry.source_ip == "10.2.0.1"


def test_last_used_is_written_at_most_once_a_minute(town):
    token, secret = make_token(town["maple"])
    client = api_client(secret)
    client.get("/api/v1/registrations/", {"page_size": 1})
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/registrations/", {"page_size": 1})
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "api_apitoken" in q["sql"]]
    token.refresh_from_db()
    assert token.last_used_at == first


def test_the_secret_is_never_stored_or_logged(town, caplog):
    caplog.set_level(logging.DEBUG)
    token, secret = make_token(town["maple"], ["registrations:read", "contacts:read"])
    client = api_client(secret)
    client.get("/api/v1/registrations/")
    client.get("/api/v1/registrations/", {"bbox": "garbage"})
    assert token.token_hash == secret_hash(secret) and secret not in token.token_hash
    assert token.prefix == secret[:8]
    with connection.cursor() as cursor:
        for table in ("api_apitoken", "audit_auditentry", "accounts_user"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            assert secret not in str(cursor.fetchall()), table
    assert secret not in caplog.text


def test_scope_labels_cover_every_scope():
    assert set(SCOPES) == {
        "registrations:read",
        "contacts:read",
        "canvass:search",
        "cases:write",
        "footage:request",
        "footage:read",
        "webhooks:manage",
    }


def test_a_logged_api_request_carries_no_token(town):
    from django.test import RequestFactory

    from cameraregistry.log_scrub import ScrubSecretsFilter

    _token, secret = make_token(town["maple"])
    request = RequestFactory().get("/api/v1/registrations/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Failed: %s", (secret,), None)
    record.request = request
    ScrubSecretsFilter().filter(record)
    assert secret not in record.getMessage()
    assert secret not in str(record.request.META)
