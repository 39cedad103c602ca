from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove audit entries through the ORM."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be updated.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted; see audit.services.audit_purge_before.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("Audit entries cannot be updated.")

    def bulk_create(self, objs, *args, **kwargs):
        # Only audit_record may append, because only it computes the chain.
        raise AuditLogIsAppendOnly("Audit entries are written one by one through audit.services.audit_record.")


class AuditEntry(models.Model):
    """One append-only, hash-chained record of who did what, when, from where, with what outcome.

    `entry_hash` is the SHA-256 of this entry's canonical content plus `previous_hash`,
    so editing, deleting, inserting or reordering any entry breaks the chain. The primary
    key always equals `sequence`, so a changed id is detected too.

    `agency` is the agency that acted; `data_agency`, when set, is the agency whose data
    was used (a partner's use under a sharing agreement), so both agencies see the entry.

    The actor and agencies are plain ids without a database constraint: the chain covers
    them, so deleting a user or agency must neither null them (that would break the
    chain) nor be blocked by old log entries. `actor_label` keeps the name readable.
    """

    sequence = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # Whose registrations a partner agency used (sharing agreements): that agency's auditors see the entry too.
    data_agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=True,
        related_name="+",
    )
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    parameters = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=20, default="success")
    source_ip = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["agency", "occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.outcome}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed once written.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted; see audit.services.audit_purge_before.")
