"""One delivery attempt: claim the row, POST the signed JSON, record the outcome.

The row is claimed by a conditional update (pending and due → attempts + 1 and a lease), so a task
and the retry command never send the same delivery at the same time; the outcome is written under
a row lock, and a delivered row is never claimed again. The HTTP call happens outside any
transaction. Redirects are not followed; every attempt carries the same Webhook-Id, so a receiver
that got a request whose answer was lost (a timeout) can recognise the retry.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.access import Permission
from api.scopes import permissions_for
from audit.services import AuditWriteFailed, audit_record
from registrations.selectors import registrations_for
from webhooks.addresses import Target, UnsafeAddress, target_parse, target_resolve
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from webhooks.signing import signature_header

MAX_ATTEMPTS = 8
USER_AGENT = "CommunityCameraRegistry-Webhooks/1"


@dataclass(frozen=True)
class Attempt:
    outcome: str
    retry_at: dt.datetime | None = None


def backoff(attempts: int) -> dt.timedelta:
    """After the n-th failed attempt: 1, 2, 4 … minutes."""
    return dt.timedelta(minutes=2 ** max(0, attempts - 1))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS says now; Host stays the URL's host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the URL's host name (SNI too), not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def http_post(target: Target, address: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST and return the status code; OSError / HTTPException on network failure."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target.host, target.port, address=address, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)
        return response.status
    finally:
        connection.close()


def _contacts(delivery: WebhookDelivery, token, payload: dict) -> dict | None:
    """The owner's contact details, for a token with contacts:read that may see them now; else None."""
    registration_id = payload.get("registration_id")
    if delivery.event == WebhookEvent.REGISTRATION_WITHDRAWN or not registration_id:
        return None
    if "contacts:read" not in (token.scopes or []):
        return None
    account = token.account
    account.api_permissions = permissions_for(token.scopes)
    account.api_token = token
    registration = registrations_for(account, Permission.VIEW_CONTACT_DETAILS).filter(public_id=registration_id).first()
    if registration is None:
        return None
    # The same entry a contact read on the page or through the API writes.
    audit_record(
        action="registration.contact_view",
        actor=account,
        agency=delivery.endpoint.agency,
        data_agency=registration.agency if registration.agency_id != delivery.endpoint.agency_id else None,
        object_type="registration",
        object_id=str(registration.public_id),
        parameters={"token": {"name": token.name, "prefix": token.prefix}, "webhook": delivery.endpoint_id},
    )
    return {
        "owner_name": registration.owner_name,
        "owner_phone": registration.owner_phone,
        "owner_email": registration.owner_email,
        "preferred_contact_method": registration.preferred_contact_method,
        "contact_hours": registration.contact_hours,
    }


def delivery_body(delivery: WebhookDelivery) -> bytes:
    endpoint = delivery.endpoint
    data = dict(delivery.payload)
    contacts = _contacts(delivery, endpoint.token, data)
    if contacts is not None:
        data["contacts"] = contacts
    envelope = {
        "id": str(delivery.event_id),
        "type": delivery.event,
        "created_at": delivery.created_at.astimezone(dt.UTC).isoformat(),
        "agency": endpoint.agency.slug,
        "data": data,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    lease = dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 30)
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
            attempts=F("attempts") + 1, next_attempt_at=now + lease
        )
    )


def _send(delivery: WebhookDelivery, now: dt.datetime) -> tuple[int | None, str]:
    """(status code or None, error text) of one POST."""
    endpoint = delivery.endpoint
    if not endpoint.active:
        return None, "Endpoint disabled"
    if not endpoint.token.is_usable(now):
        return None, "The endpoint's API token was revoked or has expired"
    try:
        target = target_parse(endpoint.url)
        address = target_resolve(target)
        body = delivery_body(delivery)
    except UnsafeAddress as error:
        return None, str(error)
    except AuditWriteFailed:
        return None, "The audit log cannot be written; contacts are not sent without it"
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": str(delivery.event_id),
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature_header(endpoint, timestamp, body, now),
    }
    try:
        status = http_post(target, address, body, headers, settings.WEBHOOK_TIMEOUT_SECONDS)
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"
    if 200 <= status < 300:
        return status, ""
    if 300 <= status < 400:
        return status, f"HTTP {status} (redirects are not followed)"
    return status, f"HTTP {status}"


def _finish(delivery_id: int, status: int | None, error: str, now: dt.datetime) -> Attempt:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status != DeliveryStatus.PENDING:
            return Attempt(delivery.status)
        delivery.last_status_code = status
        delivery.last_error = error[:300]
        retry_at = None
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        elif delivery.attempts >= MAX_ATTEMPTS or not delivery.endpoint.active:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            retry_at = delivery.next_attempt_at = now + backoff(delivery.attempts)
        if delivery.status != DeliveryStatus.PENDING and delivery.event == WebhookEvent.REGISTRATION_WITHDRAWN:
            # Once sent (or given up), not even the withdrawn registration's id stays behind.
            delivery.payload = {}
        delivery.save(
            update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code", "last_error", "payload"]
        )
        return Attempt(delivery.status, retry_at)


def delivery_attempt(delivery_id: int, now: dt.datetime | None = None) -> Attempt:
    """Send the delivery if it is pending and due; otherwise do nothing ("not due")."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return Attempt("not due")
    delivery = WebhookDelivery.objects.select_related("endpoint__agency", "endpoint__token__account").get(
        pk=delivery_id
    )
    status, error = _send(delivery, now)
    return _finish(delivery_id, status, error, timezone.now())


def due_deliveries(now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
