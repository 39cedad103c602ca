from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cameraregistry.crypto import EncryptedTextField


class WithdrawalCount(models.Model):
    """Anonymous count of withdrawals per agency and month: all that remains of a withdrawn registration."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="withdrawal_counts")
    month = models.DateField(help_text="First day of the month")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="unique_withdrawal_count_month")]
        ordering = ["agency", "-month"]


class StatusReport(models.Model):
    """An owner telling the program their situation changed, as the paper form asks."""

    class Kind(models.TextChoices):
        NO_CAMERAS = "no_cameras", _("I no longer have cameras")
        MOVED = "moved", _("I moved away from this address")
        LOCATIONS_CHANGED = "locations_changed", _("My camera locations changed")

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.CASCADE, related_name="status_reports"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True)
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at"]


class ReconfirmationReminder(models.Model):
    """One reminder per confirmation cycle: the cycle is named by the confirmation it follows."""

    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE, related_name="reminders")
    cycle_confirmed_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "cycle_confirmed_at"], name="unique_reminder_per_cycle")
        ]


class OutboxEmail(models.Model):
    """An email waiting to go out. The task marks it sent; a failed send leaves it for a retry.

    The recipient is kept only until the message is sent, then forgotten, so the outbox
    never becomes a second copy of owners' contact details.
    """

    class Kind(models.TextChoices):
        MANAGE_LINK = "manage_link", "Private link requested"
        RECONFIRM = "reconfirm", "Annual re-confirmation reminder"
        WITHDRAWN = "withdrawn", "Withdrawal confirmation"
        STATUS_REPORT = "status_report", "Owner status change, to staff"
        # Staff notices ride the same queue-and-retry path (templates emails/<kind>_*).
        STAFF_LOCKOUT = "staff_lockout", "Staff account locked, to the holder and administrators"
        STAFF_INACTIVITY = "staff_inactivity", "Staff account about to be disabled for inactivity"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.CASCADE, null=True, blank=True, related_name="outbox_emails"
    )
    recipient = EncryptedTextField(blank=True)
    language = models.CharField(max_length=5, default="en")
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at"]
