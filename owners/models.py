from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
