"""The OpenAPI document covers every operation under /api/, and the docs page works under the strict CSP."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.helpers import api_client, make_token
from tests.browser.helpers import collect_errors

# Not operations: the document itself, its page, and the catch-all answering unknown /api/ URLs.
NOT_OPERATIONS = {"api/v1/schema/", "api/v1/docs/", "api/"}


def api_patterns(resolver=None, prefix: str = "") -> list[str]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern).lstrip("^")
        if isinstance(entry, URLResolver):
            found += api_patterns(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/"):
            found.append(route)
    return found


def as_openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@pytest.mark.django_db
def test_the_schema_covers_every_url_under_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    routes = [route for route in api_patterns() if route not in NOT_OPERATIONS]
    assert routes, "no API routes found"
    missing = [as_openapi_path(route) for route in routes if as_openapi_path(route) not in paths]
    assert not missing, missing
    assert set(paths) == {as_openapi_path(route) for route in routes}


@pytest.mark.django_db
def test_the_schema_is_public_and_documents_bearer_tokens_and_limits(town):
    body = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert body["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    listing = body["paths"]["/api/v1/registrations/"]["get"]
    assert "500" in str(listing["parameters"]) and listing["security"] == [{"apiToken": []}]
    # A token changes nothing about the document.
    _token, secret = make_token(town["maple"])
    with_token = api_client(secret).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert with_token == body


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_the_operations_under_the_strict_csp(live_server, page):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    errors = collect_errors(page)
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    text = page.inner_text("#swagger-ui")
    assert "/api/v1/registrations/" in text and "/api/v1/registrations/{public_id}/contacts/" in text
    assert not violations, violations
    assert not [e for e in errors if e.startswith("uncaught")], errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "operation", "scopes"),
    [
        ("/api/v1/incidents/", "incidents_create", ("canvass:search", "cases:write")),
        ("/api/v1/searches/", "searches_create", ("canvass:search",)),
    ],
)
def test_the_documented_request_examples_work_on_the_demo_town(town, path, operation, scopes):
    """An integrator copies the docs page's example body: on the demo town it answers ranked cameras, not a 422
    for an address the town lacks."""
    body = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    post = body["paths"][path]["post"]
    assert post["operationId"] == operation
    examples = post["requestBody"]["content"]["application/json"]["examples"]
    assert examples
    _token, secret = make_token(town["maple"], scopes)
    for name, example in examples.items():
        response = api_client(secret).post(path, example["value"], content_type="application/json")
        assert response.status_code == 201, (name, response.content[:400])
