"""Staff sign-in (banner, password, TOTP or recovery code), enrolment, sign-out, home and administration."""

from __future__ import annotations

import datetime as dt
import math

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import auth_events, services, throttle
from accounts.access import (
    MFA_VERIFIED_AT_KEY,
    Permission,
    fresh_mfa_prompt,
    fresh_mfa_required,
    has_permission,
    is_mfa_verified,
    staff_required,
)
from accounts.forms import RecoveryCodeForm, RoleForm, SharingGrantForm, SignInForm, StaffCreateForm, TotpForm
from accounts.middleware import session_stamp
from accounts.models import SharingAgreement, User

PENDING_USER_KEY = "staff_pending_user_id"
PENDING_AT_KEY = "staff_pending_at"
PENDING_BACKEND_KEY = "staff_pending_backend"
NEXT_KEY = "staff_next"
# Between the password and the second factor; long enough to find the phone, short enough to be useless if left.
PENDING_MAX_SECONDS = 5 * 60


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and candidate.startswith("/staff/") and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None):
        return candidate
    return reverse("staff:home")


def _target(username: str) -> User | None:
    return User.objects.select_related("agency").filter(username=username).first() if username else None


def _is_locked(request: HttpRequest, username: str) -> bool:
    target = _target(username)
    if target is not None:
        services.staff_lockout_auto_release(user=target, request=request)
    return AxesProxyHandler.is_locked(request, {"username": username})


def _locked_response(request: HttpRequest, username: str = "") -> HttpResponse:
    target = _target(username)
    ends_at = services.staff_lockout_ends_at(user=target) if target is not None else None
    minutes = math.ceil((ends_at - timezone.now()).total_seconds() / 60) if ends_at else None
    return render(request, "staff/locked_out.html", {"unlock_minutes": minutes}, status=429)


def _throttled_response(request: HttpRequest, username: str, seconds: int) -> HttpResponse:
    auth_events.sign_in_throttled_record(request=request, username=username, target=_target(username), seconds=seconds)
    response = render(request, "staff/throttled.html", {"minutes": max(1, math.ceil(seconds / 60))}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _record_failure(request: HttpRequest, *, username: str, actor: User | None, stage: str, reason: str) -> None:
    """Audit a failed step against the targeted account and its agency (never what was typed as a secret)."""
    target = actor or _target(username)
    throttle.address_failure_record(request)
    auth_events.sign_in_failure_record(
        request=request, username=username, actor=actor, target=target, stage=stage, reason=reason
    )


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER_KEY)
    started = request.session.get(PENDING_AT_KEY)
    if user_id is None or started is None:
        return None
    if timezone.now().timestamp() - float(started) > PENDING_MAX_SECONDS:
        _clear_pending(request)
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER_KEY, PENDING_AT_KEY, PENDING_BACKEND_KEY):
        request.session.pop(key, None)


@transaction.atomic  # the sign-in's own writes (session record, last login) go with its audit entry
def _complete_sign_in(request: HttpRequest, user: User, device, method: str) -> None:
    backend = request.session.get(PENDING_BACKEND_KEY, "django.contrib.auth.backends.ModelBackend")
    _clear_pending(request)
    login(request, user, backend=backend)  # a new session id (no fixation)
    otp_login(request, device)
    session_stamp(request.session, signed_in=True)
    request.session[MFA_VERIFIED_AT_KEY] = timezone.now().timestamp()
    auth_events.sign_in_success_record(request=request, user=user, method=method)


# ----- sign-in --------------------------------------------------------------------


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and is_mfa_verified(request.user):
        return redirect("staff:home")
    form = SignInForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        blocked = throttle.address_blocked_seconds(request)
        if blocked:
            # Not evaluated at all, so a throttled address cannot add to any account's lockout.
            return _throttled_response(request, username, blocked)
        if _is_locked(request, username):
            # Not even checked: a locked account stays locked whatever is typed, and no new failure is counted.
            _record_failure(request, username=username, actor=None, stage="password", reason="locked")
            return _locked_response(request, username)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            _record_failure(request, username=username, actor=None, stage="password", reason="invalid")
            if getattr(request, "axes_locked_out", False):
                return _locked_response(request, username)
            failed = True
        else:
            if request.user.is_authenticated:
                logout(request)
            request.session[PENDING_USER_KEY] = user.pk
            request.session[PENDING_AT_KEY] = timezone.now().timestamp()
            request.session[PENDING_BACKEND_KEY] = user.backend
            request.session[NEXT_KEY] = _safe_next(request, request.POST.get("next"))
            return redirect("staff:mfa")
    return render(
        request,
        "staff/sign_in.html",
        {
            "form": form,
            "failed": failed,
            "expired": request.GET.get("expired") in ("idle", "absolute"),
            "signed_out": "signed_out" in request.GET,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


def mfa(request: HttpRequest) -> HttpResponse:
    """The second step: enrol an authenticator at first sign-in, otherwise check a code."""
    user = _pending_user(request)
    if user is None:
        if request.user.is_authenticated and is_mfa_verified(request.user):
            return redirect("staff:home")
        messages.info(request, _("Sign in with your username and password first."))
        return redirect("staff:sign_in")
    if _is_locked(request, user.username):
        _clear_pending(request)
        return _locked_response(request, user.username)
    blocked = throttle.address_blocked_seconds(request) if request.method == "POST" else 0
    if blocked:
        return _throttled_response(request, user.username, blocked)
    device = services.totp_device_confirmed(user=user)
    if device is None:
        return _enrol(request, user)
    return _verify(request, user, device)


def _code_failed(request: HttpRequest, user: User, stage: str) -> HttpResponse | None:
    """Count a wrong second factor toward the same lockout as a wrong password."""
    _record_failure(request, username=user.username, actor=user, stage=stage, reason="invalid")
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
    if getattr(request, "axes_locked_out", False) or _is_locked(request, user.username):
        _clear_pending(request)
        return _locked_response(request, user.username)
    return None


def _enrol(request: HttpRequest, user: User) -> HttpResponse:
    device = services.totp_device_pending(user=user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_verify(device=device, code=form.cleaned_data["code"]):
            codes = services.mfa_enrol_complete(user=user, device=device, request=request)
            next_url = request.session.pop(NEXT_KEY, reverse("staff:home"))
            _complete_sign_in(request, user, device, method="totp_enrol")
            return render(request, "staff/recovery_codes.html", {"codes": codes, "next_url": next_url})
        locked = _code_failed(request, user, "totp_enrol")
        if locked:
            return locked
        form.add_error("code", _("That code is not right. Check the time on your phone and try the newest code."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request, "staff/mfa_enrol.html", {"form": form, "qr_svg": qr_svg, "secret": secret, "staff_user": user}
    )


def _verify(request: HttpRequest, user: User, device) -> HttpResponse:
    totp_form = TotpForm(request.POST if request.POST.get("method") == "totp" else None)
    recovery_form = RecoveryCodeForm(request.POST if request.POST.get("method") == "recovery" else None)
    if request.method == "POST":
        if totp_form.is_bound and totp_form.is_valid():
            if services.totp_verify(device=device, code=totp_form.cleaned_data["code"]):
                next_url = request.session.pop(NEXT_KEY, reverse("staff:home"))
                _complete_sign_in(request, user, device, method="totp")
                return HttpResponseRedirect(next_url)
            locked = _code_failed(request, user, "totp")
            if locked:
                return locked
            totp_form.add_error("code", _("That code is not right, or it was already used. Wait for the next code."))
        elif recovery_form.is_bound and recovery_form.is_valid():
            if services.recovery_code_consume(user=user, code=recovery_form.cleaned_data["recovery_code"]):
                next_url = request.session.pop(NEXT_KEY, reverse("staff:home"))
                _complete_sign_in(request, user, services.recovery_device(user=user), method="recovery_code")
                remaining = user.recovery_codes.filter(used_at__isnull=True).count()
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code. %(count)s codes remain; ask an administrator to reset your authenticator if you lost it."
                    )
                    % {"count": remaining},
                )
                return HttpResponseRedirect(next_url)
            locked = _code_failed(request, user, "recovery_code")
            if locked:
                return locked
            recovery_form.add_error("recovery_code", _("That recovery code is not right or was already used."))
    return render(
        request, "staff/mfa_verify.html", {"totp_form": totp_form, "recovery_form": recovery_form, "staff_user": user}
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        auth_events.sign_out_record(request=request, user=request.user)
    logout(request)
    return HttpResponseRedirect(f"{reverse('staff:sign_in')}?signed_out=1")


@staff_required()
def mfa_confirm(request: HttpRequest) -> HttpResponse:
    """A fresh authenticator code before a privileged action (accounts.access.fresh_mfa_required)."""
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        blocked = throttle.address_blocked_seconds(request)
        if blocked:
            return _throttled_response(request, user.username, blocked)
        device = services.totp_device_confirmed(user=user)
        verified = device is not None and services.totp_verify(device=device, code=form.cleaned_data["code"])
        auth_events.fresh_mfa_record(request=request, user=user, next_url=next_url, verified=verified)
        if verified:
            request.session[MFA_VERIFIED_AT_KEY] = timezone.now().timestamp()
            return HttpResponseRedirect(next_url)
        # Same counters as the sign-in: a stolen session cannot guess codes here without end.
        throttle.address_failure_record(request)
        user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
        if getattr(request, "axes_locked_out", False) or _is_locked(request, user.username):
            logout(request)
            return _locked_response(request, user.username)
        form.add_error("code", _("That code is not right, or it was already used. Wait for the next code."))
    return render(request, "staff/mfa_confirm.html", {"form": form, "next": next_url, "repeat": False})


# ----- home -----------------------------------------------------------------------


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    links = [
        (
            Permission.VIEW_REGISTRATIONS,
            "/staff/registrations/",
            _("Registrations"),
            _("Browse and filter registered cameras."),
        ),
        (Permission.SEARCH_CANVASS, "/staff/canvass/", _("Canvass"), _("Find cameras near an incident.")),
        (Permission.VIEW_AUDIT_LOG, "/staff/audit/", _("Audit log"), _("Who did what, and when.")),
        (
            Permission.MANAGE_STAFF,
            reverse("staff:accounts"),
            _("Staff accounts"),
            _("Create, disable and unlock accounts."),
        ),
        (
            Permission.MANAGE_SHARING,
            reverse("staff:sharing"),
            _("Sharing agreements"),
            _("Share registrations with another agency."),
        ),
        (
            Permission.VERIFY_REGISTRATIONS,
            reverse("administration:queue"),
            _("Verification queue"),
            _("Verify new and changed registrations; merge duplicates."),
        ),
        (
            Permission.VIEW_DASHBOARD,
            reverse("administration:dashboard"),
            _("Dashboard"),
            _("How the program is doing, in charts."),
        ),
        (
            Permission.IMPORT_DATA,
            reverse("administration:import_upload"),
            _("Import"),
            _("Bring in an existing spreadsheet, with a dry run first."),
        ),
        (Permission.EXPORT_DATA, reverse("administration:export"), _("Export"), _("CSV, GeoJSON and KML for GIS.")),
        (
            Permission.MANAGE_SETTINGS,
            reverse("administration:settings"),
            _("Program settings"),
            _("Terms, offense types, search bounds, retention, boundary."),
        ),
        (
            Permission.MANAGE_STAFF,
            reverse("api_tokens:list"),
            _("API tokens"),
            _("Let dispatch, records or GIS systems use the registry's API for your agency."),
        ),
        (
            Permission.MANAGE_STAFF,
            reverse("webhooks:list"),
            _("Webhooks"),
            _("Tell another system when footage arrives or an owner answers."),
        ),
    ]
    visible = [(url, title, text) for permission, url, title, text in links if has_permission(user, permission)]
    return render(request, "staff/home.html", {"links": visible})


# ----- staff accounts -------------------------------------------------------------


def _managed_user(request: HttpRequest, pk: int) -> User:
    # Administrators manage their own agency's staff only; anyone else is "not found".
    return get_object_or_404(User, pk=pk, agency_id=request.user.agency_id)


@staff_required(Permission.MANAGE_STAFF)
def accounts_list(request: HttpRequest) -> HttpResponse:
    staff = list(User.objects.filter(agency_id=request.user.agency_id).order_by("username"))
    for member in staff:
        member.locked_out = services.staff_is_locked_out(user=member)
        member.has_mfa = services.totp_device_confirmed(user=member) is not None
    return render(request, "staff/accounts_list.html", {"staff": staff})


@staff_required(Permission.MANAGE_STAFF)
@fresh_mfa_required
def account_create(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.staff_create(
                actor=request.user,
                agency=request.user.agency,
                username=data["username"],
                role=data["role"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                badge_number=data["badge_number"],
                request=request,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request,
                _(
                    "Account %(username)s created. At first sign-in they set up their authenticator"
                    " and choose their own password."
                )
                % {"username": created.username},
            )
            return redirect("staff:account_detail", pk=created.pk)
    return render(request, "staff/account_create.html", {"form": form})


@staff_required(Permission.MANAGE_STAFF)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _managed_user(request, pk)
    return render(
        request,
        "staff/account_detail.html",
        {
            "member": member,
            "locked_out": services.staff_is_locked_out(user=member),
            "lockout_ends_at": services.staff_lockout_ends_at(user=member),
            "has_mfa": services.totp_device_confirmed(user=member) is not None,
            "role_form": RoleForm(initial={"role": member.role}),
            "is_self": member.pk == request.user.pk,
        },
    )


@require_POST
@staff_required(Permission.MANAGE_STAFF)
@fresh_mfa_required
def account_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    member = _managed_user(request, pk)
    actor = request.user
    if member.pk == actor.pk and action in ("disable", "role", "mfa-reset"):
        messages.error(request, _("Ask another administrator to change your own account."))
        return redirect("staff:account_detail", pk=member.pk)
    if action == "disable":
        services.staff_disable(actor=actor, user=member, request=request)
        messages.success(request, _("Account disabled and signed out everywhere."))
    elif action == "enable":
        services.staff_enable(actor=actor, user=member, request=request)
        messages.success(request, _("Account enabled."))
    elif action == "lockout-release":
        services.staff_lockout_release(actor=actor, user=member, request=request)
        messages.success(request, _("Lockout released; they can sign in again."))
    elif action == "mfa-reset":
        services.staff_mfa_reset(actor=actor, user=member, request=request)
        messages.success(request, _("Authenticator reset; they will set up a new one at next sign-in."))
    elif action == "role":
        form = RoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the listed roles."))
        else:
            services.staff_role_change(actor=actor, user=member, role=form.cleaned_data["role"], request=request)
            messages.success(request, _("Role changed."))
    else:
        return render(request, "errors/404.html", status=404)
    return redirect("staff:account_detail", pk=member.pk)


# ----- sharing agreements ---------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@staff_required(Permission.MANAGE_SHARING)
def sharing(request: HttpRequest) -> HttpResponse:
    agency = request.user.agency
    if agency is None:
        raise PermissionDenied
    if request.method == "POST" and (prompt := fresh_mfa_prompt(request)):
        return prompt
    form = SharingGrantForm(request.POST or None, own_agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sharing_grant(
                actor=request.user,
                receiving_agency=data["receiving_agency"],
                scope=data["scope"],
                starts_at=_day_start(data["starts_on"]),
                ends_at=_day_start(data["ends_on"]),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Sharing agreement granted."))
            return redirect("staff:sharing")
    now = timezone.now()
    granted = SharingAgreement.objects.filter(granting_agency=agency).select_related("receiving_agency")
    received = SharingAgreement.objects.filter(receiving_agency=agency).select_related("granting_agency")
    return render(request, "staff/sharing.html", {"form": form, "granted": granted, "received": received, "now": now})


@require_POST
@staff_required(Permission.MANAGE_SHARING)
@fresh_mfa_required
def sharing_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(SharingAgreement, pk=pk, granting_agency_id=request.user.agency_id)
    services.sharing_revoke(actor=request.user, agreement=agreement, request=request)
    messages.success(request, _("Sharing agreement revoked; access ended now."))
    return redirect("staff:sharing")
