from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import Permission, staff_required
from agencies.models import Agency
from audit.forms import AuditFilterForm
from audit.models import AuditEntry
from audit.selectors import audit_entries_filtered
from audit.services import audit_record
from cameraregistry.csv_safe import write_csv

ENTRIES_PER_PAGE = 50
EXPORT_HEADER = [
    "sequence",
    "occurred_at_utc",
    "actor",
    "actor_id",
    "acting_agency",
    "data_agency",
    "action",
    "object_type",
    "object_id",
    "parameters",
    "outcome",
    "source_ip",
    "entry_hash",
]


def _agency_names(entries: list[AuditEntry]) -> dict[int, str]:
    ids = {entry.agency_id for entry in entries} | {entry.data_agency_id for entry in entries}
    return dict(Agency.objects.filter(pk__in=ids - {None}).values_list("pk", "name"))


@staff_required(Permission.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = Paginator(audit_entries_filtered(request.user, form.cleaned_data), ENTRIES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        # Fetch the page before recording this read, so the record does not shift it.
        page.object_list = list(page.object_list)
        audit_record(
            action="audit.view",
            actor=request.user,
            object_type="audit_log",
            parameters={"filters": form.filters(), "page": page.number},
            request=request,
        )
        names = _agency_names(page.object_list)
        for entry in page.object_list:
            entry.acting_agency_name = names.get(entry.agency_id, "")
            entry.data_agency_name = names.get(entry.data_agency_id, "")
            entry.parameters_text = json.dumps(entry.parameters, ensure_ascii=False, sort_keys=True)
    query = urlencode(form.filters()) if form.is_valid() else ""
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query})


@staff_required(Permission.VIEW_AUDIT_LOG)
def audit_export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/log.html", {"form": form, "page": None, "query": ""}, status=400)
    entries = audit_entries_filtered(request.user, form.cleaned_data)
    # Freeze the set at the current head: later entries (this export's own record too) are not in it.
    head = AuditEntry.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    entries = entries.filter(sequence__lte=head)
    # Recorded (and anchored) before a single row leaves the server.
    audit_record(
        action="audit.export",
        actor=request.user,
        object_type="audit_log",
        parameters={"filters": form.filters(), "rows": entries.count()},
        request=request,
    )
    slugs = dict(Agency.objects.values_list("pk", "slug"))
    rows = (
        (
            entry.sequence,
            entry.occurred_at.astimezone(datetime.UTC),
            entry.actor_label,
            entry.actor_id,
            slugs.get(entry.agency_id, ""),
            slugs.get(entry.data_agency_id, ""),
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.parameters,
            entry.outcome,
            entry.source_ip,
            entry.entry_hash,
        )
        for entry in entries.iterator(chunk_size=2000)
    )
    return write_csv(rows, EXPORT_HEADER, filename=f"audit-log-{datetime.date.today().isoformat()}.csv")
