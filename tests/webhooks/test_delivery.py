"""Signed deliveries to a real loopback receiver: signature, retries with backoff, no loss, no duplicates, rotation."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.staff_fixtures import Clock
from tests.webhooks.helpers import Receiver, committing, endpoint_for, free_port
from webhooks.delivery import MAX_ATTEMPTS, delivery_attempt
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_event_emit, webhook_secret_rotate

pytestmark = pytest.mark.django_db

EVENT = "registration.withdrawn"
SCOPES = ("webhooks:manage", "registrations:read")


def emit(agency, **payload):
    with committing():
        [delivery] = webhook_event_emit(agency=agency, event=EVENT, payload=payload or {"registration_id": "x"})
    return delivery


def retry_run() -> str:
    out = io.StringIO()
    call_command("webhooks_retry_run", stdout=out)
    return out.getvalue()


def test_a_delivery_arrives_signed_with_the_endpoint_secret(town, receiver, run_tasks):
    endpoint, secret, _token = endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
    receiver.secrets = [secret, "whsec_someone-else"]
    delivery = emit(town["maple"], registration_id="0b8f", deleted=True)
    run_tasks()
    [got] = receiver.requests
    assert got["valid"] == {secret: True, "whsec_someone-else": False}
    assert got["id"] == str(delivery.event_id) and got["path"] == "/hooks/registry?from=test"
    assert got["body"]["type"] == EVENT and got["body"]["id"] == str(delivery.event_id)
    assert got["body"]["data"] == {"registration_id": "0b8f", "deleted": True}
    assert got["body"]["agency"] == "maple-falls"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert retry_run().strip() == "Webhook deliveries: nothing due"
    assert len(receiver.requests) == 1


def test_the_secret_is_stored_encrypted(town, receiver):
    from django.db import connection

    endpoint, secret, _token = endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        [(stored,)] = cursor.fetchall()
    assert secret not in stored and stored.startswith("gcm1:")


def test_receiver_answering_500_is_retried_with_backoff_until_it_answers(town, monkeypatch, run_tasks):
    receiver = Receiver(answers=[500, 503])
    try:
        endpoint, secret, _token = endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
        receiver.secrets = [secret]
        clock = Clock(monkeypatch)
        delivery = emit(town["maple"])
        run_tasks()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
        assert delivery.last_error == "HTTP 500"
        assert delivery.next_attempt_at == clock.now + timedelta(minutes=1)
        # The failed attempt queued the next one for its time.
        assert DBTaskResult.objects.filter(status="READY", run_after=delivery.next_attempt_at).count() == 1
        assert retry_run().strip() == "Webhook deliveries: nothing due"  # not due yet
        clock.advance(minutes=1, seconds=1)
        assert "pending: 1" in retry_run()
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status_code) == (2, 503)
        assert delivery.next_attempt_at == clock.now + timedelta(minutes=2)
        clock.advance(minutes=2, seconds=1)
        assert "delivered: 1" in retry_run()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, "")
        assert len(receiver.requests) == 3 and len(receiver.processed) == 1
        assert len({request["id"] for request in receiver.requests}) == 1
        # The queued retry task finds the delivery done and sends nothing.
        clock.advance(minutes=10)
        run_tasks()
        assert len(receiver.requests) == 3
    finally:
        receiver.stop()


def test_receiver_down_then_up_loses_nothing(town, monkeypatch):
    port = free_port()
    url = f"http://127.0.0.1:{port}/in"
    endpoint, secret, _token = endpoint_for(town["maple"], url, [EVENT], SCOPES)
    clock = Clock(monkeypatch)
    delivery = emit(town["maple"])
    assert delivery_attempt(delivery.pk).outcome == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "ConnectionRefused" in delivery.last_error
    receiver = Receiver(port=port)
    receiver.secrets = [secret]
    try:
        clock.advance(minutes=2)
        retry_run()
        delivery.refresh_from_db()
        assert delivery.status == "delivered"
        assert list(receiver.processed) == [str(delivery.event_id)]
    finally:
        receiver.stop()


@pytest.mark.slow
def test_an_answer_lost_to_a_timeout_is_retried_with_the_same_id_and_not_duplicated(town, monkeypatch, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = Receiver(answers=[("slow", 1.6, 200)])
    try:
        endpoint, secret, _token = endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
        receiver.secrets = [secret]
        clock = Clock(monkeypatch)
        delivery = emit(town["maple"])
        assert delivery_attempt(delivery.pk).outcome == "pending"
        delivery.refresh_from_db()
        assert "timed out" in delivery.last_error.lower() or "Timeout" in delivery.last_error
        receiver.thread.join(0.8)  # let the slow answer finish: the receiver did process the event
        clock.advance(minutes=1, seconds=1)
        assert "delivered: 1" in retry_run()
        assert [request["id"] for request in receiver.requests] == [str(delivery.event_id)] * 2
        assert list(receiver.processed) == [str(delivery.event_id)]
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("delivered", 2)
        clock.advance(hours=5)
        retry_run()
        assert len(receiver.requests) == 2
    finally:
        receiver.stop()


def test_after_eight_failed_attempts_it_is_marked_failed(town, monkeypatch):
    endpoint, _secret, _token = endpoint_for(town["maple"], f"http://127.0.0.1:{free_port()}/", [EVENT], SCOPES)
    clock = Clock(monkeypatch)
    delivery = emit(town["maple"])
    waits = []
    for _attempt in range(MAX_ATTEMPTS):
        retry_run()
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append(round((delivery.next_attempt_at - clock.now).total_seconds() / 60))
            clock.now = delivery.next_attempt_at
    assert waits == [1, 2, 4, 8, 16, 32, 64]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    clock.advance(days=1)
    assert retry_run().strip() == "Webhook deliveries: nothing due"


def test_two_senders_at_once_send_once(town, receiver):
    endpoint, secret, _token = endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
    delivery = emit(town["maple"])
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    # As if another sender holds the lease: this attempt does nothing.
    assert delivery_attempt(delivery.pk).outcome == "not due"
    assert receiver.requests == []


def test_emitting_the_same_event_id_twice_queues_one_delivery(town, receiver):
    endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
    event_id = "7d0d1f4e-8a41-4f59-9c57-3f5b8f0e6a11"
    with committing():
        first = webhook_event_emit(agency=town["maple"], event=EVENT, payload={}, event_id=event_id)
        second = webhook_event_emit(agency=town["maple"], event=EVENT, payload={}, event_id=event_id)
    assert len(first) == 1 and second == []
    assert WebhookDelivery.objects.count() == 1


def test_rotation_sends_both_signatures_for_24_hours_then_only_the_new_one(town, receiver, monkeypatch):
    endpoint, old, token = endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
    clock = Clock(monkeypatch)
    new = webhook_secret_rotate(actor=token.account, endpoint=endpoint)
    assert new != old
    receiver.secrets = [old, new]
    delivery_attempt(emit(town["maple"]).pk)
    assert receiver.requests[-1]["valid"] == {old: True, new: True}
    assert len(receiver.requests[-1]["signature"].split()) == 2
    clock.advance(hours=24, seconds=1)
    delivery_attempt(emit(town["maple"]).pk)
    assert receiver.requests[-1]["valid"] == {old: False, new: True}
    assert len(receiver.requests[-1]["signature"].split()) == 1


def test_a_disabled_endpoint_or_revoked_token_gets_nothing(town, receiver):
    from api.services import api_token_revoke
    from webhooks.services import webhook_endpoint_disable

    endpoint, _secret, token = endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
    delivery = emit(town["maple"])
    api_token_revoke(actor=token.created_by, token=token)
    assert delivery_attempt(delivery.pk).outcome == "pending"
    delivery.refresh_from_db()
    assert "revoked" in delivery.last_error
    with committing():
        assert webhook_event_emit(agency=town["maple"], event=EVENT, payload={}) == []
    webhook_endpoint_disable(actor=token.created_by, endpoint=endpoint)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert receiver.requests == []


def test_the_readme_recipe_verifies_a_real_delivery(town, receiver):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    recipe = readme.split("Verifying it in Python:", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(recipe, namespace)  # noqa: S102 - our own README
    endpoint, secret, _token = endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
    delivery_attempt(emit(town["maple"]).pk)
    [got] = receiver.requests
    assert namespace["verified"](secret, got["headers"], got["raw"])
    assert not namespace["verified"]("whsec_wrong", got["headers"], got["raw"])
    assert not namespace["verified"](secret, got["headers"], got["raw"] + b" ")


def test_a_redirect_is_not_followed_and_counts_as_a_failure(town):
    receiver = Receiver(answers=[302])
    try:
        endpoint_for(town["maple"], receiver.url, [EVENT], SCOPES)
        delivery = emit(town["maple"])
        assert delivery_attempt(delivery.pk).outcome == "pending"
        delivery.refresh_from_db()
        assert delivery.last_status_code == 302 and "not followed" in delivery.last_error
        assert len(receiver.requests) == 1
    finally:
        receiver.stop()
