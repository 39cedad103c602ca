from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import Permission, agencies_visible_to, agency_may_use, has_permission
from canvass.models import Case, CaseCamera
from canvass.selectors import requestable_chosen_cameras
from footage.models import EvidenceFile, FootageRequest


def requests_for(user, permission: Permission = Permission.REQUEST_FOOTAGE) -> QuerySet:
    """Footage requests of the user's own agency only: evidence is never shared across agencies."""
    if not has_permission(user, permission) or not user.agency_id:
        return FootageRequest.objects.none()
    return FootageRequest.objects.filter(agency_id=user.agency_id)


def request_for(user, request_id: object) -> FootageRequest:
    try:
        return requests_for(user).select_related("case", "registration", "agency").get(pk=int(str(request_id)))
    except (FootageRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def evidence_for(user, evidence_id: object) -> EvidenceFile:
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


def requestable_case_cameras(user, case: Case) -> list[CaseCamera]:
    """The case's chosen cameras whose owners the user may ask for footage now.

    A partner's camera stays chosen after its agreement ends, but drops out here until shared again.
    One rule for the request form and the case page's urgency list: canvass.selectors owns it.
    """
    return requestable_chosen_cameras(user, case)


def with_access_marked(user, requests) -> list[FootageRequest]:
    """The requests, each with `access_ended` set when its owner belongs to an agency no longer sharing with us.

    Pages show such a request without the owner's address or contact; its history and evidence stay.
    """
    visible = set(agencies_visible_to(user, Permission.REQUEST_FOOTAGE))
    marked = list(requests)
    for footage_request in marked:
        registration = footage_request.registration
        footage_request.access_ended = registration is not None and registration.agency_id not in visible
    return marked


def request_share_ended(footage_request: FootageRequest) -> bool:
    """True when the owner belongs to another agency whose agreement with the requesting agency has ended.

    A withdrawn owner (no registration) is not a share that ended: that request keeps its own rules.
    """
    registration = footage_request.registration
    return registration is not None and not agency_may_use(
        footage_request.agency_id, registration, Permission.REQUEST_FOOTAGE
    )
