"""The administrators' API tokens page: create (secret shown once), revoke, and who may not."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.access import MFA_VERIFIED_AT_KEY
from api.models import ApiToken
from api.services import secret_hash
from audit.models import AuditEntry
from tests.api.helpers import api_client, make_token
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db
URL = "/staff/api-tokens/"


def form(**overrides) -> dict:
    data = {
        "name": "CAD dispatch",
        "scopes": ["registrations:read", "canvass:search"],
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "allowed_addresses": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(town):
    admin = make_staff(town["maple"], "administrator")
    return admin, staff_client(Client(), admin)


def test_create_shows_the_secret_once_and_it_works(town, admin_client):
    admin, client = admin_client
    response = client.post(URL, form(allowed_addresses="127.0.0.1\n10.0.0.0/8\n"))
    assert response.status_code == 200
    secret = re.search(r'id="token-secret">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.token_hash == secret_hash(secret) and token.agency == town["maple"] and token.created_by == admin
    assert token.scopes == ["canvass:search", "registrations:read"]
    assert token.allowed_addresses == ["10.0.0.0/8", "127.0.0.1/32"]
    assert response["Cache-Control"] == "no-store"
    assert api_client(secret).get("/api/v1/registrations/").status_code == 200
    listing = client.get(URL).content.decode()
    assert "CAD dispatch" in listing and token.prefix in listing and secret not in listing
    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor_id == admin.pk and secret not in str(entry.parameters)


def test_the_navigation_links_the_page_for_administrators_only(town, admin_client):
    _admin, client = admin_client
    assert f'href="{URL}"' in client.get("/staff/").content.decode()
    investigator = staff_client(Client(), make_staff(town["maple"], "investigator"))
    assert f'href="{URL}"' not in investigator.get("/staff/").content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"name": ""}, "name", "required"),
        ({"scopes": []}, "scopes", "required"),
        ({"scopes": ["root:all"]}, "scopes", "valid choice"),
        ({"expires_on": ""}, "expires_on", "required"),
        ({"expires_on": timezone.localdate().isoformat()}, "expires_on", "after today"),
        ({"expires_on": (timezone.localdate() + timedelta(days=366)).isoformat()}, "expires_on", "one year"),
        ({"expires_on": "not a date"}, "expires_on", "valid date"),
        ({"allowed_addresses": "10.0.0.1\nmy office\n"}, "allowed_addresses", "my office"),
        ({"allowed_addresses": "300.1.1.1"}, "allowed_addresses", "300.1.1.1"),
        ({"allowed_addresses": "\n".join(f"10.0.0.{i}" for i in range(60))}, "allowed_addresses", "At most"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(admin_client, overrides, field, words):
    _admin, client = admin_client
    response = client.post(URL, form(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert not ApiToken.objects.exists()


def test_revoke_stops_the_token_and_is_audited(town, admin_client):
    admin, client = admin_client
    token, secret = make_token(town["maple"])
    response = client.post(f"{URL}{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    assert api_client(secret).get("/api/v1/registrations/").status_code == 401
    assert "Revoked" in client.get(URL).content.decode()
    assert AuditEntry.objects.filter(action="api_token.revoke", actor=admin).count() == 1


def test_another_agency_token_cannot_be_revoked_or_seen(town):
    token, _secret = make_token(town["maple"], name="Maple CAD")
    cedar_admin = staff_client(Client(), make_staff(town["cedar"], "administrator"))
    assert cedar_admin.post(f"{URL}{token.pk}/revoke/").status_code == 404
    assert "Maple CAD" not in cedar_admin.get(URL).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("role", ["investigator", "supervisor", "auditor"])
def test_non_administrators_are_refused(town, role):
    client = staff_client(Client(), make_staff(town["maple"], role))
    token, _secret = make_token(town["maple"])
    assert client.get(URL).status_code == 403
    assert client.post(URL, form()).status_code == 403
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(town):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/staff/sign-in/")
    assert Client().post(URL, form())["Location"].startswith("/staff/sign-in/")


def test_a_stale_second_factor_is_asked_again_before_creating(town, admin_client):
    _admin, client = admin_client
    session = client.session
    session[MFA_VERIFIED_AT_KEY] = (timezone.now() - timedelta(hours=1)).timestamp()
    session.save()
    assert client.get(URL).status_code == 302
    assert client.post(URL, form()).status_code == 403
    assert not ApiToken.objects.exists()


def test_an_administrator_cannot_give_scopes_their_role_lacks():
    from accounts.models import Role
    from api.scopes import SCOPES, scopes_grantable_by

    class Auditor:
        role = Role.AUDITOR.value

    assert scopes_grantable_by(Auditor()) == ["webhooks:manage"]
    assert len(scopes_grantable_by(type("A", (), {"role": "administrator"})())) == len(SCOPES)


def test_the_page_speaks_spanish(admin_client):
    _admin, client = admin_client
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Tokens de la API" in page and "Crear un token" in page and "Vence el" in page


def test_the_staff_accounts_pages_still_render_with_an_integration_account(town, admin_client):
    _admin, client = admin_client
    token, _secret = make_token(town["maple"])
    assert token.account.username in client.get("/staff/accounts/").content.decode()
    assert client.get(f"/staff/accounts/{token.account_id}/").status_code == 200
