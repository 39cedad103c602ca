"""Reading the audit log is itself recorded: a page viewed, an export taken (SECURITY.md, audit of the audit)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.models import AuditEntry
from audit.selectors import audit_entries_filtered
from audit.services import audit_record


def audit_log_page_read(
    *, user, cleaned: dict, filters: dict, page_number: str | None, page_size: int, request: HttpRequest | None = None
) -> Page:
    """One page of the entries the user may read, fetched before this read's own entry so it does not shift."""
    page = Paginator(audit_entries_filtered(user, cleaned), page_size).get_page(page_number)
    page.object_list = list(page.object_list)
    audit_record(
        action="audit.view",
        actor=user,
        object_type="audit_log",
        parameters={"filters": filters, "page": page.number},
        request=request,
    )
    return page


def audit_log_export_read(*, user, cleaned: dict, filters: dict, request: HttpRequest | None = None) -> QuerySet:
    """The entries of an export, frozen at the current head, recorded (and anchored) before a row leaves."""
    head = AuditEntry.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    entries = audit_entries_filtered(user, cleaned).filter(sequence__lte=head)
    audit_record(
        action="audit.export",
        actor=user,
        object_type="audit_log",
        parameters={"filters": filters, "rows": entries.count()},
        request=request,
    )
    return entries
