"""footage.urgent: a chosen camera of an open case whose footage will probably be overwritten within 72 hours.

The rule is canvass.selectors.case_urgency's (the case page's urgency list), asked as the endpoint's
token: what that integration could request. Each (case, camera) pair has one event id, so a pair is
sent to an endpoint once however often the periodic command runs.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from api.scopes import permissions_for
from canvass.models import Case, CaseStatus
from canvass.selectors import case_urgency
from footage.models import FootageRequest
from webhooks import payloads
from webhooks.models import EVENT_SCOPES, WebhookEndpoint, WebhookEvent
from webhooks.services import webhook_event_emit

URGENT_NAMESPACE = uuid.UUID("5b0e6f8e-3d1c-4c55-9a53-2f6f0c1e7a10")


def urgent_event_id(case_id: int, camera_id: int) -> uuid.UUID:
    return uuid.uuid5(URGENT_NAMESPACE, f"footage.urgent:{case_id}:{camera_id}")


def _acting_accounts(now: dt.datetime) -> dict[int, object]:
    """Per agency, the integration account of one subscribed endpoint's token (every token holding
    footage:request sees the same cameras: its agency's and those shared with it for requests)."""
    event, scope = WebhookEvent.FOOTAGE_URGENT, EVENT_SCOPES[WebhookEvent.FOOTAGE_URGENT]
    accounts: dict[int, object] = {}
    for endpoint in WebhookEndpoint.objects.filter(active=True).select_related("token__account").order_by("pk"):
        token = endpoint.token
        if endpoint.agency_id in accounts or event not in endpoint.events or scope not in token.scopes:
            continue
        if token.is_usable(now) and token.account.is_active:
            account = token.account
            account.api_permissions = permissions_for(token.scopes)
            account.api_token = token
            accounts[endpoint.agency_id] = account
    return accounts


def urgent_run(*, now: dt.datetime | None = None) -> int:
    """Emit footage.urgent for every newly urgent (case, camera) pair; returns the deliveries queued."""
    now = now or timezone.now()
    queued = 0
    for agency_id, account in _acting_accounts(now).items():
        for case in Case.objects.filter(agency_id=agency_id, status=CaseStatus.OPEN).select_related("agency"):
            urgency = case_urgency(account, case, now)
            if not urgency.urgent:
                continue
            requested = set(
                FootageRequest.objects.filter(case=case, case_camera__isnull=False).values_list(
                    "case_camera__camera_id", flat=True
                )
            )
            for item in urgency.urgent:
                camera_id = item.case_camera.camera_id
                queued += len(
                    webhook_event_emit(
                        agency=agency_id,
                        event=WebhookEvent.FOOTAGE_URGENT,
                        payload=payloads.footage_urgent(case, item, requested=camera_id in requested),
                        event_id=urgent_event_id(case.pk, camera_id),
                    )
                )
    return queued
