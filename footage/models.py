from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the owner")
    FOOTAGE_RECEIVED = "footage_received", _("Footage received")
    NO_FOOTAGE = "no_footage", _("Owner has no footage for that time")
    DECLINED = "declined", _("Owner declined")
    EXPIRED = "expired", _("Expired without an answer")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email with a private link")
    PHONE = "phone", _("Phone call recorded by the investigator")


class FootageRequest(models.Model):
    """One ask to one camera owner for one time window in one case.

    The registration and chosen camera are nulled, not deleted, when an owner withdraws:
    the case keeps its history and any evidence already received, but nothing personal.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("canvass.Case", on_delete=models.PROTECT, related_name="footage_requests")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="footage_requests")
    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.SET_NULL, null=True, blank=True, related_name="footage_requests"
    )
    case_camera = models.ForeignKey(
        "canvass.CaseCamera", on_delete=models.SET_NULL, null=True, blank=True, related_name="footage_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="footage_requests"
    )
    created_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    message = models.TextField(blank=True)
    language = models.CharField(max_length=5, default="en")
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.WAITING, db_index=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The owner's reason when declining: optional, never required.
    owner_reason = models.TextField(blank=True)
    expires_at = models.DateTimeField()
    # Set by the sending task once the SMTP server accepted the message; empty means "still to send".
    email_sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminder_due_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"Request {self.pk} in case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return (
            self.status in (RequestStatus.WAITING, RequestStatus.FOOTAGE_RECEIVED) and self.expires_at > timezone.now()
        )


class RequestEvent(models.Model):
    """The request's history as the case page shows it; custody events also go to the audit log."""

    request = models.ForeignKey(FootageRequest, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]


class FootageRequestToken(models.Model):
    """A private link bound to ONE request: only the token's SHA-256 is stored."""

    request = models.ForeignKey(FootageRequest, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class EvidenceFile(models.Model):
    """A file an owner uploaded. Immutable: what identifies the bytes can never change after creation."""

    IMMUTABLE_FIELDS = ("request_id", "stored_name", "size", "sha256", "content_type", "uploaded_at")

    request = models.ForeignKey(FootageRequest, on_delete=models.PROTECT, related_name="evidence")
    original_name = models.CharField(max_length=200, help_text="Sanitised, for display only")
    stored_name = models.CharField(max_length=200, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=60, help_text="Detected from the file's first bytes")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploader_description = models.CharField(max_length=200)
    # Set when the retention purge deleted the stored file. The row stays as a tombstone so the chain of custody
    # still says what was received (name, size, SHA-256, when) and when it was destroyed.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*self.IMMUTABLE_FIELDS).first()
            if stored is not None and any(stored[name] != getattr(self, name) for name in self.IMMUTABLE_FIELDS):
                raise ValidationError("Evidence records cannot be changed after they are created.")
        super().save(*args, **kwargs)
