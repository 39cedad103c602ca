"""Staff reads of registrations that the audit log records: the list, one registration, its contacts.

Reads are selectors (registrations.selectors); these wrap them with the audit entries SECURITY.md
asks for (who looked at which residents), so the pages only render.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from accounts.access import Permission, sharing_use_check, sharing_uses_record
from audit.services import audit_record
from registrations.models import Registration
from registrations.selectors import RegistrationFilters, registration_for, registration_list


def registration_list_read(
    *, user, filters: RegistrationFilters, page_number: str | None, page_size: int, request: HttpRequest | None = None
) -> Page:
    """One page of the registrations the user may see, audited with the filters and the page number."""
    page = Paginator(registration_list(user, filters), page_size).get_page(page_number)
    audit_record(
        action="registration.list",
        actor=user,
        object_type="registration",
        parameters={**filters.as_parameters(), "page": page.number},
        request=request,
    )
    agency_ids = {registration.agency_id for registration in page.object_list}
    sharing_uses_record(user=user, agency_ids=agency_ids, action="registration.list", request=request)
    return page


def registration_read(*, user, public_id, request: HttpRequest | None = None) -> Registration:
    """One registration without contact details (Http404 outside the user's reach), audited."""
    registration = registration_for(user, public_id)
    sharing_use_check(user, registration, request)
    audit_record(
        action="registration.view",
        actor=user,
        object_type="registration",
        object_id=str(registration.public_id),
        request=request,
    )
    return registration


def registration_contact_read(*, user, public_id, request: HttpRequest | None = None) -> Registration:
    """One registration whose contact details are about to be shown, audited as a contact view.

    It must be visible for contact details: a share of "view registrations" alone does not reveal owners.
    """
    registration = registration_for(user, public_id, Permission.VIEW_CONTACT_DETAILS)
    sharing_use_check(user, registration, request)
    audit_record(
        action="registration.contact_view",
        actor=user,
        object_type="registration",
        object_id=str(registration.public_id),
        request=request,
    )
    return registration
