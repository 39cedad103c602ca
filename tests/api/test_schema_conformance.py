"""Real answers match the OpenAPI document: every operation, its errors, tombstones included."""

from __future__ import annotations

import json

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


def check(document, path: str, response, method: str = "get") -> None:
    operation = document["paths"][path][method]
    answer = operation["responses"][str(response.status_code)]
    if "content" not in answer:  # 204: no body
        assert not response.content, response.content[:200]
        return
    media = response["Content-Type"].split(";")[0]
    schema = answer["content"][media]["schema"]
    if schema.get("format") == "binary":
        return
    defs = _as_json_schema(document["components"]["schemas"])
    jsonschema.validate(json.loads(response.content), {**_as_json_schema(schema), "$defs": defs})


@pytest.mark.slow
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


@pytest.mark.slow
def test_the_canvass_case_footage_and_incident_answers_match_the_document(town, document):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from footage.models import FootageRequest
    from tests.api.helpers import ALL_SCOPES, post_json, search_body
    from tests.footage.helpers import mp4_bytes, owner_of

    maple = town["maple"]
    _token, secret = make_token(maple, ALL_SCOPES)
    client = api_client(secret)
    created = post_json(client, "/api/v1/searches/", search_body(maple))
    check(document, "/api/v1/searches/", created, "post")
    check(document, "/api/v1/searches/", post_json(client, "/api/v1/searches/", {"radius_m": "x"}), "post")
    check(document, "/api/v1/searches/", post_json(client, "/api/v1/searches/", "{nope"), "post")
    unknown = search_body(maple, place={"address": "1 Nowhere Lane"})
    check(document, "/api/v1/searches/", post_json(client, "/api/v1/searches/", unknown), "post")
    body = created.json()
    search, case_id = body["id"], body["case"]["id"]
    camera = body["results"][0]["cameras"][0]["camera_id"]
    check(document, "/api/v1/searches/{search_id}/", client.get(f"/api/v1/searches/{search}/"))
    check(document, "/api/v1/searches/{search_id}/", client.get(f"/api/v1/searches/{search}/", {"page": 9}))
    check(document, "/api/v1/searches/{search_id}/geojson", client.get(f"/api/v1/searches/{search}/geojson"))
    check(document, "/api/v1/cases/", client.get("/api/v1/cases/"))
    cameras = "/api/v1/cases/{case_id}/cameras/"
    check(document, cameras, post_json(client, f"/api/v1/cases/{case_id}/cameras/", {"camera_id": camera}), "post")
    check(document, cameras, post_json(client, f"/api/v1/cases/{case_id}/cameras/", {"camera_id": 1}), "post")
    check(document, "/api/v1/cases/{case_id}/", client.get(f"/api/v1/cases/{case_id}/"))
    requests_path = "/api/v1/cases/{case_id}/footage-requests/"
    asked = post_json(client, f"/api/v1/cases/{case_id}/footage-requests/", {"cameras": [camera]})
    check(document, requests_path, asked, "post")
    check(document, requests_path, client.get(f"/api/v1/cases/{case_id}/footage-requests/"))
    footage_request = FootageRequest.objects.get(pk=asked.json()["results"][0]["id"])
    owner = owner_of(footage_request)
    owner.post(
        f"/footage/answer/{footage_request.public_id}/upload/",
        {"files": [SimpleUploadedFile("door.mp4", mp4_bytes())]},
    )
    check(
        document,
        "/api/v1/footage-requests/{request_id}/",
        client.get(f"/api/v1/footage-requests/{footage_request.pk}/"),
    )
    evidence = client.get(f"/api/v1/footage-requests/{footage_request.pk}/evidence/")
    check(document, "/api/v1/footage-requests/{request_id}/evidence/", evidence)
    download = client.get(evidence.json()["results"][0]["download"])
    check(document, "/api/v1/evidence/{evidence_id}/download", download)
    assert download["Content-Type"] == "application/octet-stream"
    remove = "/api/v1/cases/{case_id}/cameras/{camera_id}/"
    check(document, remove, client.delete(f"/api/v1/cases/{case_id}/cameras/{camera}/"), "delete")
    check(document, "/api/v1/cases/{case_id}/close/", post_json(client, f"/api/v1/cases/{case_id}/close/", {}), "post")
    closed = post_json(client, f"/api/v1/cases/{case_id}/close/", {"reason": "Done"})
    check(document, "/api/v1/cases/{case_id}/close/", closed, "post")
    reopened = post_json(client, f"/api/v1/cases/{case_id}/reopen/", {"reason": "Again"})
    check(document, "/api/v1/cases/{case_id}/reopen/", reopened, "post")
    incident = {key: body_value for key, body_value in search_body(maple).items() if key not in ("window_end",)}
    incident["occurred_at"] = incident.pop("window_start")
    check(document, "/api/v1/incidents/", post_json(client, "/api/v1/incidents/", incident), "post")
    check(document, "/api/v1/incidents/", post_json(Client(), "/api/v1/incidents/", incident), "post")


def test_the_limits_are_in_the_document(document):
    search = document["components"]["schemas"]["SearchRequest"]["properties"]
    assert search["polygon"]["maxItems"] == search["route"]["maxItems"] == 201
    assert "24 hours" in search["window_start"]["description"]
    assert "5000" in search["radius_m"]["description"]
    results = document["paths"]["/api/v1/searches/{search_id}/"]["get"]
    assert "50 addresses a page" in results["description"]
    cases = document["paths"]["/api/v1/cases/"]["get"]
    assert any(p["name"] == "page_size" and p["schema"]["maximum"] == 100 for p in cases["parameters"])
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/registrations/"):
                continue
            assert "examples" in json.dumps(operation) or method == "delete" or "download" in path, (path, method)
