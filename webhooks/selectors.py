"""Webhook reads: always within one agency."""

from __future__ import annotations

from django.http import Http404

from webhooks.models import WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 10


def endpoints_of(agency_id: int | None):
    if not agency_id:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(agency_id=agency_id).select_related("token", "created_by")


def endpoint_of(agency_id: int | None, pk) -> WebhookEndpoint:
    """The agency's endpoint `pk`, or Http404 (another agency's endpoints do not exist for it)."""
    try:
        return endpoints_of(agency_id).get(pk=int(pk))
    except (WebhookEndpoint.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def deliveries_of(endpoint: WebhookEndpoint, status: str = "", limit: int = 50) -> list[WebhookDelivery]:
    queryset = endpoint.deliveries.all()
    if status:
        queryset = queryset.filter(status=status)
    return list(queryset.order_by("-created_at", "-id")[:limit])


def endpoints_with_recent_deliveries(agency_id: int | None) -> list[WebhookEndpoint]:
    endpoints = list(endpoints_of(agency_id))
    for endpoint in endpoints:
        endpoint.recent_deliveries = deliveries_of(endpoint, limit=RECENT_DELIVERIES)
    return endpoints
