"""The administrators' webhooks page: endpoints with their recent deliveries, create, rotate, disable; and who may not."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.access import MFA_VERIFIED_AT_KEY
from audit.models import AuditEntry
from tests.api.helpers import make_token
from tests.staff_fixtures import make_staff, staff_client
from tests.webhooks.helpers import committing, endpoint_for, free_port
from webhooks.delivery import delivery_attempt
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_event_emit

pytestmark = pytest.mark.django_db
URL = "/staff/webhooks/"
SCOPES = ("webhooks:manage", "footage:read", "registrations:read")


@pytest.fixture
def admin_client(town):
    admin = make_staff(town["maple"], "administrator")
    return admin, staff_client(Client(), admin)


def secret_in(response) -> str:
    return re.search(r'id="webhook-secret">([^<]+)<', response.content.decode()).group(1)


def test_create_shows_the_secret_once_and_the_list_shows_deliveries(town, admin_client, receiver):
    admin, client = admin_client
    token, _ = make_token(town["maple"], scopes=SCOPES, name="Records system")
    response = client.post(URL, {"url": receiver.url, "events": ["evidence.received"], "token": token.pk})
    assert response.status_code == 200, response.content[:500]
    secret = secret_in(response)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret and endpoint.created_by == admin and endpoint.token == token
    assert response["Cache-Control"] == "no-store"
    # A delivery that failed shows its attempts and last error.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://127.0.0.1:{free_port()}/")
    with committing():
        [delivery] = webhook_event_emit(agency=town["maple"], event="evidence.received", payload={})
    delivery_attempt(delivery.pk)
    page = client.get(URL).content.decode()
    assert "Records system" in page and "evidence.received" in page and "ConnectionRefusedError" in page
    assert secret not in page
    assert secret not in str(list(AuditEntry.objects.values_list("parameters", flat=True)))


def test_rotate_and_disable(town, admin_client, receiver):
    _admin, client = admin_client
    endpoint, old, _token = endpoint_for(town["maple"], receiver.url, ["evidence.received"], SCOPES)
    response = client.post(f"{URL}{endpoint.pk}/rotate/")
    new = secret_in(response)
    endpoint.refresh_from_db()
    assert new == endpoint.secret and endpoint.previous_secret == old
    assert client.post(f"{URL}{endpoint.pk}/disable/").status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "Rotate secret" not in client.get(URL).content.decode()


def test_bad_input_is_explained_and_nothing_saved(town, admin_client, settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    _admin, client = admin_client
    token, _ = make_token(town["maple"], scopes=("webhooks:manage",))
    response = client.post(URL, {"url": "https://169.254.169.254/", "events": ["evidence.received"], "token": token.pk})
    page = response.content.decode()
    assert response.status_code == 400 and "169.254.169.254" in page and "footage:read" in page
    assert not WebhookEndpoint.objects.exists()


def test_another_agencys_endpoints_and_tokens_are_out_of_reach(town, admin_client, receiver):
    _admin, client = admin_client
    theirs, _secret, their_token = endpoint_for(town["cedar"], receiver.url, ["evidence.received"], SCOPES)
    assert receiver.url not in client.get(URL).content.decode()
    assert client.post(f"{URL}{theirs.pk}/rotate/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/disable/").status_code == 404
    response = client.post(URL, {"url": receiver.url, "events": ["evidence.received"], "token": their_token.pk})
    assert response.status_code == 400 and WebhookEndpoint.objects.count() == 1
    theirs.refresh_from_db()
    assert theirs.active and theirs.rotated_at is None


def test_only_administrators_with_a_fresh_second_factor(town, admin_client):
    investigator = staff_client(Client(), make_staff(town["maple"], "investigator"))
    assert investigator.get(URL).status_code == 403
    assert Client().get(URL).status_code == 302
    admin, client = admin_client
    session = client.session
    session[MFA_VERIFIED_AT_KEY] = time.time() - 3600
    session.save()
    endpoint, _secret, _token = endpoint_for(town["maple"], "http://127.0.0.1:9/", ["evidence.received"], SCOPES)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("staff:mfa_confirm"))
    assert client.post(f"{URL}{endpoint.pk}/rotate/").status_code == 403  # asks for a code, rotates nothing
    endpoint.refresh_from_db()
    assert endpoint.rotated_at is None
    assert 'href="/staff/webhooks/"' in staff_client(Client(), admin).get("/staff/").content.decode()
    assert 'href="/staff/webhooks/"' not in investigator.get("/staff/").content.decode()


def test_the_page_speaks_spanish(admin_client):
    _admin, client = admin_client
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Añadir un extremo" in page and "Eventos" in page and "URL de destino" in page
