"""Builders for API tests: a token of any scopes, and a client that sends it."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from api.scopes import SCOPES
from api.services import api_token_create
from tests.staff_fixtures import make_staff

ALL_SCOPES = sorted(SCOPES)


def make_token(agency, scopes=("registrations:read",), *, name: str = "CAD", days: int = 30, addresses=None):
    """(token, secret) created by a fresh administrator of `agency`."""
    admin = make_staff(agency, "administrator")
    return api_token_create(
        actor=admin,
        name=name,
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=days),
        allowed_addresses=addresses or [],
    )


def api_client(secret: str | None) -> Client:
    """A test client sending `Authorization: Bearer <secret>` (none when secret is None)."""
    if secret is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] and "detail" in body
    return body


def search_body(agency, registration=None, **overrides) -> dict:
    """A valid POST /api/v1/searches/ body around an active registration of `agency` with cameras; an override
    of None leaves that key out (the API's optional fields are omitted for their default, never null)."""
    from datetime import UTC

    from tests.canvass.helpers import busy_registration

    registration = registration or busy_registration(agency)
    end = timezone.now().astimezone(UTC).replace(microsecond=0) - timedelta(hours=2)
    body = {
        "case_number": "2025-000123",
        "offense_type": "Burglary",
        "place": {"latitude": registration.latitude, "longitude": registration.longitude},
        "window_start": (end - timedelta(hours=3)).isoformat(),
        "window_end": end.isoformat(),
        "radius_m": 300,
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def post_json(client: Client, path: str, body, **extra):
    import json

    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", **extra)


def audited(action: str, token) -> list:
    """The audit entries of `action` written by the token's integration account, each naming the token."""
    from audit.models import AuditEntry

    entries = list(AuditEntry.objects.filter(action=action, actor_id=token.account_id))
    for entry in entries:
        assert entry.parameters["token"]["name"] == token.name, entry.parameters
    return entries
