"""API reads about cases, searches and footage, built only on canvass and footage selectors (the chokepoint)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import Permission, has_permission
from accounts.models import User
from agencies.models import OffenseType
from canvass import selectors as canvass_selectors
from canvass.models import Case, CaseCamera
from footage import selectors as footage_selectors
from footage.models import FootageRequest


def offense_type_reference(user: User, value: int | str) -> int | str:
    """The id the search service checks: an id as given, a name (any case) of the agency's list as its id.

    A name the list lacks is passed on unchanged, so the service answers exactly as the page does.
    """
    if isinstance(value, int):
        return value
    text = value.strip()
    if text.isdigit() or user.agency_id is None:
        return text
    found = (
        OffenseType.objects.filter(agency_id=user.agency_id, name__iexact=text)
        .order_by("-active", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return found if found is not None else text


def chosen_camera_ids(case: Case) -> set[int]:
    """What the results page marks as already chosen for the case."""
    return set(CaseCamera.objects.filter(case=case).values_list("camera_id", flat=True))


def case_chosen_cameras(user: User, case: Case) -> list[CaseCamera]:
    """The case's chosen cameras the user may still search (the case page's list): a revoked partner's drop out."""
    return list(
        CaseCamera.objects.filter(case=case, camera__registration__in=canvass_selectors.searchable_registrations(user))
        .select_related("camera", "camera__registration")
        .order_by("chosen_at", "pk")
    )


def cases_page(user: User, status: str, page: int, page_size: int) -> tuple[list[Case], bool]:
    """One page of the user's agency's cases, newest first, and whether another page follows."""
    queryset: QuerySet = canvass_selectors.cases_for(user).select_related("offense_type")
    if status:
        queryset = queryset.filter(status=status)
    start = (page - 1) * page_size
    rows = list(queryset.order_by("-created_at", "-pk")[start : start + page_size + 1])
    return rows[:page_size], len(rows) > page_size


def chosen_ids_for_cameras(case: Case, camera_ids: list[int]) -> tuple[list[int], list[int]]:
    """The case's chosen-camera ids for these camera ids, and the camera ids not chosen for the case.

    No access check here: footage_request_create checks every chosen camera against the chokepoint.
    """
    chosen = dict(CaseCamera.objects.filter(case=case, camera_id__in=camera_ids).values_list("camera_id", "pk"))
    return [chosen[c] for c in camera_ids if c in chosen], [c for c in camera_ids if c not in chosen]


def case_requests(user: User, case: Case) -> list[FootageRequest]:
    """The case's footage requests (the case's requests page), each with `access_ended` marked."""
    requests = (
        footage_selectors.requests_for(user)
        .filter(case=case)
        .select_related("registration", "case")
        .prefetch_related("events", "evidence")
        .order_by("-created_at", "-pk")
    )
    return footage_selectors.with_access_marked(user, requests)


def request_detail(user: User, request_id: str | int) -> FootageRequest:
    footage_request = footage_selectors.request_for(user, request_id)
    return footage_selectors.with_access_marked(user, [footage_request])[0]


def request_with_evidence(user: User, request_id: str | int) -> FootageRequest:
    """A request of the user's agency, for someone who may download its evidence (footage:read)."""
    try:
        return (
            footage_selectors.requests_for(user, Permission.DOWNLOAD_EVIDENCE)
            .select_related("case")
            .prefetch_related("evidence")
            .get(pk=int(str(request_id)))
        )
    except (FootageRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def case_searches(case: Case) -> list:
    """The case's searches, newest first (the case page's list)."""
    return list(case.searches.order_by("-created_at", "-pk"))


def case_for_footage(user: User, case_id: str | int) -> Case:
    """A case of the user's agency, for someone who may request footage (the case's requests page)."""
    agency_id = user.agency_id
    if not has_permission(user, Permission.REQUEST_FOOTAGE) or agency_id is None:
        raise Http404
    try:
        return Case.objects.select_related("agency", "offense_type").get(pk=int(str(case_id)), agency_id=agency_id)
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def default_request_window(case: Case):
    """What the request form starts from: the window of the case's latest search (None without one)."""
    return canvass_selectors.case_search_window(case)
