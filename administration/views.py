from __future__ import annotations

import csv
import io
import json
import re
import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Permission, fresh_mfa_prompt, fresh_mfa_required, has_permission, staff_required
from administration import queue as verification
from administration import selectors, services
from administration.charts import bar_chart
from administration.exporting import CONTENT_TYPES
from administration.forms import (
    BoundaryForm,
    ExportForm,
    HeaderRowForm,
    MappingForm,
    NoteForm,
    OffenseForm,
    RegistrationLimitsForm,
    SettingsForm,
    TermsForm,
    UploadForm,
)
from administration.imports import job_selectors, jobs, reader
from administration.imports.files import ImportFileError
from administration.imports.job_states import is_waiting_for_mapping
from administration.imports.layout import HeaderRowError
from administration.imports.mapping import PROFILE_LABELS, source_profile
from administration.models import ImportJob
from agencies.models import Agency, OffenseType
from cameraregistry.csv_safe import safe_cell
from cameraregistry.upload_limits import limit_uploads, upload_refusal
from registrations import services as registration_services
from registrations.selectors import registration_for, registrations_for

# ---------------------------------------------------------------- verification queue


@staff_required(Permission.VERIFY_REGISTRATIONS)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    scope = registrations_for(request.user, Permission.VERIFY_REGISTRATIONS)
    kind = request.GET.get("kind", "")
    kind = kind if kind in verification.KINDS else ""
    street = request.GET.get("street", "").strip()[:100].replace("\x00", "")
    items = verification.queue_items(scope, kind=kind, street=street)
    page = Paginator(items, verification.PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in (("kind", kind), ("street", street)) if value})
    return render(
        request,
        "administration/queue.html",
        {
            "rows": verification.rows_for(list(page.object_list)),
            "page": page,
            "query": query,
            "kind": kind,
            "street": street,
            "kinds": list(verification.KINDS.items()),
            "counts": verification.counts_by_kind(scope),
            "total": page.paginator.count,
        },
    )


@staff_required(Permission.VERIFY_REGISTRATIONS)
@require_GET
def review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    registration = registration_for(request.user, public_id, Permission.VERIFY_REGISTRATIONS)
    scope = registrations_for(request.user, Permission.VERIFY_REGISTRATIONS)
    return render(
        request,
        "administration/review.html",
        {
            "registration": registration,
            "cameras": registration.cameras.all(),
            "form": NoteForm(),
            "duplicates": selectors.duplicate_candidates(registration, scope),
            "history": selectors.registration_history(registration),
            "changes": verification.changed_field_labels(registration),
            "reports": registration.status_reports.all()[:10],
        },
    )


def _note(request: HttpRequest) -> str:
    form = NoteForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@staff_required(Permission.VERIFY_REGISTRATIONS)
@require_POST
def verify(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    registration = registration_for(request.user, public_id, Permission.VERIFY_REGISTRATIONS)
    try:
        registration_services.registration_verify(
            registration=registration, actor=request.user, note=_note(request), request=request
        )
        messages.success(request, f"{registration.street_address} verified.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("administration:queue")


@staff_required(Permission.VERIFY_REGISTRATIONS)
@require_POST
def reject(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    registration = registration_for(request.user, public_id, Permission.VERIFY_REGISTRATIONS)
    if request.POST.get("confirm") != "yes":
        # Rejecting takes the registration out of every search and erases it later: ask once more.
        context = {
            "registration": registration,
            "note": _note(request),
            "days": registration.agency.rejected_removal_days,
        }
        return render(request, "administration/reject_confirm.html", context)
    registration_services.registration_reject(
        registration=registration, actor=request.user, note=_note(request), request=request
    )
    messages.success(request, f"{registration.street_address} rejected as spam.")
    return redirect("administration:queue")


@staff_required(Permission.VERIFY_REGISTRATIONS)
@require_POST
def merge(request: HttpRequest, public_id: uuid.UUID, other_id: uuid.UUID) -> HttpResponse:
    keep = registration_for(request.user, public_id, Permission.VERIFY_REGISTRATIONS)
    duplicate = registration_for(request.user, other_id, Permission.VERIFY_REGISTRATIONS)
    try:
        registration_services.registrations_merge(
            keep=keep, duplicate=duplicate, actor=request.user, note=_note(request), request=request
        )
        messages.success(request, "The duplicate was merged into this registration; its cameras moved here.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("administration:review", public_id=keep.public_id)


# ---------------------------------------------------------------- import


@limit_uploads(lambda: reader.MAX_FILE_BYTES, "The file")
@staff_required(Permission.IMPORT_DATA)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    refusal = upload_refusal(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if refusal:
        form.is_valid()
        form.errors["file"] = form.error_class([f"{refusal} Split it into several files."])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > reader.MAX_FILE_BYTES:  # the handler stops such files; a second guard costs nothing
            form.add_error("file", "The file is too large; split it into several files.")
        else:
            try:
                job = jobs.import_job_create(
                    upload=upload, header_row=form.cleaned_data["header_row"], actor=request.user
                )
            except HeaderRowError as error:
                form.add_error("header_row", str(error))
            except ImportFileError as error:
                form.add_error("file", str(error))
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return redirect("administration:import_mapping", job_id=job.public_id)
    context = {"form": form, "jobs": job_selectors.import_jobs_recent(request.user)}
    return render(request, "administration/import_upload.html", context, status=413 if refusal else 200)


def _change_header_row(request: HttpRequest, job: ImportJob, sheet: str | None, form: HeaderRowForm):
    """The header row chosen on the mapping page; a redirect, or None with the reason on the form."""
    if not form.is_valid():
        return None
    try:
        jobs.import_job_header_row_change(job=job, sheet=sheet, header_row=form.cleaned_data["header_row"])
    except HeaderRowError as error:
        form.add_error("header_row", str(error))
        return None
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("administration:import_upload")
    except ValidationError:
        pass  # started meanwhile: its progress is shown
    return redirect("administration:import_mapping", job_id=job.public_id)


def _import_progress_page(request: HttpRequest, job: ImportJob) -> HttpResponse:
    refused, skipped = job_selectors.import_job_problems(job)
    context = {"job": job, "refused": refused, "skipped": skipped}
    return render(request, "administration/import_progress.html", context)


@staff_required(Permission.IMPORT_DATA)
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = job_selectors.import_job_for(request.user, job_id)
    if not is_waiting_for_mapping(job):
        return _import_progress_page(request, job)
    sheet = request.POST.get("sheet") or job.sheet or None
    header_form = HeaderRowForm(
        request.POST if "change_header" in request.POST else None, initial={"header_row": job.header_row or ""}
    )
    if header_form.is_bound and (moved := _change_header_row(request, job, sheet, header_form)):
        return moved
    try:
        table = job_selectors.import_job_table(job, sheet)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("administration:import_upload")
    mapping = job_selectors.import_job_mapping(job, table)
    form = MappingForm(
        request.POST or None, headers=table.headers, mapping=mapping, sheets=table.sheets, sheet=table.sheet
    )
    changing = "change_sheet" in request.POST or "change_header" in request.POST
    try:
        if request.method == "POST" and not changing and form.is_valid():
            jobs.import_job_queue(
                job=job,
                table=table,
                mapping=form.cleaned_data["mapping"],
                mode=form.cleaned_data["mode"],
                other_agencies=form.cleaned_data.get("other_agencies") or "",
            )
            return redirect("administration:import_mapping", job_id=job.public_id)
        jobs.import_job_sheet_choose(job=job, table=table, mapping=mapping)
    except ValidationError:
        return redirect("administration:import_mapping", job_id=job.public_id)  # started meanwhile
    return render(
        request,
        "administration/import_mapping.html",
        {
            "job": job,
            "form": form,
            "table": table,
            "header_form": header_form,
            "profile_label": PROFILE_LABELS[source_profile(table.headers)],
            "preview": table.rows[:3],
        },
    )


@staff_required(Permission.IMPORT_DATA)
@require_GET
def import_progress(request: HttpRequest, job_id: uuid.UUID) -> JsonResponse:
    job = job_selectors.import_job_for(request.user, job_id)
    return JsonResponse(job_selectors.import_job_status(job))


@staff_required(Permission.IMPORT_DATA)
@require_GET
def import_report_csv(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = job_selectors.import_job_for(request.user, job_id)
    if not job.report:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-report.csv"'
    writer = csv.writer(response)
    writer.writerow(["row", "column", "severity", "problem"])
    for problem in job.report.get("file_problems", []):
        writer.writerow(["", "", "error", safe_cell(problem)])
    for problem in job.report.get("problems", []):
        writer.writerow(
            [problem["row"], safe_cell(problem["column"]), problem["severity"], safe_cell(problem["problem"])]
        )
    return response


# ---------------------------------------------------------------- export


@staff_required(Permission.EXPORT_DATA)
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["format"]
        contacts = form.cleaned_data["contacts"]
        if contacts and not has_permission(request.user, Permission.VIEW_CONTACT_DETAILS):
            contacts = False
        if contacts and (prompt := fresh_mfa_prompt(request)):
            return prompt
        # Only the user's own agency: sharing agreements lend searches, never bulk exports.
        queryset = registrations_for(request.user, Permission.EXPORT_DATA).filter(agency_id=request.user.agency_id)
        queryset = queryset.exclude(status="rejected")
        stream = io.StringIO()
        services.registrations_export(
            queryset=queryset,
            format=chosen,
            stream=stream,
            actor=request.user,
            agency=request.user.agency,
            contacts=contacts,
            request=request,
        )
        response = HttpResponse(stream.getvalue(), content_type=CONTENT_TYPES[chosen])
        stamp = timezone.localdate().isoformat()
        extension = {"csv": "csv", "geojson": "geojson", "kml": "kml"}[chosen]
        response["Content-Disposition"] = f'attachment; filename="registrations-{stamp}.{extension}"'
        return response
    return render(request, "administration/export.html", {"form": form})


# ---------------------------------------------------------------- agency settings


def _settings_forms(request: HttpRequest, agency: Agency, action: str | None) -> dict[str, forms.BaseForm]:
    """The settings page's forms by action; only the posted one is bound."""

    def posted(name: str):
        return request.POST if action == name else None

    return {
        "settings": SettingsForm(posted("settings"), instance=Agency.objects.get(pk=agency.pk)),
        "registration_limits": RegistrationLimitsForm(
            posted("registration_limits"), instance=Agency.objects.get(pk=agency.pk)
        ),
        "terms": TermsForm(posted("terms")),
        "offense": OffenseForm(posted("offense")),
        "boundary": BoundaryForm(posted("boundary"), request.FILES if action == "boundary" else None),
    }


def _settings_action(request: HttpRequest, agency: Agency, action: str | None, form: forms.BaseForm) -> str | None:
    """Carry out the posted action through its service: the message to show, or None when the form is invalid.
    A service's refusal comes as a ValidationError."""
    actor = request.user
    if action in ("settings", "registration_limits") and form.is_valid():
        names = services.SETTINGS_FIELDS if action == "settings" else services.REGISTRATION_LIMIT_FIELDS
        changes = {name: form.cleaned_data[name] for name in names}
        services.agency_settings_update(agency=agency, changes=changes, actor=actor, request=request)
        return "Settings saved." if action == "settings" else "Registration limits saved."
    if action == "terms" and form.is_valid():
        terms = services.agency_terms_publish(
            agency=agency,
            text_en=form.cleaned_data["text_en"],
            text_es=form.cleaned_data["text_es"],
            actor=actor,
            request=request,
        )
        return f"Terms version {terms.version} published; owners will be asked to agree again."
    if action == "offense" and form.is_valid():
        services.offense_type_add(agency=agency, name=form.cleaned_data["name"], actor=actor, request=request)
        return "Offense type added."
    if action == "boundary" and form.is_valid():
        boundary = services.parse_boundary(form.cleaned_data["boundary_file"].read())
        services.agency_boundary_update(agency=agency, boundary=boundary, actor=actor, request=request)
        return "Boundary saved."
    return None


def _show_refusal(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form it concerns: next to the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@limit_uploads(lambda: services.BOUNDARY_MAX_FILE_BYTES, "The boundary file")
@staff_required(Permission.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=request.user.agency_id)
    if request.method == "POST" and (prompt := fresh_mfa_prompt(request)):
        return prompt
    refusal = upload_refusal(request)
    action = request.POST.get("action")
    settings_forms = _settings_forms(request, agency, action)
    form = settings_forms.get(action or "")
    if form is not None:
        try:
            if action == "boundary" and refusal:
                form.is_valid()
                form.errors.pop("boundary_file", None)
                raise ValidationError(refusal)
            if done := _settings_action(request, agency, action, form):
                messages.success(request, done)
                return redirect("administration:settings")
        except ValidationError as error:
            _show_refusal(form, error)
    return render(
        request,
        "administration/settings.html",
        {
            "agency": agency,
            "settings_form": settings_forms["settings"],
            "limits_form": settings_forms["registration_limits"],
            "terms_form": settings_forms["terms"],
            "offense_form": settings_forms["offense"],
            "boundary_form": settings_forms["boundary"],
            "terms": agency.terms_versions.all()[:10],
            "offenses": OffenseType.objects.filter(agency=agency),
            "boundary_json": json.dumps(agency.boundary),
        },
        status=413 if refusal else 200,
    )


@staff_required(Permission.MANAGE_SETTINGS)
@require_POST
@fresh_mfa_required
def offense_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    offense = get_object_or_404(OffenseType, pk=pk, agency_id=request.user.agency_id)
    services.offense_type_deactivate(offense=offense, actor=request.user, request=request)
    messages.success(request, f"'{offense.name}' is no longer offered as a search purpose.")
    return redirect("administration:settings")


# ---------------------------------------------------------------- dashboard and transparency


@staff_required(Permission.VIEW_DASHBOARD)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    agency = get_object_or_404(Agency, pk=request.user.agency_id)
    stats = selectors.program_stats(agency)
    cells = selectors.grid_cells(selectors.coverage_points(agency), 250)
    charts = {
        "new": bar_chart(stats["new_per_month"], "New registrations per month"),
        "status": bar_chart([(str(label), value) for label, value in stats["by_status"]], "Registrations by status"),
        "searches": bar_chart(stats["searches_per_month"], "Canvass searches per month"),
        "requests": bar_chart(stats["requests"]["per_month"], "Footage requests per month")
        if stats["requests"]
        else "",
    }
    return render(
        request,
        "administration/dashboard.html",
        {
            "agency": agency,
            "stats": stats,
            "charts": charts,
            "cells_json": json.dumps(cells),
            "boundary_json": json.dumps(agency.boundary),
        },
    )


def _public_agency(request: HttpRequest) -> Agency | None:
    slug = request.GET.get("agency", "")
    if not slug:
        return None
    # A slug is letters, digits and dashes; anything else (a NUL byte included, which PostgreSQL refuses) is no agency.
    agency = Agency.objects.filter(slug=slug).first() if re.fullmatch(r"[-a-zA-Z0-9_]{1,60}", slug) else None
    if agency is None:
        raise Http404
    return agency


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    agency = _public_agency(request)
    stats = selectors.program_stats(agency)
    cells = selectors.public_coverage_cells(agency)
    _name_areas(cells)
    charts = {
        "new": bar_chart(stats["new_per_month"], _("New registrations per month")),
        "searches": bar_chart(stats["searches_per_month"], _("Canvass searches per month")),
    }
    return render(
        request,
        "administration/transparency.html",
        {
            "agency": agency,
            "agencies": Agency.objects.order_by("name"),
            "stats": stats,
            "charts": charts,
            "cells": cells,
            "cells_json": json.dumps(cells),
            "minimum": selectors.PUBLIC_CELL_MINIMUM,
            "cell_m": selectors.PUBLIC_CELL_M,
            "year": timezone.localdate().year,
        },
    )


def _area_name(streets: list[str]) -> str:
    if len(streets) >= 2:
        return _("Around %(first)s and %(second)s") % {"first": ", ".join(streets[:-1]), "second": streets[-1]}
    if streets:
        return _("Around %(street)s") % {"street": streets[0]}
    return _("An area with no named streets")


def _name_areas(cells: list[dict]) -> None:
    """Each area by its two main streets; more of its streets where two areas would read the same."""
    taken: set[str] = set()
    for cell in cells:
        streets = cell.pop("streets")
        for count in range(2, max(len(streets), 2) + 1):
            name = _area_name(streets[:count])
            if name not in taken:
                break
        number = 2
        while name in taken:
            name, number = f"{_area_name(streets[:2])} ({number})", number + 1
        taken.add(name)
        cell["name"] = name


@require_GET
def transparency_report(request: HttpRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    agency = _public_agency(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transparency-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(name) for name in selectors.YEARLY_REPORT_HEADER])
    for row in selectors.yearly_report_rows(agency, year):
        writer.writerow([safe_cell(cell) for cell in row])
    return response
