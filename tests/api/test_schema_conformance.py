"""Real answers match the OpenAPI document: every operation, its errors, tombstones included."""

from __future__ import annotations

import jsonschema
import pytest
from django.test import Client

from registrations.models import Registration
from registrations.services import registrations_merge
from tests.api.helpers import api_client, make_token
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.django_db


def _as_json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a null alternative; refs point into the document."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture
def document():
    return Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def check(document, path: str, response) -> None:
    operation = document["paths"][path]["get"]
    answer = operation["responses"][str(response.status_code)]
    media = response["Content-Type"].split(";")[0]
    schema = answer["content"][media]["schema"]
    defs = _as_json_schema(document["components"]["schemas"])
    jsonschema.validate(response.json(), {**_as_json_schema(schema), "$defs": defs})


def test_answers_and_errors_match_the_document(town, document):
    maple = town["maple"]
    _token, secret = make_token(maple, ["registrations:read", "contacts:read"])
    client = api_client(secret)
    keep, duplicate = Registration.objects.filter(agency=maple).order_by("id")[:2]
    registrations_merge(keep=keep, duplicate=duplicate, actor=make_staff(maple, "administrator"))
    listing = client.get("/api/v1/registrations/", {"updated_since": "2000-01-01T00:00:00Z", "page_size": 500})
    assert any(item.get("deleted") for item in listing.json()["results"])
    check(document, "/api/v1/registrations/", listing)
    check(document, "/api/v1/registrations/", client.get("/api/v1/registrations/", {"page_size": 2}))
    check(document, "/api/v1/registrations/", client.get("/api/v1/registrations/", {"bbox": "x"}))
    check(document, "/api/v1/registrations/", Client().get("/api/v1/registrations/"))
    detail = "/api/v1/registrations/{public_id}/"
    check(document, detail, client.get(f"/api/v1/registrations/{keep.public_id}/"))
    check(document, detail, client.get("/api/v1/registrations/00000000-0000-0000-0000-000000000000/"))
    contacts = "/api/v1/registrations/{public_id}/contacts/"
    check(document, contacts, client.get(f"/api/v1/registrations/{keep.public_id}/contacts/"))
    _other, registrations_only = make_token(maple, ["registrations:read"])
    check(document, contacts, api_client(registrations_only).get(f"/api/v1/registrations/{keep.public_id}/contacts/"))


def test_the_check_itself_catches_a_wrong_answer(document):
    schema = document["paths"]["/api/v1/registrations/"]["get"]["responses"]["200"]["content"]["application/json"]
    full = {**_as_json_schema(schema["schema"]), "$defs": _as_json_schema(document["components"]["schemas"])}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"results": [{"id": "x", "updated_at": "2026-01-01T00:00:00Z"}], "next_cursor": None}, full)
