"""API reads. Every registration query starts from accounts.access.registrations_for."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from accounts.access import Permission
from administration.models import RegistrationHistory
from registrations.models import Camera, Registration
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
    history_id: int
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
    """Registrations merged into another one: the only removals that leave their id behind (see README)."""
    if filters.updated_since is None or filters.status:
        return []
    visible = registrations_for(user, Permission.VIEW_REGISTRATIONS).values("pk")
    queryset = RegistrationHistory.objects.filter(
        action=RegistrationHistory.Action.MERGED, registration__in=visible, occurred_at__gte=filters.updated_since
    )
    if cursor is not None:
        after = Q(occurred_at__gt=cursor.at)
        after |= Q(occurred_at=cursor.at) if cursor.kind == REGISTRATION else Q(occurred_at=cursor.at, id__gt=cursor.id)
        queryset = queryset.filter(after)
    rows = queryset.order_by("occurred_at", "id").values_list("id", "occurred_at", "details")[:limit]
    return [
        Tombstone(public_id=str(details.get("merged_public_id", "")), at=occurred_at, history_id=pk)
        for pk, occurred_at, details in rows
        if isinstance(details, dict) and details.get("merged_public_id")
    ]


def _key(item) -> tuple:
    if isinstance(item, Tombstone):
        return (item.at, TOMBSTONE, item.history_id)
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
