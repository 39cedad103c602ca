"""The one outbox: every email the registry sends (except the audit failure alert) is a row here first."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from cameraregistry.crypto import EncryptedTextField


class OutboxEmail(models.Model):
    """An email waiting to go out. The task marks it sent; a failed send leaves it for a retry.

    `template` names the email: templates/emails/<template>_subject.txt, .txt and .html.
    The recipient is kept (encrypted) only until the message is sent, then forgotten with the
    context, so the outbox never becomes a second copy of anyone's contact details. Emails about
    a registration are tied to it, so erasing the registration erases its unsent mail too.
    """

    template = models.CharField(max_length=60)
    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.CASCADE, null=True, blank=True, related_name="outbox_emails"
    )
    recipient = EncryptedTextField(blank=True)
    language = models.CharField(max_length=5, default="en")
    context = models.JSONField(default=dict, blank=True)
    # One row per key ("footage_reminder:17"): queueing the same email again does not send it twice.
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk}"
