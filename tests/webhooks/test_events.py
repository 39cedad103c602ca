"""Each event comes from the real service call, reaches the receiver signed, and carries contacts only
when the endpoint's token has contacts:read."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from footage.models import EvidenceFile
from footage.services import footage_request_answer
from registrations.models import Camera, Registration
from tests.footage.helpers import make_case, make_request, mp4_upload, owner_of, owners_with_email, share, verified
from tests.owners.helpers import owner_client
from tests.staff_fixtures import make_staff
from tests.webhooks.helpers import committing, endpoint_for
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

BASIC = ("webhooks:manage", "footage:request", "footage:read", "registrations:read")
WITH_CONTACTS = (*BASIC, "contacts:read")
EVENTS = ["footage_request.answered", "evidence.received", "footage.urgent", "registration.withdrawn"]


def personal_values(registration: Registration) -> list[str]:
    values = [registration.owner_name, registration.owner_phone, registration.owner_email, registration.street_address]
    return [value for value in values if value]


@pytest.fixture
def two_endpoints(town, receiver):
    """The same receiver behind an endpoint without contacts:read and one with it."""
    plain, plain_secret, _ = endpoint_for(town["maple"], receiver.url + "&plain", EVENTS, BASIC)
    full, full_secret, full_token = endpoint_for(town["maple"], receiver.url + "&full", EVENTS, WITH_CONTACTS)
    receiver.secrets = [plain_secret, full_secret]
    return plain, full, full_token


def arrived(receiver, event: str) -> dict[str, dict]:
    """{"plain": body, "full": body} for `event`, each signed with its own endpoint's secret."""
    found = {}
    for request in receiver.requests:
        if request["body"]["type"] == event:
            assert sum(request["valid"].values()) == 1, request["valid"]
            found["full" if request["path"].endswith("&full") else "plain"] = request["body"]
    return found


def test_an_answer_sent_through_the_service_is_announced(town, receiver, two_endpoints, run_tasks):
    footage_request = make_request(town["maple"])
    registration = footage_request.registration
    with committing():
        footage_request_answer(footage_request=footage_request, answer="declined", reason="Not comfortable")
    run_tasks()
    bodies = arrived(receiver, "footage_request.answered")
    assert set(bodies) == {"plain", "full"}
    data = bodies["plain"]["data"]
    assert data["footage_request_id"] == str(footage_request.public_id) and data["status"] == "declined"
    assert data["case_number"] == footage_request.case.case_number and data["answered_at"]
    plain_text = str(bodies["plain"]).lower()
    assert "contacts" not in data and "not comfortable" not in plain_text
    for value in personal_values(registration):
        assert value.lower() not in plain_text
    contacts = bodies["full"]["data"]["contacts"]
    assert contacts["owner_email"] == registration.owner_email and contacts["owner_name"] == registration.owner_name
    # The contact read is audited like one on the page, under the token's name; nothing personal is stored.
    [entry] = AuditEntry.objects.filter(action="registration.contact_view")
    assert entry.parameters["token"]["name"] == "CAD" and entry.object_id == str(registration.public_id)
    assert not WebhookDelivery.objects.filter(payload__icontains=registration.owner_email).exists()


def test_evidence_uploaded_by_the_owner_is_announced_with_hash_and_size(town, receiver, two_endpoints, run_tasks):
    footage_request = make_request(town["maple"])
    owner = owner_of(footage_request)
    with committing():
        response = owner.post(
            f"/footage/answer/{footage_request.public_id}/upload/", {"files": [mp4_upload("smith-front-door.mp4")]}
        )
    assert response.status_code in (200, 302), response.content[:300]
    evidence = EvidenceFile.objects.get(request=footage_request)
    run_tasks()
    bodies = arrived(receiver, "evidence.received")
    [file] = bodies["plain"]["data"]["files"]
    assert file == {
        "id": evidence.pk,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "content_type": evidence.content_type,
        "received_at": file["received_at"],
    }
    assert bodies["plain"]["data"]["status"] == "footage_received"
    assert "smith" not in str(bodies["plain"]).lower() and "contacts" not in bodies["plain"]["data"]
    assert bodies["full"]["data"]["contacts"]["owner_phone"] == footage_request.registration.owner_phone


def test_a_withdrawal_through_the_owner_service_sends_an_id_only_tombstone(town, receiver, two_endpoints, run_tasks):
    registration = owners_with_email(town["maple"], 1)[0]
    public_id, secrets = str(registration.public_id), personal_values(registration)
    owner = owner_client(registration)
    with committing():
        assert owner.post("/manage/withdraw/", {"confirm": "yes"}).status_code == 200
    run_tasks()
    bodies = arrived(receiver, "registration.withdrawn")
    assert set(bodies) == {"plain", "full"}
    for body in bodies.values():  # contacts:read or not, a tombstone is the id only
        assert body["data"] == {"registration_id": public_id, "deleted": True}
    # Once delivered, not even the id stays in the delivery log: the withdrawal leaves only a count.
    assert list(WebhookDelivery.objects.values_list("status", "payload")) == [("delivered", {})] * 2
    everything = str(list(WebhookDelivery.objects.values())).lower()
    for value in secrets:
        assert value.lower() not in everything


def test_a_withdrawal_also_reaches_the_agencies_it_was_shared_with_and_only_while_shared(town, receiver, run_tasks):
    partner, partner_secret, _ = endpoint_for(town["cedar"], receiver.url, ["registration.withdrawn"], BASIC)
    receiver.secrets = [partner_secret]
    registration = owners_with_email(town["maple"], 1)[0]
    with committing():
        owner_client(registration).post("/manage/withdraw/", {"confirm": "yes"})
    assert WebhookDelivery.objects.count() == 0  # cedar sees nothing of maple's without an agreement
    share(town["maple"], town["cedar"])
    second = owners_with_email(town["maple"], 1)[0]
    with committing():
        owner_client(second).post("/manage/withdraw/", {"confirm": "yes"})
    run_tasks()
    assert [r["body"]["data"]["registration_id"] for r in receiver.requests] == [str(second.public_id)]
    assert sum(receiver.requests[0]["valid"].values()) == 1


def test_footage_urgent_is_sent_once_per_case_and_camera(town, receiver, two_endpoints, run_tasks):
    from canvass.models import CanvassSearch

    investigator = verified(make_staff(town["maple"], "investigator"))
    soon, later = owners_with_email(town["maple"], 2)
    case = make_case(town["maple"], investigator, [soon, later], number="2026-URG-7")
    CanvassSearch.objects.create(
        case=case,
        created_by=investigator,
        latitude=0.0,
        longitude=0.0,
        window_start=timezone.now() - timedelta(days=2),
        window_end=timezone.now() - timedelta(days=2) + timedelta(hours=1),
        radius_m=150,
    )
    Camera.objects.filter(pk=soon.cameras.first().pk).update(retention_days=3)
    Camera.objects.filter(pk=later.cameras.first().pk).update(retention_days=30)
    out = io.StringIO()
    with committing():
        call_command("webhooks_urgent_run", stdout=out)
        call_command("webhooks_urgent_run", stdout=out)
    assert out.getvalue().splitlines() == ["footage.urgent deliveries queued: 2", "footage.urgent deliveries queued: 0"]
    run_tasks()
    bodies = arrived(receiver, "footage.urgent")
    data = bodies["plain"]["data"]
    assert data["case_number"] == "2026-URG-7" and data["camera_id"] == soon.cameras.first().pk
    assert data["retention_days"] == 3 and data["overwritten_after"] and data["footage_requested"] is False
    assert "contacts" not in data and bodies["full"]["data"]["contacts"]["owner_email"] == soon.owner_email
    assert len([r for r in receiver.requests if r["body"]["type"] == "footage.urgent"]) == 2


def test_an_endpoint_of_another_agency_hears_nothing(town, receiver, run_tasks):
    endpoint_for(town["cedar"], receiver.url, EVENTS, WITH_CONTACTS)
    footage_request = make_request(town["maple"])
    with committing():
        footage_request_answer(footage_request=footage_request, answer="no_footage")
    run_tasks()
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_a_token_without_the_events_scope_gets_no_event(town, receiver, run_tasks):
    """Scopes are checked again at emit time: here the endpoint's token lost footage:request (edited in place)."""
    endpoint, _secret, token = endpoint_for(town["maple"], receiver.url, ["footage_request.answered"], BASIC)
    token.scopes = ["webhooks:manage"]
    token.save(update_fields=["scopes"])
    footage_request = make_request(town["maple"])
    with committing():
        footage_request_answer(footage_request=footage_request, answer="no_footage")
    assert not WebhookDelivery.objects.exists()
