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
