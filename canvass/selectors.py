"""Reads for canvass searches. Registrations always come from accounts.access.registrations_for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from accounts.access import Permission, has_permission, registrations_for
from cameraregistry import geometry
from canvass.models import CanvassSearch, Case
from canvass.ranking import POLYGON, ROUTE, CameraFacts, SearchArea
from registrations.models import Status

# Paused owners asked not to be contacted for now; rejected registrations are not part of the program.
SEARCHABLE_STATUSES = (Status.ACTIVE, Status.PENDING, Status.STALE)


@dataclass(frozen=True)
class CameraDetails:
    """What the results page, sheet and exports show about a camera beyond its ranking facts."""

    camera_id: int
    registration_id: int
    registration_public_id: str
    agency_id: int
    status: str
    street_address: str
    unit: str
    business_name: str
    description: str
    locations: tuple[str, ...]
    exports_common_format: str
    brand: str

    @property
    def address(self) -> str:
        return f"{self.street_address}, {self.unit}" if self.unit else self.street_address


_CAMERA_COLUMNS = (
    "id",
    "public_id",
    "agency_id",
    "status",
    "street_address",
    "unit",
    "business_name",
    "latitude",
    "longitude",
    "verified_at",
    "last_confirmed_at",
    "cameras__id",
    "cameras__records_street",
    "cameras__bearing_degrees",
    "cameras__field_of_view_degrees",
    "cameras__range_m",
    "cameras__retention_days",
    "cameras__description",
    "cameras__locations",
    "cameras__exports_common_format",
    "cameras__brand",
)


def area_bounding_box(area: SearchArea) -> geometry.BBox:
    """A box certain to contain every registration the area can include."""
    if area.kind == POLYGON:
        return geometry.bounding_box(area.vertices)
    if area.kind == ROUTE:
        return geometry.expand_bbox(*geometry.bounding_box(area.vertices), area.corridor_m)
    return geometry.bbox_around(*area.place, area.radius_m)


def candidate_cameras(registrations: QuerySet, area: SearchArea) -> tuple[list[CameraFacts], dict[int, CameraDetails]]:
    """Cameras of the given registrations inside the area's box, narrowed by the (latitude, longitude) index.

    `registrations` must come from the access chokepoint; this only narrows it further.
    """
    min_lat, min_lon, max_lat, max_lon = area_bounding_box(area)
    rows = (
        registrations.filter(
            status__in=SEARCHABLE_STATUSES,
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
            cameras__id__isnull=False,
        )
        .order_by()
        .values_list(*_CAMERA_COLUMNS)
    )
    facts: list[CameraFacts] = []
    details: dict[int, CameraDetails] = {}
    for (
        registration_id,
        public_id,
        agency_id,
        status,
        street_address,
        unit,
        business_name,
        latitude,
        longitude,
        verified_at,
        last_confirmed_at,
        camera_id,
        records_street,
        bearing,
        field_of_view,
        range_m,
        retention_days,
        description,
        locations,
        exports_common_format,
        brand,
    ) in rows:
        facts.append(
            CameraFacts(
                camera_id=camera_id,
                registration_id=registration_id,
                latitude=latitude,
                longitude=longitude,
                retention_days=retention_days,
                records_street=records_street,
                bearing_degrees=bearing,
                field_of_view_degrees=field_of_view,
                range_m=range_m,
                verified=verified_at is not None and status == Status.ACTIVE,
                last_confirmed_at=last_confirmed_at,
            )
        )
        details[camera_id] = CameraDetails(
            camera_id=camera_id,
            registration_id=registration_id,
            registration_public_id=str(public_id),
            agency_id=agency_id,
            status=status,
            street_address=street_address,
            unit=unit,
            business_name=business_name,
            description=description,
            locations=tuple(locations or ()),
            exports_common_format=exports_common_format,
            brand=brand,
        )
    return facts, details


def searchable_registrations(user) -> QuerySet:
    return registrations_for(user, Permission.SEARCH_CANVASS)


def cases_for(user) -> QuerySet:
    """Cases belong to the investigator's own agency; nobody else's are reachable."""
    if not has_permission(user, Permission.SEARCH_CANVASS) or not user.agency_id:
        return Case.objects.none()
    return Case.objects.filter(agency_id=user.agency_id)


def case_for(user, case_id: object) -> Case:
    try:
        return cases_for(user).select_related("offense_type").get(pk=int(str(case_id)))
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def search_for(user, search_id: object) -> CanvassSearch:
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
