"""/api/v1/webhooks/: scope webhooks:manage, one agency's endpoints only, problem+json errors, secret shown once."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from tests.api.helpers import api_client, is_problem, make_token
from tests.webhooks.helpers import committing, endpoint_for
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_event_emit

pytestmark = pytest.mark.django_db

MANAGE = ("webhooks:manage", "footage:read", "registrations:read")


def create(client, url, events=("evidence.received",)):
    return client.post("/api/v1/webhooks/", {"url": url, "events": list(events)}, content_type="application/json")


def test_create_list_detail_rotate_deliveries_and_delete(town, receiver, run_tasks):
    token, secret = make_token(town["maple"], scopes=MANAGE)
    client = api_client(secret)
    response = create(client, receiver.url)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["evidence.received"] and body["active"]
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.token == token and endpoint.secret == body["secret"]
    listed = client.get("/api/v1/webhooks/").json()
    assert [item["id"] for item in listed] == [endpoint.pk] and "secret" not in listed[0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{endpoint.pk}/").json()

    rotated = client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").json()
    endpoint.refresh_from_db()
    assert rotated["secret"] == endpoint.secret and endpoint.previous_secret == body["secret"]
    assert rotated["previous_secret_valid_until"]

    with committing():
        webhook_event_emit(agency=town["maple"], event="evidence.received", payload={"case_id": 1})
    run_tasks()
    deliveries = client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert [(d["event"], d["status"]) for d in deliveries] == [("evidence.received", "delivered")]
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/", {"status": "failed"}).json() == []
    is_problem(client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/", {"limit": "9999"}), 400)

    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"webhook.create", "webhook.rotate_secret", "webhook.disable", "api.webhooks.list"} <= actions
    assert not AuditEntry.objects.filter(parameters__icontains=body["secret"]).exists()


def test_another_agencys_endpoints_are_invisible(town, receiver):
    endpoint, _secret, _token = endpoint_for(town["cedar"], receiver.url, ["registration.withdrawn"], MANAGE)
    _token, secret = make_token(town["maple"], scopes=MANAGE)
    client = api_client(secret)
    assert client.get("/api/v1/webhooks/").json() == []
    for path in ("", "deliveries/"):
        is_problem(client.get(f"/api/v1/webhooks/{endpoint.pk}/{path}"), 404)
    is_problem(client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/"), 404)
    is_problem(client.delete(f"/api/v1/webhooks/{endpoint.pk}/"), 404)
    endpoint.refresh_from_db()
    assert endpoint.active and not endpoint.rotated_at


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_token_without_webhooks_manage_gets_403_problem(town, receiver, method):
    _token, secret = make_token(town["maple"], scopes=("registrations:read", "contacts:read"))
    client = api_client(secret)
    response = client.get("/api/v1/webhooks/") if method == "get" else create(client, receiver.url)
    body = is_problem(response, 403)
    assert "webhooks:manage" in body["detail"]
    assert not WebhookEndpoint.objects.exists()


def test_anonymous_and_revoked_tokens_are_refused(town, receiver):
    from api.services import api_token_revoke

    is_problem(api_client(None).get("/api/v1/webhooks/"), 401)
    token, secret = make_token(town["maple"], scopes=MANAGE)
    api_token_revoke(actor=token.created_by, token=token)
    is_problem(api_client(secret).get("/api/v1/webhooks/"), 401)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "https://169.254.169.254/", "events": ["evidence.received"]}, "url"),
        ({"url": "https://10.1.2.3/hook", "events": ["evidence.received"]}, "url"),
        ({"url": "http://8.8.8.8/hook", "events": ["evidence.received"]}, "url"),
        ({"url": "https://8.8.8.8/hook", "events": []}, "events"),
        ({"url": "https://8.8.8.8/hook", "events": ["nonsense"]}, "events.0"),
        ({"url": "https://8.8.8.8/hook", "events": ["contacts.leak"]}, "events.0"),
        # The token may not read contacts or request footage: it may not hear about answers either.
        ({"url": "https://8.8.8.8/hook", "events": ["footage_request.answered"]}, "events"),
        ({"url": "x" * 600, "events": ["evidence.received"]}, "url"),
        ({"events": ["evidence.received"]}, "url"),
        ({"url": ["https://8.8.8.8/"], "events": "evidence.received"}, None),
    ],
)
def test_bad_input_is_a_400_naming_the_field(town, settings, payload, field):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    _token, secret = make_token(town["maple"], scopes=MANAGE)
    response = api_client(secret).post("/api/v1/webhooks/", payload, content_type="application/json")
    body = is_problem(response, 400)
    if field:
        assert field in [error["field"] for error in body["errors"]], body
    assert not WebhookEndpoint.objects.exists()


def test_the_schema_describes_the_webhook_operations(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{endpoint_id}/",
        "/api/v1/webhooks/{endpoint_id}/rotate-secret/",
        "/api/v1/webhooks/{endpoint_id}/deliveries/",
    ):
        assert path in schema["paths"], sorted(schema["paths"])


@pytest.mark.slow
def test_answers_match_the_openapi_document(town, receiver):
    import jsonschema

    from tests.api.test_schema_conformance import _as_json_schema

    document = api_client(None).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    defs = _as_json_schema(document["components"]["schemas"])

    def check(path: str, method: str, response) -> None:
        answer = document["paths"][path][method]["responses"][str(response.status_code)]
        if response.status_code == 204:
            return
        schema = answer["content"][response["Content-Type"].split(";")[0]]["schema"]
        jsonschema.validate(response.json(), {**_as_json_schema(schema), "$defs": defs})

    _token, secret = make_token(town["maple"], scopes=MANAGE)
    client = api_client(secret)
    created = create(client, receiver.url)
    check("/api/v1/webhooks/", "post", created)
    check("/api/v1/webhooks/", "post", create(client, "https://10.0.0.1/"))
    check("/api/v1/webhooks/", "get", client.get("/api/v1/webhooks/"))
    pk = created.json()["id"]
    with committing():
        webhook_event_emit(agency=town["maple"], event="evidence.received", payload={})
    detail = "/api/v1/webhooks/{endpoint_id}/"
    check(detail, "get", client.get(f"/api/v1/webhooks/{pk}/"))
    check(detail, "get", client.get("/api/v1/webhooks/999999/"))
    check(detail + "deliveries/", "get", client.get(f"/api/v1/webhooks/{pk}/deliveries/"))
    check(detail + "rotate-secret/", "post", client.post(f"/api/v1/webhooks/{pk}/rotate-secret/"))
    check(detail, "delete", client.delete(f"/api/v1/webhooks/{pk}/"))
    check("/api/v1/webhooks/", "get", api_client(make_token(town["maple"])[1]).get("/api/v1/webhooks/"))
