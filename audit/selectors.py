from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.access import Permission, has_permission
from audit.models import AuditEntry


def audit_entries_for(user) -> QuerySet[AuditEntry]:
    """The audit entries this user may read, only with VIEW_AUDIT_LOG.

    An agency's auditors read what their agency did and every partner's use of their agency's
    data (sharing agreements); the deployment auditor reads everything, including entries of no agency.
    """
    if not has_permission(user, Permission.VIEW_AUDIT_LOG):
        return AuditEntry.objects.none()
    if has_permission(user, Permission.VIEW_ALL_AUDIT_LOG):
        return AuditEntry.objects.all()
    if not user.agency_id:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(Q(agency_id=user.agency_id) | Q(data_agency_id=user.agency_id))


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_entries_filtered(user, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """`audit_entries_for(user)` narrowed by the viewer's filters (cleaned AuditFilterForm data), newest first."""
    entries = audit_entries_for(user)
    if filters.get("actor"):
        entries = entries.filter(actor_label__iexact=filters["actor"])
    if filters.get("action"):
        entries = entries.filter(action__startswith=filters["action"])
    if filters.get("date_from"):
        entries = entries.filter(occurred_at__gte=_start_of_day(filters["date_from"]))
    if filters.get("date_to"):
        entries = entries.filter(occurred_at__lt=_start_of_day(filters["date_to"] + datetime.timedelta(days=1)))
    if filters.get("object_id"):
        entries = entries.filter(object_id=filters["object_id"])
    if filters.get("outcome"):
        entries = entries.filter(outcome=filters["outcome"])
    return entries.order_by("-sequence")
