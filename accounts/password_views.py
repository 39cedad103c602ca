"""Staff passwords: change one's own, an administrator's reset, and the sign-in's "forgot" page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import passwords, services, throttle
from accounts.access import Permission, fresh_mfa_required, staff_required
from accounts.forms import PasswordChangeForm, PasswordForgotForm
from accounts.models import Role, User
from accounts.views import _is_locked, _locked_response, _managed_user, _throttled_response
from cameraregistry.http import client_ip
from cameraregistry.ratelimit import hit

# "Forgot your password?" requests audited per client address and hour; more are answered the same, unrecorded.
PASSWORD_HELP_PER_HOUR = 5


def _change_failed(request: HttpRequest, user: User, reason: str) -> HttpResponse | None:
    """A wrong current password or code: audited, and counted like a failed sign-in (address throttle, lockout)."""
    passwords.staff_password_change_failed(user=user, reason=reason, request=request)
    throttle.address_failure_record(request)
    user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
    if getattr(request, "axes_locked_out", False) or _is_locked(request, user.username):
        logout(request)
        return _locked_response(request, user.username)
    return None


def _check_secrets(request: HttpRequest, user: User, form: PasswordChangeForm) -> HttpResponse | None:
    """Check the current password, then (only if all else is right) the TOTP code, which a check uses up."""
    old_password = form.cleaned_data.get("old_password")
    if old_password is not None and not user.check_password(old_password):
        form.add_error("old_password", _("Your current password is not right."))
        return _change_failed(request, user, "old_password")
    if form.errors:
        return None
    device = services.totp_device_confirmed(user=user)
    if device is None or not services.totp_verify(device=device, code=form.cleaned_data["code"]):
        form.add_error("code", _("That code is not right, or it was already used. Wait for the next code."))
        return _change_failed(request, user, "totp")
    return None


@staff_required(password_change_page=True)
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST":
        blocked = throttle.address_blocked_seconds(request)
        if blocked:
            # Not evaluated, as at sign-in: a paused address adds nothing to the account's lockout.
            return _throttled_response(request, user.username, blocked)
        if _is_locked(request, user.username):
            logout(request)
            return _locked_response(request, user.username)
        form.is_valid()
        stopped = _check_secrets(request, user, form)
        if stopped is not None:
            return stopped
        if not form.errors:
            ended = passwords.staff_password_change(
                user=user, new_password=form.cleaned_data["new_password1"], request=request
            )
            passwords.session_renew(request=request, user=user)
            if ended:
                messages.success(
                    request,
                    _("Your password is changed. Your %(count)s other sessions were signed out.") % {"count": ended},
                )
            else:
                messages.success(request, _("Your password is changed."))
            return redirect("staff:home")
    return render(request, "staff/password_change.html", {"form": form, "forced": user.must_change_password})


@require_POST
@staff_required(Permission.MANAGE_STAFF)
@fresh_mfa_required
def account_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    member = _managed_user(request, pk)
    if member.pk == request.user.pk:
        messages.error(request, _("Change your own password on the Change password page."))
        return redirect("staff:account_detail", pk=member.pk)
    temporary = passwords.staff_password_reset(actor=request.user, user=member, request=request)
    # Shown in this answer only (no redirect, no-store): the password is not kept anywhere readable.
    return render(
        request,
        "staff/password_reset_done.html",
        {
            "member": member,
            "temporary_password": temporary,
            "locked_out": services.staff_is_locked_out(user=member),
        },
    )


def password_forgot(request: HttpRequest) -> HttpResponse:
    """Whom to ask. Says the same whether or not the username exists; sends nothing."""
    form = PasswordForgotForm(request.POST if request.method == "POST" else None)
    submitted = False
    if request.method == "POST" and form.is_valid():
        submitted = True
        username = form.cleaned_data["username"].strip()
        if username and hit("password-help", client_ip(request), PASSWORD_HELP_PER_HOUR, 3600):
            passwords.staff_password_help_requested(username=username, request=request)
        form = PasswordForgotForm()
    return render(
        request,
        "staff/password_forgot.html",
        {"form": form, "submitted": submitted, "administrator_role": Role.ADMINISTRATOR.label},
    )
