"""The printable canvass sheet: the investigator's top N addresses with their owners' contacts, in walking order.

Showing owners' contacts is a write: the one service here checks the permission and the size asked for,
then records exactly the registrations printed (and, for partner agencies' ones, the sharing use).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.access import Permission, has_permission, sharing_uses_record
from audit.services import audit_record
from canvass import grouping, ranking
from canvass.models import CanvassSearch
from canvass.selectors import search_area
from canvass.services import SearchResult, contact_details_of, run_ranked
from registrations.models import Registration
from registrations.selectors import registrations_for

DEFAULT_SHEET_ADDRESSES = 40
MAX_SHEET_ADDRESSES = 200


@dataclass
class SheetStop:
    """One door to knock on: the address's ranked cameras, its registration and the owner's contacts."""

    address: grouping.AddressRow
    registration: Registration
    contact: dict


def clean_sheet_size(value: object) -> int:
    """How many addresses the sheet covers: absent or blank means the default; else a whole number 1..200."""
    text = "" if value is None else str(value).strip()
    if not text:
        return DEFAULT_SHEET_ADDRESSES
    # ASCII digits only, and few of them: "-1", "1e9", "abc", NUL and 5,000-digit numbers are all refused.
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else 0
    if not 1 <= number <= MAX_SHEET_ADDRESSES:
        raise ValidationError(
            {
                "addresses": _("Addresses on the sheet: give a whole number from 1 to %(most)s.")
                % {"most": MAX_SHEET_ADDRESSES}
            }
        )
    return number


def canvass_sheet_prepare(
    *,
    user,
    search: CanvassSearch,
    addresses: object = DEFAULT_SHEET_ADDRESSES,
    request: HttpRequest | None = None,
) -> tuple[SearchResult, list[SheetStop]]:
    """The top `addresses` addresses (by their best camera's rank) whose contacts the user may see, in walking
    order from the incident, each with its cameras and contacts; audited as one access listing exactly those.

    `search` comes from selectors.search_for. Raises ValidationError for a bad size before anything is read.
    """
    if not has_permission(user, Permission.VIEW_CONTACT_DETAILS):
        raise PermissionDenied
    size = clean_sheet_size(addresses)
    result = run_ranked(user, search_area(search), search.window_start)
    result.search = search
    rows = grouping.group_by_address(result)
    contactable = registrations_for(user, Permission.VIEW_CONTACT_DETAILS)
    visible = set(
        contactable.filter(pk__in=[row.registration_id for row in rows]).values_list("pk", flat=True).iterator()
    )
    top = [row for row in rows if row.registration_id in visible][:size]
    registrations = contactable.select_related("agency").in_bulk([row.registration_id for row in top])
    order = ranking.walking_order(
        (search.latitude, search.longitude),
        [(registrations[row.registration_id].latitude, registrations[row.registration_id].longitude) for row in top],
    )
    stops = []
    for index in order:
        row = top[index]
        registration = registrations[row.registration_id]
        row.notes = registration.notes_for_detectives
        stops.append(SheetStop(address=row, registration=registration, contact=contact_details_of(registration)))
    audit_record(
        action="canvass.sheet",
        actor=user,
        object_type="canvass_search",
        object_id=search.pk,
        parameters={
            "case_number": search.case.case_number,
            "addresses_asked": size,
            "registrations": [str(stop.registration.public_id) for stop in stops],
        },
        request=request,
    )
    sharing_uses_record(
        user=user,
        agency_ids={stop.registration.agency_id for stop in stops},
        action="canvass.sheet",
        object_type="canvass_search",
        object_id=search.pk,
        request=request,
    )
    return result, stops
