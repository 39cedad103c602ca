"""Owner self-service.

The private link from an email: GET only shows a button (mail scanners follow links
and must not use them up); POST consumes the link and opens a session scoped to that
one registration. Every other page goes through `owner_registration`, the chokepoint.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cameraregistry.converters import parse_id
from cameraregistry.crypto import lookup_hash
from cameraregistry.http import client_ip
from cameraregistry.ratelimit import hit
from cameraregistry.signed_links import LinkError
from owners import selectors, services
from owners.forms import (
    ConsentForm,
    LinkRequestForm,
    OwnerCameraForm,
    OwnerCameraFormSet,
    OwnerRegistrationForm,
    StatusReportForm,
)
from owners.middleware import OWNER_SESSION_KEY, owner_session_open
from registrations import display
from registrations import services as registration_services
from registrations.forms import camera_input
from registrations.inputs import registration_input
from registrations.models import Registration
from registrations.services import RegistrationInput, RegistrationRejected
from registrations.tokens import owner_link_check, owner_link_consume

LINK_REQUESTS_PER_ADDRESS_PER_HOUR = 10
LINK_REQUESTS_PER_EMAIL_PER_HOUR = 3


def owner_registration(request: HttpRequest) -> Registration | None:
    """The one registration this browser session may see: the chokepoint for owner pages."""
    registration_id = request.session.get(OWNER_SESSION_KEY)
    if registration_id is None:
        return None
    return Registration.objects.select_related("agency").filter(pk=registration_id).first()


def _session_ended(request: HttpRequest) -> dict:
    """Why the owner's link session just ended (set by OwnerSessionTimeoutMiddleware), for the page to say."""
    return {
        "ended": getattr(request, "owner_session_ended", None),
        "idle_minutes": settings.OWNER_IDLE_TIMEOUT_SECONDS // 60,
        "absolute_hours": settings.OWNER_ABSOLUTE_TIMEOUT_SECONDS // 3600,
    }


def _no_session(request: HttpRequest) -> HttpResponse:
    context = _session_ended(request) | {"form": LinkRequestForm()}
    context["reason"] = "session_ended" if context["ended"] else "no_session"
    return render(request, "owners/link_problem.html", context, status=403)


def _open_session(request: HttpRequest, registration: Registration) -> None:
    request.session.cycle_key()
    owner_session_open(request.session, registration.pk)


def _link_problem(request: HttpRequest, error: LinkError) -> HttpResponse:
    status = 404 if error.reason == "invalid" else 410
    return render(
        request, "owners/link_problem.html", {"reason": error.reason, "form": LinkRequestForm()}, status=status
    )


@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, value: str) -> HttpResponse:
    try:
        if request.method == "GET":
            owner_link_check(value)
            return render(request, "owners/confirm_link.html")
        registration = owner_link_consume(value)
    except LinkError as error:
        return _link_problem(request, error)
    _open_session(request, registration)
    return redirect("owners:dashboard")


@require_http_methods(["GET", "POST"])
def confirm_link(request: HttpRequest, value: str) -> HttpResponse:
    """The yearly reminder's link: one press confirms the details are still right."""
    try:
        if request.method == "GET":
            stored = owner_link_check(value)
            return render(request, "owners/confirm_reconfirm.html", {"registration": stored.registration})
        registration = owner_link_consume(value)
    except LinkError as error:
        return _link_problem(request, error)
    _open_session(request, registration)
    try:
        registration_services.registration_reconfirm(registration=registration, request=request)
    except ValidationError as error:
        return _dashboard(request, registration, problem=error.messages[0], status=409)
    return render(request, "owners/reconfirmed.html", {"registration": registration})


def _dashboard(request: HttpRequest, registration: Registration, *, problem: str = "", status: int = 200):
    return render(
        request,
        "owners/dashboard.html",
        {
            "registration": registration,
            "is_business": display.is_business(registration),
            "cameras": display.cameras_with_facts(registration),
            "consent_needed": registration_services.consent_needed(registration),
            "reports": registration.status_reports.all()[:5],
            "departure": selectors.departure_report(registration),
            "may_reconfirm": selectors.may_reconfirm(registration),
            "may_resume": selectors.may_resume(registration),
            "problem": problem,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return request_link(request)
    return _dashboard(request, registration)


def request_link(request: HttpRequest) -> HttpResponse:
    """Same answer whether or not the email is registered, so nobody can probe who registered."""
    if request.method == "GET":
        context = _session_ended(request) | {"form": LinkRequestForm(), "signed_out": "signed_out" in request.GET}
        return render(request, "owners/request_link.html", context)
    if not hit("owner-link-address", client_ip(request), LINK_REQUESTS_PER_ADDRESS_PER_HOUR, 3600):
        return render(
            request, "owners/request_link.html", {"form": LinkRequestForm(), "rate_limited": True}, status=429
        )
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "owners/request_link.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    # A per-address limit alone would let one visitor flood someone's inbox from many addresses.
    if hit("owner-link-email", lookup_hash(email), LINK_REQUESTS_PER_EMAIL_PER_HOUR, 3600):
        services.owner_link_request(email=email, request=request)
    return render(request, "owners/link_sent.html")


def _camera_inputs(formset) -> list[registration_services.CameraChange]:
    changes = []
    for form in formset.forms:
        if not form.cleaned_data or formset._should_delete_form(form):
            continue
        camera = form.cleaned_data
        changes.append(
            registration_services.CameraChange(
                camera_id=camera.get("camera_id"),
                data=camera_input(camera),
            )
        )
    return changes


def _registration_input(form: OwnerRegistrationForm) -> RegistrationInput:
    # The service places the pin from the address (or keeps the stored one); the confirmations were given at sign-up.
    data = form.cleaned_data
    return registration_input(
        data,
        cameras=[],
        language=data["language"],
        latitude=0.0,
        longitude=0.0,
        confirms_exterior_cameras=True,
        confirms_records_and_keeps_video=True,
    )


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return _no_session(request)
    context = {"registration": registration, "camera_errors": [], "suppress_errors": False}
    camera_kwargs = {"length_units": registration.agency.length_units}
    if request.method == "GET":
        form = OwnerRegistrationForm(initial=OwnerRegistrationForm.initial_for(registration))
        formset = OwnerCameraFormSet(
            prefix="cameras",
            initial=[OwnerCameraForm.initial_for(c, camera_kwargs["length_units"]) for c in registration.cameras.all()],
            form_kwargs=camera_kwargs,
        )
        return render(request, "owners/edit.html", context | {"form": form, "formset": formset})
    data = request.POST.copy()
    if "add_camera" in data:
        total = data.get("cameras-TOTAL_FORMS", "1")
        count = parse_id(total)  # "²".isdigit() is true, and int() refuses 5,000 digits
        data["cameras-TOTAL_FORMS"] = str(min(count + 1, 30) if count else 1)
        context |= {
            "form": OwnerRegistrationForm(data),
            "formset": OwnerCameraFormSet(data, prefix="cameras", form_kwargs=camera_kwargs),
            "suppress_errors": True,
        }
        return render(request, "owners/edit.html", context)
    form = OwnerRegistrationForm(data)
    formset = OwnerCameraFormSet(data, prefix="cameras", form_kwargs=camera_kwargs)
    form_valid, formset_valid = form.is_valid(), formset.is_valid()
    if form_valid and formset_valid:
        try:
            registration_services.registration_owner_update(
                registration=registration,
                data=_registration_input(form),
                cameras=_camera_inputs(formset),
                request=request,
            )
        except RegistrationRejected as rejection:
            for field_name, messages in rejection.message_dict.items():
                for message in messages:
                    if field_name in form.fields:
                        form.add_error(field_name, message)
                    elif field_name == "__all__":
                        form.add_error(None, message)
                    else:
                        context["camera_errors"].append(message)
        else:
            return redirect("owners:dashboard")
    context["camera_errors"] += list(formset.non_form_errors())
    return render(request, "owners/edit.html", context | {"form": form, "formset": formset}, status=400)


@require_http_methods(["GET", "POST"])
def report_status(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return _no_session(request)
    form = StatusReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = services.status_report_create(
            registration=registration, kind=form.cleaned_data["kind"], note=form.cleaned_data["note"], request=request
        )
        return render(request, "owners/status_reported.html", {"registration": registration, "report": report})
    status = 400 if request.method == "POST" else 200
    return render(request, "owners/report_status.html", {"registration": registration, "form": form}, status=status)


@require_POST
def pause(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return _no_session(request)
    registration_services.registration_pause(registration=registration, request=request)
    return redirect("owners:dashboard")


@require_POST
def resume(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return _no_session(request)
    try:
        registration_services.registration_resume(registration=registration, request=request)
    except ValidationError as error:
        return _dashboard(request, registration, problem=error.messages[0], status=409)
    return redirect("owners:dashboard")


@require_POST
def reconfirm(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return _no_session(request)
    try:
        registration_services.registration_reconfirm(registration=registration, request=request)
    except ValidationError as error:
        return _dashboard(request, registration, problem=error.messages[0], status=409)
    return render(request, "owners/reconfirmed.html", {"registration": registration})


@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return _no_session(request)
    terms = registration_services.consent_needed(registration)
    if terms is None:
        return redirect("owners:dashboard")
    form = ConsentForm(request.POST or None, initial={"terms_version": terms.pk})
    if request.method == "POST" and form.is_valid():
        try:
            registration_services.registration_reconsent(
                registration=registration, terms_version_id=form.cleaned_data["terms_version"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            return redirect("owners:dashboard")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "owners/consent.html", {"registration": registration, "terms": terms, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return _no_session(request)
    if request.method == "GET":
        return render(request, "owners/withdraw.html", {"registration": registration})
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "owners/withdraw.html",
            {"registration": registration, "error": _("Tick the box to confirm you want your registration erased.")},
            status=400,
        )
    had_email = bool(registration.owner_email)
    registration_services.registration_withdraw(registration=registration, request=request)
    request.session.flush()
    return render(request, "owners/withdrawn.html", {"had_email": had_email})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect(f"{reverse('owners:dashboard')}?signed_out=1")
