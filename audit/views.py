from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import Permission, staff_required
from agencies.models import Agency
from audit import log_reads
from audit.forms import AuditFilterForm
from audit.models import AuditEntry
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
        page = log_reads.audit_log_page_read(
            user=request.user,
            cleaned=form.cleaned_data,
            filters=form.filters(),
            page_number=request.GET.get("page"),
            page_size=ENTRIES_PER_PAGE,
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
    # Frozen at the current head (this export's own entry is not in it), recorded before a row leaves.
    entries = log_reads.audit_log_export_read(
        user=request.user, cleaned=form.cleaned_data, filters=form.filters(), request=request
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
