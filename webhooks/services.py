"""Webhook writes: endpoints (create, rotate the secret, disable), and the one way events go out.

Services call `webhook_event_emit` through `transaction.on_commit`, so nothing is announced that
was rolled back. Each event becomes one WebhookDelivery per subscribed endpoint, sent by a task.
"""

from __future__ import annotations

import secrets
import uuid
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Permission, agencies_receiving_from
from api.models import ApiToken
from audit.services import audit_record
from webhooks.addresses import UnsafeAddress, url_check
from webhooks.models import EVENT_SCOPES, DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.tasks import deliver_webhook

SECRET_PREFIX = "whsec_"
MAX_ENDPOINTS_PER_AGENCY = 20


def _secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _endpoint_parameters(endpoint: WebhookEndpoint) -> dict:
    return {
        "url": endpoint.url,
        "events": endpoint.events,
        "token": {"name": endpoint.token.name, "prefix": endpoint.token.prefix},
    }


def _check(*, agency_id: int, token: ApiToken | None, url: str, events) -> tuple[str, list[str], ApiToken]:
    """The endpoint's URL, events and token, or ValidationError naming every field that is wrong."""
    errors: dict[str, str] = {}
    try:
        url, _target, _address = url_check(url)
    except UnsafeAddress as error:
        errors["url"] = str(error)
    chosen = sorted(set(events or []))
    if token is None or token.agency_id != agency_id or not token.is_usable():
        errors["token"] = _("Choose an active API token of your agency.")
    if not chosen:
        errors["events"] = _("Choose at least one event.")
    elif not set(chosen) <= set(WebhookEvent.values):
        errors["events"] = _("Unknown event: %(events)s.") % {
            "events": ", ".join(sorted(set(chosen) - set(WebhookEvent.values)))[:200]
        }
    elif token is not None and "token" not in errors:
        missing = [f"{event} ({EVENT_SCOPES[event]})" for event in chosen if EVENT_SCOPES[event] not in token.scopes]
        if missing:
            errors["events"] = _("The token lacks the scope these events need: %(events)s.") % {
                "events": ", ".join(missing)
            }
    active = WebhookEndpoint.objects.filter(agency_id=agency_id, active=True).count()
    if active >= MAX_ENDPOINTS_PER_AGENCY:
        errors["url"] = _("An agency can have at most %(count)d active endpoints.") % {
            "count": MAX_ENDPOINTS_PER_AGENCY
        }
    if errors or token is None:
        raise ValidationError(errors)
    return url, chosen, token


@transaction.atomic
def webhook_endpoint_create(
    *, actor, token: ApiToken | None, url: str, events, request=None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the actor's agency; returns (endpoint, secret). The secret is shown once."""
    if not getattr(actor, "agency_id", None):
        raise ValidationError(_("Only a member of an agency can register its webhook endpoints."))
    url, chosen, token = _check(agency_id=actor.agency_id, token=token, url=url, events=events)
    secret = _secret()
    endpoint = WebhookEndpoint.objects.create(
        agency_id=actor.agency_id, url=url, events=chosen, token=token, secret=secret, created_by=actor
    )
    audit_record(
        action="webhook.create",
        actor=actor,
        object_type="webhook_endpoint",
        object_id=endpoint.pk,
        parameters=_endpoint_parameters(endpoint),
        request=request,
    )
    return endpoint, secret


@transaction.atomic
def webhook_secret_rotate(*, actor, endpoint: WebhookEndpoint, request=None) -> str:
    """A new secret; the old one keeps signing for 24 hours (two signatures per delivery)."""
    endpoint = WebhookEndpoint.objects.select_for_update().select_related("token").get(pk=endpoint.pk)
    if not endpoint.active:
        raise ValidationError(_("This endpoint is disabled."))
    secret = _secret()
    endpoint.previous_secret, endpoint.secret, endpoint.rotated_at = endpoint.secret, secret, timezone.now()
    endpoint.save(update_fields=["previous_secret", "secret", "rotated_at"])
    audit_record(
        action="webhook.rotate_secret",
        actor=actor,
        object_type="webhook_endpoint",
        object_id=endpoint.pk,
        parameters={"url": endpoint.url},
        request=request,
    )
    return secret


@transaction.atomic
def webhook_endpoint_disable(*, actor, endpoint: WebhookEndpoint, request=None) -> WebhookEndpoint:
    """No new deliveries, and pending ones are not sent. Disabling twice changes nothing."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.active:
        return endpoint
    endpoint.active, endpoint.disabled_at = False, timezone.now()
    endpoint.save(update_fields=["active", "disabled_at"])
    pending = endpoint.deliveries.filter(status=DeliveryStatus.PENDING)
    pending.filter(event=WebhookEvent.REGISTRATION_WITHDRAWN).update(payload={})
    pending.update(status=DeliveryStatus.FAILED, last_error="Endpoint disabled", next_attempt_at=None)
    audit_record(
        action="webhook.disable",
        actor=actor,
        object_type="webhook_endpoint",
        object_id=endpoint.pk,
        parameters={"url": endpoint.url},
        request=request,
    )
    return endpoint


def _subscribed(endpoint: WebhookEndpoint, event: str, now) -> bool:
    token = endpoint.token
    return event in (endpoint.events or []) and token.is_usable(now) and EVENT_SCOPES[event] in (token.scopes or [])


def webhook_event_emit(*, agency, event: str, payload: dict, event_id=None) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint of `agency` subscribed to it whose token may read it.

    A withdrawal also reaches the agencies the registration was shared with. `event_id` is the
    idempotency key (a new UUID unless given): emitting the same id twice queues nothing new.
    """
    event = WebhookEvent(event).value
    event_id = uuid.UUID(str(event_id)) if event_id else uuid.uuid4()
    agency_id = getattr(agency, "pk", agency)
    agency_ids = [agency_id]
    if event == WebhookEvent.REGISTRATION_WITHDRAWN:
        agency_ids += agencies_receiving_from(agency_id, Permission.VIEW_REGISTRATIONS)
    now = timezone.now()
    endpoints = WebhookEndpoint.objects.filter(agency_id__in=agency_ids, active=True).select_related("token")
    created = []
    with transaction.atomic():
        for endpoint in endpoints:
            if not _subscribed(endpoint, event, now):
                continue
            delivery, made = WebhookDelivery.objects.get_or_create(
                endpoint=endpoint,
                event_id=event_id,
                defaults={"event": event, "payload": payload, "next_attempt_at": now, "created_at": now},
            )
            if made:
                created.append(delivery)
                transaction.on_commit(partial(deliver_webhook.enqueue, delivery.pk))
    return created
