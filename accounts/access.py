"""Who may do what, and which registrations they may see: the one place access is decided.

Every staff view and API goes through `staff_required` and fetches registrations only
through `registrations.selectors.registrations_for` / `registration_for` (built on
`agencies_visible_to` here), so the role matrix and agency scoping
live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import TotpForm
from accounts.models import SharingAgreement
from accounts.permissions import ROLE_PERMISSIONS, Permission
from agencies.models import Agency
from audit.services import audit_record


def is_mfa_verified(user) -> bool:
    """True once the user has passed a TOTP or recovery-code check in this session (django-otp)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def has_permission(user, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # An integration account acting through an API token (api.authentication): the token's scopes, nothing more.
    api_permissions = getattr(user, "api_permissions", None)
    if api_permissions is not None:
        return Permission(permission) in api_permissions
    if not is_mfa_verified(user):
        return False
    return Permission(permission) in ROLE_PERMISSIONS.get(user.role, frozenset())


class StaffPermissionDenied(PermissionDenied):
    """A signed-in staff member's role lacks `permission` (None: the role has no staff pages at all)."""

    def __init__(self, permission: Permission | None = None) -> None:
        super().__init__(permission.value if permission is not None else "")
        self.permission = permission


def password_change_pending(user) -> bool:
    """True while the account holds a temporary password (new account or administrator's reset).

    Such a user, once signed in with password and TOTP, reaches only the change-password page.
    """
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "must_change_password", False))


def staff_sign_in_url(request: HttpRequest) -> str:
    return f"{reverse('staff:sign_in')}?{urlencode({'next': request.get_full_path()})}"


def staff_required(permission: Permission | None = None, *, password_change_page: bool = False) -> Callable:
    """Anonymous, inactive or MFA-unverified -> the staff sign-in (or MFA step); no permission -> 403.

    A user who must change a temporary password is sent to the change-password page from every
    other staff page (`password_change_page=True` marks that page).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated or not user.is_active:
                return HttpResponseRedirect(staff_sign_in_url(request))
            if not is_mfa_verified(user):
                return HttpResponseRedirect(reverse("staff:mfa"))
            if password_change_pending(user) and not password_change_page:
                return HttpResponseRedirect(reverse("staff:password_change"))
            if not user.role or user.role not in ROLE_PERMISSIONS:
                raise StaffPermissionDenied(None)
            if permission is not None and not has_permission(user, permission):
                raise StaffPermissionDenied(Permission(permission))
            return view(request, *args, **kwargs)

        wrapped.staff_permission = permission  # type: ignore[attr-defined]  # read by tests and the URL audit
        return wrapped

    return decorator


def agencies_visible_to(user, permission: Permission) -> list[int]:
    """The user's own agency plus every agency whose active agreement with it covers `permission`."""
    if not has_permission(user, permission) or not user.agency_id:
        return []
    return [user.agency_id, *agencies_sharing_with(user.agency_id, permission)]


def sharing_use_check(user, registration, request: HttpRequest | None = None) -> None:
    """Audit every use of another agency's registration through a sharing agreement.

    The entry names the granting agency as `data_agency`, so its auditors see the use too.
    """
    if registration.agency_id == getattr(user, "agency_id", None):
        return
    audit_record(
        action="sharing.use",
        actor=user,
        data_agency=registration.agency,
        object_type="registration",
        object_id=str(registration.public_id),
        parameters={"granting_agency": registration.agency_id, "path": request.path if request is not None else ""},
        request=request,
    )


# ----- access at the time of use -------------------------------------------------------------
# A case's chosen cameras and a footage request remember a registration, never the right to use
# it: every path that starts from one asks again here, so a revoked agreement, or one whose end
# date has passed, ends access at once without any job.


def agencies_sharing_with(agency_id: int, permission: Permission) -> list[int]:
    """Other agencies whose agreement with `agency_id` is active now and covers `permission`."""

    now = timezone.now()
    agreements = SharingAgreement.objects.filter(
        receiving_agency_id=agency_id, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    ).values_list("granting_agency_id", "scope")
    # Scope is a small JSON list; filtering it in Python keeps SQLite and PostgreSQL identical.
    shared = {granting for granting, scope in agreements if Permission(permission).value in (scope or [])}
    return sorted(shared - {agency_id})


def agencies_receiving_from(agency_id: int, permission: Permission) -> list[int]:
    """Other agencies to which `agency_id` lends `permission` by an agreement active now (the reverse of the above)."""
    now = timezone.now()
    agreements = SharingAgreement.objects.filter(
        granting_agency_id=agency_id, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    ).values_list("receiving_agency_id", "scope")
    receiving = {agency for agency, scope in agreements if Permission(permission).value in (scope or [])}
    return sorted(receiving - {agency_id})


def agency_may_use(agency_id: int | None, registration, permission: Permission) -> bool:
    """Whether an agency may use a registration for `permission` now: its own, or lent by an active agreement.

    For checks with nobody signed in behind them: an owner's private link, a background email task.
    """
    if registration is None or not agency_id:
        return False
    return registration.agency_id == agency_id or registration.agency_id in agencies_sharing_with(agency_id, permission)


# ----- fresh second factor before privileged actions -------------------------------

# Unix time of the last TOTP or recovery-code check in this session (sign-in or confirm page).
MFA_VERIFIED_AT_KEY = "staff_mfa_verified_at"


def mfa_is_fresh(request: HttpRequest) -> bool:
    """True when this session passed a second-factor check within STAFF_FRESH_MFA_SECONDS."""
    verified_at = request.session.get(MFA_VERIFIED_AT_KEY)
    if verified_at is None:
        return False
    return timezone.now().timestamp() - float(verified_at) < settings.STAFF_FRESH_MFA_SECONDS


def fresh_mfa_prompt(request: HttpRequest) -> HttpResponse | None:
    """None when the session's second factor is fresh; otherwise the response that asks for a code.

    A GET is sent to the confirm page and back. A POST is never replayed (its body may be a
    role change or a revocation): the confirm page is shown and the user repeats the action.
    """
    if mfa_is_fresh(request):
        return None
    if request.method in ("GET", "HEAD"):
        return HttpResponseRedirect(f"{reverse('staff:mfa_confirm')}?{urlencode({'next': request.get_full_path()})}")
    referer = request.META.get("HTTP_REFERER", "")
    next_url = referer if _is_staff_path(request, referer) else reverse("staff:home")
    return render(
        request,
        "staff/mfa_confirm.html",
        {"form": TotpForm(), "next": _staff_path(next_url), "repeat": True},
        status=403,
    )


def _is_staff_path(request: HttpRequest, url: str) -> bool:
    path = _staff_path(url)
    return path.startswith("/staff/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _staff_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def fresh_mfa_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Put under `staff_required`: the view runs only after a second-factor check in the last 15 minutes."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        prompt = fresh_mfa_prompt(request)
        if prompt is not None:
            return prompt
        return view(request, *args, **kwargs)

    wrapped.fresh_mfa = True  # type: ignore[attr-defined]
    return wrapped


def sharing_uses_record(
    *,
    user,
    agency_ids: Iterable[int],
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    request: HttpRequest | None = None,
) -> None:
    """Audit a bulk use (search, sheet, export, chosen camera, footage request) of other agencies' registrations.

    One "sharing.use" entry per agency among `agency_ids` other than the user's own, naming it as
    `data_agency` (so its auditors see the use) and the action in `parameters["use"]`.
    """
    own = getattr(user, "agency_id", None)
    others = sorted({int(agency_id) for agency_id in agency_ids if agency_id is not None} - {own})
    if not others:
        return
    for agency in Agency.objects.filter(pk__in=others).order_by("pk"):
        audit_record(
            action="sharing.use",
            actor=user,
            data_agency=agency,
            object_type=object_type,
            object_id=object_id,
            parameters={
                "use": action,
                "granting_agency": agency.pk,
                "path": request.path if request is not None else "",
            },
            request=request,
        )


def may_import_for(user, agency_id: int) -> bool:
    """Whether `user` may import registrations for `agency_id`: its own agency with the import permission,
    or one whose active agreement with it covers importing. For queued imports too: the role and the
    agreements are read when the import runs (the second factor was checked when it was queued).
    """
    if user is None or not getattr(user, "is_active", False) or not user.agency_id:
        return False
    if Permission.IMPORT_DATA not in ROLE_PERMISSIONS.get(user.role, frozenset()):
        return False
    return agency_id == user.agency_id or agency_id in agencies_sharing_with(user.agency_id, Permission.IMPORT_DATA)
