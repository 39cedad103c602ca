from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import Permission, agencies_visible_to, agency_may_use, has_permission
from accounts.models import User
from canvass.models import Case, CaseCamera
from canvass.selectors import requestable_chosen_cameras
from footage.models import EvidenceFile, FootageRequest


def requests_for(user: User, permission: Permission = Permission.REQUEST_FOOTAGE) -> QuerySet[FootageRequest]:
    """Footage requests of the user's own agency only: evidence is never shared across agencies."""
    if not has_permission(user, permission) or not user.agency_id:
        return FootageRequest.objects.none()
    return FootageRequest.objects.filter(agency_id=user.agency_id)


def request_for(user: User, request_id: str | int) -> FootageRequest:
    try:
        return requests_for(user).select_related("case", "registration", "agency").get(pk=int(str(request_id)))
    except (FootageRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def evidence_for(user: User, evidence_id: str | int) -> EvidenceFile:
    if not has_permission(user, Permission.DOWNLOAD_EVIDENCE) or not user.agency_id:
        raise Http404
    try:
        return EvidenceFile.objects.select_related("request__agency", "request__case").get(
            pk=int(str(evidence_id)), request__agency_id=user.agency_id
        )
    except (EvidenceFile.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def evidence_count(footage_request: FootageRequest) -> int:
    return EvidenceFile.objects.filter(request=footage_request).count()


def requestable_case_cameras(user: User, case: Case) -> list[CaseCamera]:
    """The case's chosen cameras whose owners the user may ask for footage now.

    A partner's camera stays chosen after its agreement ends, but drops out here until shared again.
    One rule for the request form and the case page's urgency list: canvass.selectors owns it.
    """
    return requestable_chosen_cameras(user, case)


def with_access_marked(user: User, requests: Iterable[FootageRequest]) -> list[FootageRequest]:
    """The requests, each with `access_ended` set when its owner belongs to an agency no longer sharing with us.

    Pages show such a request without the owner's address or contact; its history and evidence stay.
    """
    visible = set(agencies_visible_to(user, Permission.REQUEST_FOOTAGE))
    marked = list(requests)
    for footage_request in marked:
        registration = footage_request.registration
        ended = registration is not None and registration.agency_id not in visible
        footage_request.access_ended = ended  # type: ignore[attr-defined]  # read by the pages, not a field
    return marked


def request_share_ended(footage_request: FootageRequest) -> bool:
    """True when the owner belongs to another agency whose agreement with the requesting agency has ended.

    A withdrawn owner (no registration) is not a share that ended: that request keeps its own rules.
    """
    registration = footage_request.registration
    return registration is not None and not agency_may_use(
        footage_request.agency_id, registration, Permission.REQUEST_FOOTAGE
    )
