from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedRow(models.Model):
    """One spreadsheet row that became (or was matched to) a registration.

    The fingerprint is a keyed hash of the normalised address and owner contact, never
    the values themselves. It outlives the registration on purpose: re-running an old
    spreadsheet must not bring back an owner who withdrew.
    """

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    registration = models.ForeignKey(
        "registrations.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    source_name = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "fingerprint"], name="unique_imported_row")]


class ImportJob(models.Model):
    """A file uploaded in the staff area, mapped, then dry-run or imported by a background task."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded, waiting for column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Checking rows")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Could not be read")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=100)
    sheet = models.CharField(max_length=100, blank=True)
    header_row = models.PositiveIntegerField(null=True, blank=True)  # spreadsheet row number; empty: detected
    mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(default=True)
    all_or_nothing = models.BooleanField(default=True)
    # Rows in another agency's jurisdiction: "import" (for that agency, if allowed), "skip", or "" (refused).
    other_agencies = models.CharField(max_length=10, blank=True, default="")
    state = models.CharField(max_length=20, choices=State.choices, default=State.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # The finished report: counts, file problems and row problems (row, column, problem). No cell values.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]


class RegistrationHistory(models.Model):
    """What administrators did to a registration: verified, rejected, merged. Kept after merges."""

    class Action(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected as spam")
        MERGED = "merged", _("Merged a duplicate into this registration")
        IMPORTED = "imported", _("Imported")

    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    # For merges: the removed duplicate's public id, creation time and what moved; no contact details.
    details = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "registration history"


class PurgeRecord(models.Model):
    """How many records one run of the retention purge removed, by kind; shown on the transparency page."""

    class Kind(models.TextChoices):
        STALE_REGISTRATIONS = "stale_registrations", _("Registrations not re-confirmed")
        FOOTAGE_FILES = "footage_files", _("Evidence files after case closed")
        REJECTED_REGISTRATIONS = "rejected_registrations", _("Registrations rejected as spam")
        AUDIT_ENTRIES = "audit_entries", _("Audit log entries past retention")

    ran_at = models.DateTimeField(db_index=True)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-ran_at"]


class RunningImport(models.Model):
    """An import writing now, one per file content: a second import of the same file at the same time is
    told so ("already running, started 06:41 by ..."), instead of failing on the imported rows' constraint."""

    file_sha256 = models.CharField(max_length=64, unique=True)
    source_name = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The process writing it: on the same machine a marker whose process has died no longer blocks.
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
