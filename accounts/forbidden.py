"""The 403 page a signed-in staff member sees: the staff layout, naming the role a page needs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import is_mfa_verified, password_change_pending
from accounts.models import Role
from accounts.permissions import Permission, roles_with


def staff_forbidden_response(request: HttpRequest, exception: Exception | None) -> HttpResponse | None:
    """The staff 403 page for a signed-in, verified staff member; None for anyone else (the public page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_mfa_verified(user) or password_change_pending(user):
        return None
    permission = getattr(exception, "permission", None)
    roles = [Role(role).label for role in roles_with(permission)] if isinstance(permission, Permission) else []
    context = {
        "permission_label": permission.label if isinstance(permission, Permission) else "",
        "roles_needed": roles,
        "own_role": user.get_role_display() if user.role in Role.values else "",
    }
    return render(request, "staff/forbidden.html", context, status=403)
