"""API reads. Every registration query starts from accounts.access.registrations_for."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from accounts.access import Permission, agencies_visible_to
from registrations.models import Camera, Registration, RegistrationTombstone
from registrations.selectors import registration_for, registrations_for

# Items of the sync feed, ordered by (time, kind, id): a registration's kind is 0, a tombstone's 1.
REGISTRATION, TOMBSTONE = 0, 1


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    at: dt.datetime
    kind: int
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.at.astimezone(dt.UTC).isoformat(), self.kind, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            at, kind, item_id = json.loads(raw)
            moment = dt.datetime.fromisoformat(at)
            if moment.tzinfo is None or kind not in (REGISTRATION, TOMBSTONE) or not isinstance(item_id, int):
                raise ValueError
            if not 0 <= item_id < 2**63:
                raise ValueError
            return cls(at=moment, kind=kind, id=item_id)
        except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
            raise BadCursor from None


@dataclass(frozen=True)
class SyncFilters:
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    status: str = ""
    updated_since: dt.datetime | None = None

    def as_parameters(self) -> dict:
        values = {
            "bbox": list(self.bbox) if self.bbox else None,
            "status": self.status,
            "updated_since": self.updated_since.isoformat() if self.updated_since else None,
        }
        return {key: value for key, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class Tombstone:
    public_id: str
    at: dt.datetime
    tombstone_id: int
    deleted: bool = True


@dataclass
class SyncPage:
    items: list  # Registration or Tombstone, in feed order
    next_cursor: str | None


def _with_cameras(queryset):
    return queryset.select_related("agency").prefetch_related(
        Prefetch("cameras", queryset=Camera.objects.order_by("id"))
    )


def _registrations(user, filters: SyncFilters, cursor: Cursor | None, limit: int) -> list[Registration]:
    queryset = registrations_for(user, Permission.VIEW_REGISTRATIONS)
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        queryset = queryset.filter(
            longitude__gte=min_lon, longitude__lte=max_lon, latitude__gte=min_lat, latitude__lte=max_lat
        )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=filters.updated_since)
    if cursor is not None:
        after = Q(updated_at__gt=cursor.at)
        if cursor.kind == REGISTRATION:
            after |= Q(updated_at=cursor.at, id__gt=cursor.id)
        queryset = queryset.filter(after)
    return list(_with_cameras(queryset.order_by("updated_at", "id"))[:limit])


def _tombstones(user, filters: SyncFilters, cursor: Cursor | None, limit: int) -> list[Tombstone]:
    """Registrations withdrawn, purged or merged since `updated_since`, of the agencies whose rows the user sees.

    Through the same chokepoint as the rows (agencies_visible_to), so a partner's appear only while the sharing
    agreement is active. `bbox` cannot filter them (a tombstone has no point); `status` leaves them out.
    """
    if filters.updated_since is None or filters.status:
        return []
    agency_ids = agencies_visible_to(user, Permission.VIEW_REGISTRATIONS)
    if not agency_ids:
        return []
    queryset = RegistrationTombstone.objects.filter(agency_id__in=agency_ids, removed_at__gte=filters.updated_since)
    if cursor is not None:
        after = Q(removed_at__gt=cursor.at)
        after |= Q(removed_at=cursor.at) if cursor.kind == REGISTRATION else Q(removed_at=cursor.at, id__gt=cursor.id)
        queryset = queryset.filter(after)
    rows = queryset.order_by("removed_at", "id").values_list("id", "removed_at", "public_id")[:limit]
    return [Tombstone(public_id=str(public_id), at=removed_at, tombstone_id=pk) for pk, removed_at, public_id in rows]


def _key(item) -> tuple:
    if isinstance(item, Tombstone):
        return (item.at, TOMBSTONE, item.tombstone_id)
    return (item.updated_at, REGISTRATION, item.pk)


def registration_sync_page(user, filters: SyncFilters, cursor: Cursor | None, page_size: int) -> SyncPage:
    """One page of the feed ordered by (updated_at, id); with `updated_since`, tombstones are mixed in by time."""
    merged = sorted(
        [*_registrations(user, filters, cursor, page_size + 1), *_tombstones(user, filters, cursor, page_size + 1)],
        key=_key,
    )
    items = merged[:page_size]
    next_cursor = None
    if len(merged) > page_size:
        at, kind, item_id = _key(items[-1])
        next_cursor = Cursor(at=at, kind=kind, id=item_id).encode()
    return SyncPage(items=items, next_cursor=next_cursor)


def registration_detail(user, public_id, permission: Permission = Permission.VIEW_REGISTRATIONS) -> Registration:
    """One registration the user may see for `permission` (Http404 otherwise), with its cameras."""
    registration = registration_for(user, public_id, permission)
    return _with_cameras(Registration.objects.filter(pk=registration.pk)).get()
