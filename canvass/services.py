"""Writes for canvass: running a search (validated, saved under its case, audited) and choosing cameras."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import Permission, has_permission, sharing_use_check, sharing_uses_record
from agencies.models import OffenseType, is_forbidden_purpose
from audit.services import audit_record
from cameraregistry import geo
from cameraregistry.geo.validation import number
from cameraregistry.wall_clock import EARLIEST_WINDOW_YEAR
from canvass import ranking
from canvass.candidates import CameraDetails, CameraDetailsLookup
from canvass.models import AreaKind, CanvassSearch, Case, CaseCamera, CaseStatus
from canvass.selectors import detective_notes, search_area, search_candidates, searchable_registrations
from registrations.models import Camera

MAX_POLYGON_VERTICES = 200
MAX_POLYGON_AREA_M2 = 4_000_000.0
MAX_ROUTE_VERTICES = 200
MAX_ROUTE_LENGTH_M = 10_000.0
MIN_CORRIDOR_M = 5
MAX_CORRIDOR_M = 300
DEFAULT_CORRIDOR_M = 50
MIN_RADIUS_M = 1

CASE_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/.]{0,39}$")


@dataclass(frozen=True)
class Place:
    latitude: object
    longitude: object
    address: str = ""


@dataclass(frozen=True)
class AreaRequest:
    kind: str = AreaKind.RADIUS
    radius_m: object = None
    corridor_m: object = None
    # (lat, lon) pairs, as drawn.
    vertices: object = ()


@dataclass
class SearchResult:
    search: CanvassSearch
    area: ranking.SearchArea
    ranked: list[ranking.RankedCamera]
    details: Mapping[int, CameraDetails] = field(default_factory=dict)

    def details_of(self, registration_ids: Iterable[int]) -> Mapping[int, CameraDetails]:
        """The details of these registrations' cameras (one page), reading no others when not read yet."""
        if isinstance(self.details, CameraDetailsLookup):
            return self.details.of_registrations(registration_ids)
        return self.details

    def notes_of(self, user, registration_ids: Iterable[int]) -> dict[int, str]:
        """The owners' notes for detectives of these registrations, through the search's own chokepoint read."""
        if isinstance(self.details, CameraDetailsLookup):
            return self.details.notes_of(registration_ids)
        return detective_notes(user, registration_ids)

    def agency_ids(self) -> set[int]:
        """The agencies whose registrations this result returns (for the partner-use audit)."""
        details = self.details
        if isinstance(details, CameraDetailsLookup):
            searched = details.searched_agency_ids
            if searched is not None and len(searched) <= 1:
                # One agency searched: every camera found is of it, and no details need reading to say so.
                return set(searched) if self.ranked else set()
        found = (details.get(item.camera.camera_id) for item in self.ranked)
        return {detail.agency_id for detail in found if detail is not None}


def _partner_use(user, result: SearchResult, action: str, request: HttpRequest | None) -> None:
    """One audit entry for each other agency whose registrations the result returned (sharing agreements)."""
    search_id = result.search.pk if result.search is not None else ""
    sharing_uses_record(
        user=user,
        agency_ids=result.agency_ids(),
        action=action,
        object_type="canvass_search",
        object_id=search_id,
        request=request,
    )


def _clean_case_number(case_number: object) -> str:
    text = str(case_number or "").strip()
    if not text:
        raise ValidationError({"case_number": "Enter the case number: every search belongs to an investigation."})
    if not CASE_NUMBER_PATTERN.match(text):
        raise ValidationError(
            {
                "case_number": "A case number has 1 to 40 letters, digits, dashes, slashes or dots "
                "(for example 2025-001234), starting with a letter or digit."
            }
        )
    return text.upper()


def _clean_offense_type(user, offense_type_id: object) -> OffenseType:
    try:
        offense_type = OffenseType.objects.get(pk=int(str(offense_type_id)), agency_id=user.agency_id, active=True)
    except (OffenseType.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ValidationError({"offense_type": "Choose an offense type from your department's list."}) from None
    if is_forbidden_purpose(offense_type.name):
        raise ValidationError(
            {"offense_type": "Protests and lawful assembly are not an allowed purpose for a canvass search."}
        )
    return offense_type


def _clean_place(place: Place | None) -> tuple[float, float]:
    if place is None:
        raise ValidationError({"place": "Give the incident's place: type its address or click it on the map."})
    try:
        # The same checks validate_point makes (and the same messages), on the place's values as given.
        return geo.validate_point(number(place.latitude, "Latitude"), number(place.longitude, "Longitude"))
    except geo.GeometryError as error:
        raise ValidationError({"place": f"The incident place is not valid: {error}"}) from None


def _clean_window(agency, window: tuple[object, object], now: datetime) -> tuple[datetime, datetime]:
    start, end = window if isinstance(window, tuple | list) and len(window) == 2 else (None, None)
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise ValidationError({"window": "Give the incident's time window: a start and an end date and time."})
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"window": "The time window needs a time zone."})
    if end <= start:
        raise ValidationError({"window": "The time window ends before it starts: the end must come after the start."})
    if start.year < EARLIEST_WINDOW_YEAR:
        raise ValidationError(
            {"window": f"The time window starts in {start.year}: check the year (no footage is that old)."}
        )
    limit = timedelta(hours=agency.max_search_window_hours)
    # Measured in UTC: two times of one zone subtract by their clock readings, an hour off across a clock change.
    if end.astimezone(UTC) - start.astimezone(UTC) > limit:
        raise ValidationError(
            {
                "window": f"The time window is longer than your department's limit of {agency.max_search_window_hours} hours."
            }
        )
    if start > now:
        raise ValidationError({"window": "The time window starts in the future."})
    return start, end


def _whole_metres(value: object, what: str, minimum: int, maximum: int, key: str) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({key: f"The {what} must be a number of metres."}) from None
    if not math.isfinite(number) or number != int(number):
        raise ValidationError({key: f"The {what} must be a whole number of metres."})
    if not minimum <= number <= maximum:
        raise ValidationError({key: f"The {what} must be between {minimum} and {maximum:,} metres."})
    return int(number)


def _length(value: object, default: int | None, what: str, minimum: int, maximum: int, key: str) -> int | None:
    """A length in whole metres, or the default when none is given (None: not needed by this kind of area)."""
    if value in (None, ""):
        value = default
    return None if value is None else _whole_metres(value, what, minimum, maximum, key)


def _clean_area(agency, area: AreaRequest, place: tuple[float, float]) -> ranking.SearchArea:
    # A radius or corridor given with another kind of area is still checked, as the search page's form checks
    # both fields whatever the kind (and as the API's document states their bounds).
    radius_m = _length(
        area.radius_m,
        agency.default_search_radius_m if area.kind == AreaKind.RADIUS else None,
        "radius",
        MIN_RADIUS_M,
        agency.max_search_radius_m,
        "radius_m",
    )
    corridor_m = _length(
        area.corridor_m,
        DEFAULT_CORRIDOR_M if area.kind == AreaKind.ROUTE else None,
        "corridor width",
        MIN_CORRIDOR_M,
        MAX_CORRIDOR_M,
        "corridor_m",
    )
    if area.kind == AreaKind.RADIUS and radius_m is not None:
        return ranking.SearchArea(kind=ranking.RADIUS, place=place, radius_m=float(radius_m))
    vertices = area.vertices
    if not isinstance(vertices, list | tuple):
        raise ValidationError({"vertices": "Draw the area on the map by clicking its corners."})
    try:
        if area.kind == AreaKind.POLYGON:
            ring = geo.validate_polygon(vertices, MAX_POLYGON_VERTICES, MAX_POLYGON_AREA_M2)
            return ranking.SearchArea(kind=ranking.POLYGON, place=place, vertices=tuple(ring))
        if area.kind == AreaKind.ROUTE and corridor_m is not None:
            route = geo.validate_route(vertices, MAX_ROUTE_VERTICES, MAX_ROUTE_LENGTH_M)
            return ranking.SearchArea(
                kind=ranking.ROUTE, place=place, vertices=tuple(route), corridor_m=float(corridor_m)
            )
    except geo.GeometryError as error:
        raise ValidationError({"vertices": str(error)}) from None
    raise ValidationError({"area_kind": "Choose a radius, a drawn area or a route."})


def _area_geojson(area: ranking.SearchArea) -> dict:
    if area.kind == ranking.POLYGON:
        ring = [[lon, lat] for lat, lon in area.vertices]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    if area.kind == ranking.ROUTE:
        return {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in area.vertices]}
    return {}


def _case_for_search(user, case_number: str, offense_type: OffenseType) -> Case:
    case = Case.objects.select_for_update().filter(agency_id=user.agency_id, case_number=case_number).first()
    if case is None:
        try:
            with transaction.atomic():
                case = Case(
                    agency_id=user.agency_id, case_number=case_number, offense_type=offense_type, created_by=user
                )
                case.full_clean()
                case.save()
        except IntegrityError:
            # Someone opened the same case a moment ago; use theirs.
            case = Case.objects.get(agency_id=user.agency_id, case_number=case_number)
    if case.offense_type_id != offense_type.pk:
        raise ValidationError(
            {"offense_type": f"Case {case_number} is recorded as {case.offense_type.name}; choose that offense type."}
        )
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"case_number": f"Case {case_number} is closed; searches cannot be added to it."})
    case.agency = user.agency  # the searcher's own agency, already read: its settings word the answer
    return case


def run_ranked(user, area: ranking.SearchArea, window_start: datetime, now: datetime | None = None) -> SearchResult:
    """Narrow through the access chokepoint, then rank. Returns a result without a saved search."""
    facts, details = search_candidates(user, area)
    ranked = ranking.rank(facts, area, window_start=window_start, now=now or timezone.now())
    return SearchResult(search=None, area=area, ranked=ranked, details=details)  # type: ignore[arg-type]


# Stands in for a missing or unreadable place while the area's own limits are checked; never searched.
_PLACEHOLDER_POINT = (0.0, 0.0)


@dataclass(frozen=True)
class CleanSearch:
    """A search's input once every check has passed."""

    case_number: str
    offense_type: OffenseType
    place: tuple[float, float]
    address: str
    window: tuple[datetime, datetime]
    area: ranking.SearchArea


def _clean_search(
    user, *, case_number, offense_type_id, place: Place | None, window, area: AreaRequest, now: datetime
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Every check in one pass: the cleaned values, and every problem found (field -> messages)."""
    agency = user.agency
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    checks: tuple[tuple[str, Callable[[], object]], ...] = (
        ("case_number", lambda: _clean_case_number(case_number)),
        ("offense_type", lambda: _clean_offense_type(user, offense_type_id)),
        ("place", lambda: _clean_place(place)),
        ("window", lambda: _clean_window(agency, window, now)),
        ("area", lambda: _clean_area(agency, area, cleaned.get("place") or _PLACEHOLDER_POINT)),
    )
    for name, check in checks:
        try:
            cleaned[name] = check()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    return cleaned, errors


def _searcher_check(user) -> None:
    if not has_permission(user, Permission.SEARCH_CANVASS) or not user.agency_id:
        raise PermissionDenied


def canvass_search_check(
    *, user, case_number: object, offense_type_id: object, place: Place | None, window, area: AreaRequest
) -> None:
    """Check a search without running or saving anything; raises ValidationError with every problem at once."""
    _searcher_check(user)
    _, errors = _clean_search(
        user,
        case_number=case_number,
        offense_type_id=offense_type_id,
        place=place,
        window=window,
        area=area,
        now=timezone.now(),
    )
    if errors:
        raise ValidationError(errors)


def _search_parameters(clean: CleanSearch, case: Case) -> dict[str, Any]:
    """What the search is saved with and audited as."""
    area = clean.area
    window_start, window_end = clean.window
    return {
        "case_number": case.case_number,
        "offense_type": clean.offense_type.name,
        "latitude": clean.place[0],
        "longitude": clean.place[1],
        "address": clean.address,
        "window_start": window_start.isoformat(),
        "window_end": window_end.isoformat(),
        "area_kind": area.kind,
        "radius_m": area.radius_m or None,
        "corridor_m": area.corridor_m or None,
        "vertex_count": len(area.vertices),
    }


def _search_save(user, clean: CleanSearch, case: Case, result: SearchResult, now: datetime) -> CanvassSearch:
    area = clean.area
    search = CanvassSearch(
        case=case,
        created_by=user,
        created_at=now,
        latitude=clean.place[0],
        longitude=clean.place[1],
        address=clean.address,
        window_start=clean.window[0],
        window_end=clean.window[1],
        area_kind=area.kind,
        area_geometry=_area_geojson(area),
        radius_m=int(area.radius_m) or None,
        corridor_m=int(area.corridor_m) or None,
        result_count=len(result.ranked),
        parameters=_search_parameters(clean, case),
    )
    # Every field is validated except that the case and the user exist: the case was just read (and locked) in
    # this transaction and the user is the one searching; asking the database again cost two queries a search.
    search.full_clean(exclude=["case", "created_by"])
    search.save()
    return search


def canvass_search_run(
    *,
    user,
    case_number: object,
    offense_type_id: object,
    place: Place | None,
    window: tuple[object, object],
    area: AreaRequest,
    request: HttpRequest | None = None,
) -> SearchResult:
    """Validate a search, save it under its case, audit it and return the ranked cameras.

    Raises ValidationError (a dict of field -> every message, all fields checked in one pass) for any bad
    input and PermissionDenied when the user may not search at all.
    """
    _searcher_check(user)
    now = timezone.now()
    cleaned, errors = _clean_search(
        user,
        case_number=case_number,
        offense_type_id=offense_type_id,
        place=place,
        window=window,
        area=area,
        now=now,
    )
    if errors:
        raise ValidationError(errors)
    address = str(place.address or "").strip()[:200] if place is not None else ""
    clean = CleanSearch(address=address, **cleaned)
    with transaction.atomic():
        case = _case_for_search(user, clean.case_number, clean.offense_type)
        result = run_ranked(user, clean.area, clean.window[0], now)
        search = result.search = _search_save(user, clean, case, result, now)
        audit_record(
            action="canvass.search",
            actor=user,
            agency=user.agency,
            object_type="canvass_search",
            object_id=search.pk,
            parameters={
                **search.parameters,
                "area_geometry": search.area_geometry,
                "result_count": search.result_count,
            },
            request=request,
        )
        _partner_use(user, result, "canvass.search", request)
    return result


def canvass_search_results(
    *, user, search: CanvassSearch, request: HttpRequest | None = None, use: str = "canvass.results"
) -> SearchResult:
    """Rank a saved search again (the registry may have changed since); the search must come from search_for.

    Partner agencies' registrations among the results are audited as `use` (the results page, the sheet, an export).
    """
    area = search_area(search)
    result = run_ranked(user, area, search.window_start)
    result.search = search
    _partner_use(user, result, use, request)
    return result


def case_camera_add(
    *, user, case: Case, camera_id: object, note: str = "", request: HttpRequest | None = None
) -> CaseCamera:
    """Choose a camera for a case; the camera must be one the user could find in a canvass search."""
    if not has_permission(user, Permission.SEARCH_CANVASS) or case.agency_id != user.agency_id:
        raise PermissionDenied
    try:
        camera = Camera.objects.select_related("registration").get(
            pk=int(str(camera_id)), registration__in=searchable_registrations(user)
        )
    except (Camera.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ValidationError({"camera": "That camera is not one you can choose."}) from None
    with transaction.atomic():
        chosen, created = CaseCamera.objects.get_or_create(
            case=case, camera=camera, defaults={"chosen_by": user, "note": str(note or "")[:300]}
        )
        if created:
            chosen.full_clean()
            audit_record(
                action="canvass.camera_choose",
                actor=user,
                agency=case.agency,
                object_type="case",
                object_id=case.pk,
                parameters={"camera_id": camera.pk, "registration": str(camera.registration.public_id)},
                request=request,
            )
            sharing_uses_record(
                user=user,
                agency_ids=[camera.registration.agency_id],
                action="canvass.camera_choose",
                object_type="case",
                object_id=case.pk,
                request=request,
            )
    return chosen


def case_camera_remove(*, user, case: Case, camera_id: object, request: HttpRequest | None = None) -> None:
    if not has_permission(user, Permission.SEARCH_CANVASS) or case.agency_id != user.agency_id:
        raise PermissionDenied
    try:
        camera_pk = int(str(camera_id))
    except (ValueError, TypeError, OverflowError):
        return
    with transaction.atomic():
        deleted, _ = CaseCamera.objects.filter(case=case, camera_id=camera_pk).delete()
        if deleted:
            audit_record(
                action="canvass.camera_unchoose",
                actor=user,
                agency=case.agency,
                object_type="case",
                object_id=case.pk,
                parameters={"camera_id": camera_pk},
                request=request,
            )


def contact_details_reveal(*, user, registration, search: CanvassSearch, request: HttpRequest | None = None) -> dict:
    """Owner and alternate contact details for one registration, audited; `registration` comes from
    registrations.selectors.registration_for with VIEW_CONTACT_DETAILS."""
    if not has_permission(user, Permission.VIEW_CONTACT_DETAILS):
        raise PermissionDenied
    sharing_use_check(user, registration, request)
    audit_record(
        action="registration.contact_view",
        actor=user,
        object_type="registration",
        object_id=str(registration.public_id),
        parameters={"canvass_search": search.pk, "case_number": search.case.case_number},
        request=request,
    )
    return contact_details_of(registration)


def contact_details_of(registration) -> dict:
    return {
        "owner_name": registration.owner_name,
        "owner_phone": registration.owner_phone,
        "owner_email": registration.owner_email,
        "preferred_contact_method": registration.get_preferred_contact_method_display(),
        "contact_hours": registration.contact_hours,
        "alternate_name": registration.alternate_name,
        "alternate_phone": registration.alternate_phone,
        "alternate_email": registration.alternate_email,
        "alternate_relation": registration.alternate_relation,
        "notes_for_detectives": registration.notes_for_detectives,
    }


def canvass_export(
    *, user, search: CanvassSearch, export_format: str, request: HttpRequest | None = None
) -> SearchResult:
    if not has_permission(user, Permission.EXPORT_DATA):
        raise PermissionDenied
    result = canvass_search_results(user=user, search=search, request=request, use="canvass.export")
    audit_record(
        action="canvass.export",
        actor=user,
        object_type="canvass_search",
        object_id=search.pk,
        parameters={
            "case_number": search.case.case_number,
            "format": export_format,
            # One row (feature) per address.
            "rows": len({item.camera.registration_id for item in result.ranked}),
            "cameras": len(result.ranked),
        },
        request=request,
    )
    return result


# ---------------------------------------------------------------- closing and reopening a case

MAX_CASE_REASON_CHARS = 1000


def _clean_reason(reason: object, what: str) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError({"reason": f"Give the reason for {what} the case."})
    if len(text) > MAX_CASE_REASON_CHARS:
        raise ValidationError({"reason": f"Keep the reason under {MAX_CASE_REASON_CHARS:,} characters."})
    return text


def _case_worker_check(user, case: Case) -> None:
    # The people who work cases (investigators, supervisors, administrators) of the case's own agency.
    if not has_permission(user, Permission.SEARCH_CANVASS) or case.agency_id != user.agency_id:
        raise PermissionDenied


@transaction.atomic
def case_close(*, user, case: Case, reason: object, request: HttpRequest | None = None) -> Case:
    """Close a case: no new searches or footage requests; its evidence is purged after the agency's rule."""
    _case_worker_check(user, case)
    text = _clean_reason(reason, "closing")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"reason": f"Case {case.case_number} is already closed."})
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.closed_by = user
    case.close_reason = text
    case.full_clean()
    case.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    audit_record(
        action="case.close",
        actor=user,
        agency=case.agency,
        object_type="case",
        object_id=case.pk,
        parameters={"case_number": case.case_number, "reason": text},
        request=request,
    )
    return case


@transaction.atomic
def case_reopen(*, user, case: Case, reason: object, request: HttpRequest | None = None) -> Case:
    """Reopen a closed case; the retention clock stops until it is closed again."""
    _case_worker_check(user, case)
    text = _clean_reason(reason, "reopening")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.CLOSED:
        raise ValidationError({"reason": f"Case {case.case_number} is not closed."})
    closed_at = case.closed_at
    case.status = CaseStatus.OPEN
    case.closed_at = None
    case.closed_by = None
    case.close_reason = ""
    case.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    audit_record(
        action="case.reopen",
        actor=user,
        agency=case.agency,
        object_type="case",
        object_id=case.pk,
        parameters={
            "case_number": case.case_number,
            "reason": text,
            "was_closed_at": closed_at.isoformat() if closed_at else None,
        },
        request=request,
    )
    return case
