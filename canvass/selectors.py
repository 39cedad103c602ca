"""Reads for canvass searches. Registrations always come from registrations.selectors.registrations_for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Min, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.access import Permission, agencies_visible_to, has_permission
from accounts.models import User
from agencies.models import Agency, OffenseType, is_forbidden_purpose
from cameraregistry.wall_clock import days_later_on_the_clock
from canvass.candidates import CameraDetailsLookup, prepared_facts
from canvass.models import CanvassSearch, Case, CaseCamera
from canvass.ranking import POLYGON, CameraFacts, SearchArea
from registrations.models import Registration
from registrations.selectors import registrations_for, registrations_of


def searchable_registrations(user: User) -> QuerySet[Registration]:
    return registrations_for(user, Permission.SEARCH_CANVASS)


def search_candidates(user: User, area: SearchArea) -> tuple[list[CameraFacts], CameraDetailsLookup]:
    """The cameras a user's canvass search ranks, and their details (read on demand).

    Facts come from the prepared query over the agencies the access rule names (agencies_visible_to); details
    and notes from the chokepoint's queryset of the same answer (registrations_of), so the rule is asked once.
    """
    agency_ids = agencies_visible_to(user, Permission.SEARCH_CANVASS)
    registrations = registrations_of(agency_ids)  # what searchable_registrations(user) is, asked once
    facts = prepared_facts(agency_ids, area, registrations.db)
    return facts, CameraDetailsLookup(registrations, area, agency_ids)


def detective_notes(user: User, registration_ids: Iterable[int]) -> dict[int, str]:
    """The notes each owner left for detectives, for the given registrations the user can search."""
    return dict(
        searchable_registrations(user)
        .filter(pk__in=list(registration_ids))
        .exclude(notes_for_detectives="")
        .values_list("pk", "notes_for_detectives")
    )


def cases_for(user: User) -> QuerySet[Case]:
    """Cases belong to the investigator's own agency; nobody else's are reachable."""
    if not has_permission(user, Permission.SEARCH_CANVASS) or not user.agency_id:
        return Case.objects.none()
    return Case.objects.filter(agency_id=user.agency_id)


def case_for(user: User, case_id: str | int) -> Case:
    try:
        return cases_for(user).select_related("offense_type").get(pk=int(str(case_id)))
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def search_for(user: User, search_id: str | int) -> CanvassSearch:
    try:
        return (
            CanvassSearch.objects.filter(case__in=cases_for(user))
            .select_related("case", "case__offense_type", "created_by")
            .get(pk=int(str(search_id)))
        )
    except (CanvassSearch.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def search_area(search: CanvassSearch) -> SearchArea:
    """The stored search's area as ranking input (GeoJSON is lon/lat; ranking is lat/lon)."""
    coordinates = (search.area_geometry or {}).get("coordinates") or []
    if search.area_kind == POLYGON:
        vertices = tuple((lat, lon) for lon, lat in coordinates[0][:-1])
    else:
        vertices = tuple((lat, lon) for lon, lat in coordinates)
    return SearchArea(
        kind=search.area_kind,
        place=(search.latitude, search.longitude),
        radius_m=float(search.radius_m or 0),
        vertices=vertices,
        corridor_m=float(search.corridor_m or 0),
    )


def window_of(search: CanvassSearch) -> tuple[datetime, datetime]:
    return search.window_start, search.window_end


# ---- Case: the cameras footage may be asked of, and how soon their footage goes -------------------

URGENT_WITHIN = timedelta(hours=72)


def requestable_chosen_cameras(user: User, case: Case) -> list[CaseCamera]:
    """The case's chosen cameras whose owners the user may ask for footage now.

    A partner's camera stays chosen after its agreement ends, but drops out here until shared again.
    """
    return list(
        case.chosen_cameras.filter(camera__registration__in=registrations_for(user, Permission.REQUEST_FOOTAGE))
        .select_related("camera__registration")
        .order_by("chosen_at", "pk")
    )


def case_search_window(case: Case) -> tuple[datetime, datetime] | None:
    """The time window of the case's latest search (what a footage request asks for by default), or None."""
    latest = case.searches.order_by("-created_at", "-pk").values_list("window_start", "window_end").first()
    return (latest[0], latest[1]) if latest else None


def case_incident_start(case: Case) -> datetime | None:
    """The earliest moment any search of the case asked about: the first footage an owner's system overwrites."""
    return case.searches.aggregate(first=Min("window_start"))["first"]


def agency_timezone(agency: Agency | None) -> ZoneInfo:
    """The agency's local time zone (one per deployment today, TIME_ZONE; an agency field would win)."""
    name = getattr(agency, "time_zone", "") or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class CameraUrgency:
    case_camera: CaseCamera
    retention_days: int | None
    overwritten_after: datetime | None  # in the agency's time zone; None when retention is unknown

    @property
    def registration(self):
        return self.case_camera.camera.registration


@dataclass(frozen=True)
class CaseUrgency:
    incident_start: datetime | None
    urgent: tuple[CameraUrgency, ...]  # kept now, overwritten within 72 hours, soonest first
    unknown: tuple[CameraUrgency, ...]  # retention not known: ask soon
    zone: ZoneInfo | None = None  # the agency's time zone, for showing the times

    @property
    def case_camera_ids(self) -> list[int]:
        return [item.case_camera.pk for item in (*self.urgent, *self.unknown)]


def overwrite_urgency(
    case_cameras: Iterable[CaseCamera], incident_start: datetime | None, *, now: datetime, zone: ZoneInfo
) -> CaseUrgency:
    """Sort chosen cameras into "overwritten within 72 hours" and "retention unknown".

    A camera keeping N days overwrites the incident's first minute N calendar days later on the local clock
    (across a daylight-saving change too), as the ranking's "footage probably kept until" says. Footage
    probably gone already, or kept beyond 72 hours, is not urgent.
    """
    urgent, unknown = [], []
    start = incident_start.astimezone(zone) if incident_start is not None else None
    for case_camera in case_cameras:
        days = getattr(case_camera.camera, "retention_days", None)
        if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
            unknown.append(CameraUrgency(case_camera, None, None))
            continue
        if start is None:
            continue
        local_end = days_later_on_the_clock(start, days, zone)
        if now < local_end <= now + URGENT_WITHIN:
            urgent.append(CameraUrgency(case_camera, days, local_end))
    urgent.sort(key=lambda item: (item.overwritten_after, item.case_camera.pk))
    return CaseUrgency(incident_start=incident_start, urgent=tuple(urgent), unknown=tuple(unknown), zone=zone)


def case_urgency(user: User, case: Case, now: datetime | None = None) -> CaseUrgency:
    """The case's cameras the user may still ask, whose footage will probably be overwritten within 72 hours."""
    return overwrite_urgency(
        requestable_chosen_cameras(user, case),
        case_incident_start(case),
        now=now or timezone.now(),
        zone=agency_timezone(case.agency),
    )


def offense_types_for_search(user: User) -> list[OffenseType]:
    """The offense types the user's agency offers on the search form: active, and never a forbidden purpose
    (the search service refuses those too, whatever is posted)."""
    if user.agency_id is None:
        return []
    offense_types = OffenseType.objects.filter(agency_id=user.agency_id, active=True)
    return [offense_type for offense_type in offense_types if not is_forbidden_purpose(offense_type.name)]
