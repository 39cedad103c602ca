from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import Permission, has_permission
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
