"""The role matrix: the roles, the permissions, which role holds which, and what agencies may lend.

Data only, imported by the models and by `accounts.access` (which decides with it), so neither
needs the other.
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    INVESTIGATOR = "investigator", _("Investigator")
    AUDITOR = "auditor", _("Auditor")
    # Oversees the whole deployment (e.g. the county or state): every agency's audit log, no agency of its own.
    DEPLOYMENT_AUDITOR = "deployment_auditor", _("Deployment auditor")


# The roles an agency's administrator may give; a deployment auditor is made with manage.py create_deployment_auditor.
AGENCY_ROLES = [(value, label) for value, label in Role.choices if value != Role.DEPLOYMENT_AUDITOR]


class Permission(enum.StrEnum):
    VIEW_REGISTRATIONS = "view_registrations"
    VIEW_CONTACT_DETAILS = "view_contact_details"
    SEARCH_CANVASS = "search_canvass"
    EXPORT_DATA = "export_data"
    REQUEST_FOOTAGE = "request_footage"
    DOWNLOAD_EVIDENCE = "download_evidence"
    VERIFY_REGISTRATIONS = "verify_registrations"
    IMPORT_DATA = "import_data"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_STAFF = "manage_staff"
    MANAGE_SHARING = "manage_sharing"
    VIEW_AUDIT_LOG = "view_audit_log"
    # Every agency's entries and those of no agency: the deployment auditor's alone.
    VIEW_ALL_AUDIT_LOG = "view_all_audit_log"
    VIEW_DASHBOARD = "view_dashboard"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


_INVESTIGATOR = frozenset(
    {
        Permission.VIEW_REGISTRATIONS,
        Permission.VIEW_CONTACT_DETAILS,
        Permission.SEARCH_CANVASS,
        Permission.EXPORT_DATA,
        Permission.REQUEST_FOOTAGE,
        Permission.DOWNLOAD_EVIDENCE,
        Permission.VIEW_DASHBOARD,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMINISTRATOR.value: frozenset(Permission) - {Permission.VIEW_ALL_AUDIT_LOG},
    Role.SUPERVISOR.value: _INVESTIGATOR | {Permission.VERIFY_REGISTRATIONS, Permission.VIEW_AUDIT_LOG},
    Role.INVESTIGATOR.value: _INVESTIGATOR,
    # Auditors oversee the program; they never see residents or search for cameras.
    Role.AUDITOR.value: frozenset({Permission.VIEW_AUDIT_LOG, Permission.VIEW_DASHBOARD}),
    # Oversight across agencies: reads the whole audit log and nothing else (no dashboard: it maps registrations).
    Role.DEPLOYMENT_AUDITOR.value: frozenset({Permission.VIEW_AUDIT_LOG, Permission.VIEW_ALL_AUDIT_LOG}),
}

# What one agency may lend another: reading and finding registrations, never administration.
SHAREABLE_PERMISSIONS: tuple[Permission, ...] = (
    Permission.VIEW_REGISTRATIONS,
    Permission.VIEW_CONTACT_DETAILS,
    Permission.SEARCH_CANVASS,
    Permission.REQUEST_FOOTAGE,
)


def roles_with(permission: Permission) -> list[str]:
    """The roles (values, in the matrix's order) whose permissions include `permission`."""
    return [role for role, permissions in ROLE_PERMISSIONS.items() if Permission(permission) in permissions]
