"""Staff pages for registrations: a filtered list and a detail page with contact details on request."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.access import Permission, has_permission, staff_required
from registrations import audited_reads, display
from registrations.models import Status
from registrations.selectors import RegistrationFilters

PAGE_SIZE = 25


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *Status.choices], required=False)
    verified = forms.ChoiceField(
        label=_("Verified"),
        choices=[("", _("Either")), ("yes", _("Verified")), ("no", _("Not verified"))],
        required=False,
    )
    street = forms.CharField(label=_("Street contains"), max_length=100, required=False)
    min_cameras = forms.IntegerField(label=_("At least this many cameras"), min_value=0, max_value=1000, required=False)
    max_cameras = forms.IntegerField(label=_("At most this many cameras"), min_value=0, max_value=1000, required=False)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_cameras"), cleaned.get("max_cameras")
        if low is not None and high is not None and low > high:
            self.add_error("max_cameras", _("The most cameras must not be less than the fewest."))
        return cleaned

    def filters(self) -> RegistrationFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return RegistrationFilters(
            status=data.get("status") or "",
            verified=data.get("verified") or "",
            street=(data.get("street") or "").strip(),
            min_cameras=data.get("min_cameras"),
            max_cameras=data.get("max_cameras"),
        )


@staff_required(Permission.VIEW_REGISTRATIONS)
def registration_list_view(request: HttpRequest) -> HttpResponse:
    form = RegistrationFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else RegistrationFilters()
    page = audited_reads.registration_list_read(
        user=request.user, filters=filters, page_number=request.GET.get("page"), page_size=PAGE_SIZE, request=request
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/registration_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "own_agency_id": request.user.agency_id},
    )


def _render_detail(request: HttpRequest, registration, *, show_contact: bool) -> HttpResponse:
    return render(
        request,
        "staff/registration_detail.html",
        {
            "registration": registration,
            "cameras": display.cameras_with_facts(registration),
            "is_business": display.is_business(registration),
            "reports": registration.status_reports.all(),
            "can_see_contact": has_permission(request.user, Permission.VIEW_CONTACT_DETAILS),
            "show_contact": show_contact,
            "shared": registration.agency_id != request.user.agency_id,
        },
    )


@staff_required(Permission.VIEW_REGISTRATIONS)
def registration_detail_view(request: HttpRequest, public_id) -> HttpResponse:
    registration = audited_reads.registration_read(user=request.user, public_id=public_id, request=request)
    return _render_detail(request, registration, show_contact=False)


@require_POST
@staff_required(Permission.VIEW_CONTACT_DETAILS)
def registration_contact_view(request: HttpRequest, public_id) -> HttpResponse:
    """Contact details shown only after a deliberate POST, and audited as such."""
    registration = audited_reads.registration_contact_read(user=request.user, public_id=public_id, request=request)
    return _render_detail(request, registration, show_contact=True)
