"""Webhook endpoints an agency registers, and one delivery row per (endpoint, event)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cameraregistry.crypto import EncryptedTextField


class WebhookEvent(models.TextChoices):
    FOOTAGE_REQUEST_ANSWERED = "footage_request.answered", _("An owner answered a footage request")
    EVIDENCE_RECEIVED = "evidence.received", _("Evidence files arrived for a footage request")
    FOOTAGE_URGENT = "footage.urgent", _("A chosen camera's footage will probably be overwritten within 72 hours")
    REGISTRATION_WITHDRAWN = "registration.withdrawn", _("An owner withdrew a registration (id only)")


# The scope an endpoint's token needs for each event: a webhook tells nothing its token could not read.
EVENT_SCOPES: dict[str, str] = {
    WebhookEvent.FOOTAGE_REQUEST_ANSWERED: "footage:request",
    WebhookEvent.EVIDENCE_RECEIVED: "footage:read",
    WebhookEvent.FOOTAGE_URGENT: "footage:request",
    WebhookEvent.REGISTRATION_WITHDRAWN: "registrations:read",
}


class WebhookEndpoint(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=500)
    events = models.JSONField(default=list, help_text="List of WebhookEvent values")
    # The integration the endpoint belongs to: its scopes decide which events and whether contacts are sent.
    token = models.ForeignKey("api.ApiToken", on_delete=models.PROTECT, related_name="webhook_endpoints")
    secret = EncryptedTextField()
    # Still signed with for 24 hours after a rotation, so the receiver can switch without losing deliveries.
    previous_secret = EncryptedTextField(blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint. `payload` never holds personal data: contacts are added when sending."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # The idempotency key, sent as Webhook-Id on every attempt.
    event_id = models.UUIDField(default=uuid.uuid4)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="unique_event_per_endpoint")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} → {self.endpoint_id}"
