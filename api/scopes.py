"""What an API token may be given, and which staff permissions each scope stands for.

A token acts through the same chokepoint as staff (accounts.access.has_permission): the
permissions of its scopes replace the role's, and nothing else changes.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.access import ROLE_PERMISSIONS, Permission

SCOPES: dict[str, tuple[str, frozenset[Permission]]] = {
    "registrations:read": (_("Read registrations (no contact details)"), frozenset({Permission.VIEW_REGISTRATIONS})),
    "contacts:read": (_("Read owners' contact details"), frozenset({Permission.VIEW_CONTACT_DETAILS})),
    "canvass:search": (_("Search for cameras near an incident"), frozenset({Permission.SEARCH_CANVASS})),
    "cases:write": (_("Create and update cases"), frozenset({Permission.SEARCH_CANVASS})),
    "footage:request": (_("Request footage from owners"), frozenset({Permission.REQUEST_FOOTAGE})),
    "footage:read": (_("Read and download received evidence"), frozenset({Permission.DOWNLOAD_EVIDENCE})),
    "webhooks:manage": (_("Manage webhook endpoints"), frozenset()),
}


def permissions_for(scopes) -> frozenset[Permission]:
    """The staff permissions a token with `scopes` holds (unknown scope names give nothing)."""
    held: set[Permission] = set()
    for scope in scopes or ():
        if scope in SCOPES:
            held |= SCOPES[scope][1]
    return frozenset(held)


def scopes_grantable_by(user) -> list[str]:
    """The scopes an administrator may give: those whose permissions their own role holds."""
    role_permissions = ROLE_PERMISSIONS.get(getattr(user, "role", ""), frozenset())
    return [scope for scope, (_label, needed) in SCOPES.items() if needed <= role_permissions]


def scope_choices(user) -> list[tuple[str, str]]:
    return [(scope, f"{scope} — {SCOPES[scope][0]}") for scope in scopes_grantable_by(user)]
