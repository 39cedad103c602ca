"""Reads for administration: the verification queue, duplicate candidates and program statistics."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from agencies.models import Agency
from canvass.models import CanvassSearch
from footage.models import EvidenceFile, FootageRequest, RequestStatus
from registrations.geocoding import normalize_address
from registrations.models import AddressPoint, Camera, Registration, Status

from .models import PurgeRecord, RegistrationHistory

# Transparency rules: cells of this size, shown only with at least this many registrations.
PUBLIC_CELL_M = 500
PUBLIC_CELL_MINIMUM = 5
# Street names of a coverage cell change only when the address table is re-imported.
CELL_STREETS_CACHE_SECONDS = 6 * 3600
METRES_PER_DEGREE_LATITUDE = 111_132.0


@dataclass
class DuplicateCandidate:
    registration: Registration
    score: float
    reasons: list[str]


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[-10:]


def duplicate_candidates(registration: Registration, scope: QuerySet, limit: int = 5) -> list[DuplicateCandidate]:
    """Registrations in `scope` that look like the same place or the same owner, best first.

    Narrowed in the database (same email hash, or within about 150 m), then compared in Python:
    fuzzy address similarity (difflib), same unit, same phone, same email, similar name.
    """
    delta_lat = 150 / METRES_PER_DEGREE_LATITUDE
    delta_lon = delta_lat / max(math.cos(math.radians(registration.latitude)), 0.01)
    nearby = Q(
        latitude__range=(registration.latitude - delta_lat, registration.latitude + delta_lat),
        longitude__range=(registration.longitude - delta_lon, registration.longitude + delta_lon),
    )
    same_email = Q(owner_email_hash=registration.owner_email_hash) if registration.owner_email_hash else Q(pk__in=[])
    candidates = (
        scope.filter(agency=registration.agency)
        .filter(nearby | same_email)
        .exclude(pk=registration.pk)
        .exclude(status=Status.REJECTED)[:200]
    )
    address = normalize_address(registration.street_address)
    phone = _digits(registration.owner_phone)
    name = registration.owner_name.lower()
    found = []
    for other in candidates:
        reasons = []
        score = 0.0
        similarity = difflib.SequenceMatcher(None, address, normalize_address(other.street_address)).ratio()
        if similarity == 1.0 and registration.unit.upper() == other.unit.upper():
            reasons.append("same address")
            score += 2
        elif similarity >= 0.85:
            reasons.append(f"similar address ({similarity:.0%})")
            score += similarity
        if registration.owner_email_hash and other.owner_email_hash == registration.owner_email_hash:
            reasons.append("same email")
            score += 2
        if phone and _digits(other.owner_phone) == phone:
            reasons.append("same phone")
            score += 2
        name_similarity = difflib.SequenceMatcher(None, name, other.owner_name.lower()).ratio()
        if name_similarity >= 0.8:
            reasons.append("same name" if name_similarity == 1.0 else f"similar name ({name_similarity:.0%})")
            score += name_similarity
        # A nearby point alone is a neighbour, not a duplicate: ask for address or owner evidence.
        if score >= 1.5 or any(reason.startswith("same") for reason in reasons if reason != "same name"):
            found.append(DuplicateCandidate(other, score, reasons))
    found.sort(key=lambda candidate: -candidate.score)
    return found[:limit]


def registration_history(registration: Registration) -> QuerySet:
    return RegistrationHistory.objects.filter(registration=registration).select_related("actor")


# ---------------------------------------------------------------- statistics


def _month_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_starts(months: int, now: datetime | None = None) -> list[datetime]:
    current = _month_start(now or timezone.now())
    starts = [current]
    for _ in range(months - 1):
        previous = _month_start(starts[-1] - timedelta(days=1))
        starts.append(previous)
    return list(reversed(starts))


def monthly_counts(queryset: QuerySet, date_field: str, months: int = 12) -> list[tuple[str, int]]:
    starts = month_starts(months)
    rows = (
        queryset.filter(**{f"{date_field}__gte": starts[0]})
        .annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(total=Count("pk"))
        .order_by()
    )
    by_month = {
        (timezone.localtime(row["month"]) if timezone.is_aware(row["month"]) else row["month"]).strftime("%Y-%m"): row[
            "total"
        ]
        for row in rows
        if row["month"] is not None
    }
    return [(start.strftime("%Y-%m"), by_month.get(start.strftime("%Y-%m"), 0)) for start in starts]


def grid_cells(points: list[tuple[float, float]], cell_m: int, minimum: int = 1) -> list[dict]:
    """Count points per square cell of about `cell_m` metres; cells under `minimum` are dropped entirely."""
    counts: dict[tuple[int, int], int] = {}
    for latitude, longitude in points:
        row = math.floor(latitude * METRES_PER_DEGREE_LATITUDE / cell_m)
        row_latitude = (row + 0.5) * cell_m / METRES_PER_DEGREE_LATITUDE
        metres_per_degree_longitude = METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(row_latitude))
        column = math.floor(longitude * metres_per_degree_longitude / cell_m)
        counts[(row, column)] = counts.get((row, column), 0) + 1
    cells = []
    for (row, column), count in sorted(counts.items()):
        if count < minimum:
            continue
        south = row * cell_m / METRES_PER_DEGREE_LATITUDE
        north = (row + 1) * cell_m / METRES_PER_DEGREE_LATITUDE
        metres_per_degree_longitude = METRES_PER_DEGREE_LATITUDE * math.cos(math.radians((south + north) / 2))
        west = column * cell_m / metres_per_degree_longitude
        east = (column + 1) * cell_m / metres_per_degree_longitude
        cells.append(
            {
                "south": round(south, 6),
                "west": round(west, 6),
                "north": round(north, 6),
                "east": round(east, 6),
                "count": count,
            }
        )
    return cells


def searches_queryset(agency: Agency | None) -> QuerySet:
    queryset = CanvassSearch.objects.all()
    return queryset.filter(case__agency=agency) if agency is not None else queryset


ANSWERED = (RequestStatus.FOOTAGE_RECEIVED, RequestStatus.NO_FOOTAGE, RequestStatus.DECLINED)


def footage_request_stats(agency: Agency | None, since: datetime | None = None) -> dict:
    """Requests sent / answered by the owner / with footage received, average hours to an answer, per month."""
    queryset = FootageRequest.objects.all()
    if agency is not None:
        queryset = queryset.filter(agency=agency)
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    answered_qs = queryset.filter(status__in=ANSWERED, answered_at__isnull=False)
    durations = [
        (answered - created).total_seconds() / 3600
        for created, answered in answered_qs.values_list("created_at", "answered_at")[:5000]
        if answered is not None  # the filter says so; for the type checker
    ]
    return {
        "sent": queryset.count(),
        "answered": queryset.filter(status__in=ANSWERED).count(),
        "fulfilled": queryset.filter(status=RequestStatus.FOOTAGE_RECEIVED).count(),
        "average_response_hours": round(sum(durations) / len(durations), 1) if durations else None,
        "per_month": monthly_counts(queryset, "created_at"),
    }


def evidence_files_purged(agency: Agency | None) -> int:
    """Counted from the evidence tombstones themselves, so the public figure cannot drift from what was deleted."""
    purged = EvidenceFile.objects.filter(purged_at__isnull=False)
    return purged.filter(request__agency=agency).count() if agency is not None else purged.count()


def program_stats(agency: Agency | None) -> dict:
    """Aggregate numbers for the dashboard and the transparency page. No names, addresses or contacts."""
    registrations = Registration.objects.all() if agency is None else Registration.objects.filter(agency=agency)
    listed = registrations.exclude(status=Status.REJECTED)
    by_status = dict(registrations.values_list("status").annotate(n=Count("pk")).order_by())
    searches = searches_queryset(agency)
    purges = (
        PurgeRecord.objects.all()
        if agency is None
        else PurgeRecord.objects.filter(Q(agency=agency) | Q(agency__isnull=True))
    )
    return {
        "registrations": listed.filter(status__in=[Status.ACTIVE, Status.PAUSED, Status.PENDING, Status.STALE]).count(),
        "active": by_status.get(Status.ACTIVE, 0),
        "cameras": Camera.objects.filter(registration__in=listed.filter(status=Status.ACTIVE)).count(),
        # Short names fit under the bars; the chart's tooltip and table carry the rest.
        "by_status": [(value.capitalize(), by_status.get(value, 0)) for value, _label in Status.choices],
        "new_per_month": monthly_counts(listed, "created_at"),
        "searches_per_month": monthly_counts(searches, "created_at"),
        "searches_total": searches.count(),
        "requests": footage_request_stats(agency),
        "evidence_files_purged": evidence_files_purged(agency),
        # Evidence files have their own line above, counted from the files' own records.
        "purges": [
            {"kind": str(PurgeRecord.Kind(row["kind"]).label), "removed": row["removed"]}
            for row in purges.exclude(kind=PurgeRecord.Kind.FOOTAGE_FILES)
            .values("kind")
            .annotate(removed=Sum("count"))
            .order_by("kind")
        ],
    }


def coverage_points(agency: Agency | None) -> list[tuple[float, float]]:
    registrations = Registration.objects.filter(status=Status.ACTIVE)
    if agency is not None:
        registrations = registrations.filter(agency=agency)
    return list(registrations.values_list("latitude", "longitude"))


def public_coverage_cells(agency: Agency | None) -> list[dict]:
    """Coverage for the public: coarse cells, and only those holding at least PUBLIC_CELL_MINIMUM registrations.

    Each cell is named by the streets that run through it (from the public address table,
    never from registrations), so people read "Maple Ave and 3rd St", not coordinates.
    """
    cells = grid_cells(coverage_points(agency), PUBLIC_CELL_M, minimum=PUBLIC_CELL_MINIMUM)
    # A re-imported address table has new ids, so its names are looked up afresh.
    table_version = AddressPoint.objects.aggregate(newest=Max("pk"))["newest"]
    for cell in cells:
        cell["streets"] = cell_streets(cell, table_version)
    return cells


def street_words(street: str) -> str:
    """County tables shout ("1ST ST", "MAPLE AVE"); people write "1st St", "Maple Ave"."""
    return " ".join(word.lower() if word[:1].isdigit() else word.capitalize() for word in street.split())


def cell_streets(cell: dict, table_version: int | None, most: int = 4) -> list[str]:
    """The `most` streets with the most address points inside the cell, most first."""
    key = "cell-streets:{version}:{south}:{west}:{north}:{east}".format(version=table_version, **cell)
    streets = cache.get(key)
    if streets is None:
        rows = (
            AddressPoint.objects.filter(
                latitude__gte=cell["south"],
                latitude__lt=cell["north"],
                longitude__gte=cell["west"],
                longitude__lt=cell["east"],
            )
            .exclude(street="")
            .values("street")
            .annotate(points=Count("pk"))
            .order_by("-points", "street")[:most]
        )
        streets = [street_words(row["street"]) for row in rows]
        cache.set(key, streets, CELL_STREETS_CACHE_SECONDS)
    return streets


def yearly_report_rows(agency: Agency | None, year: int) -> list[list[object]]:
    """Month by month for one calendar year: new registrations, searches, requests, purged records."""
    registrations = Registration.objects.exclude(status=Status.REJECTED)
    if agency is not None:
        registrations = registrations.filter(agency=agency)
    searches = searches_queryset(agency)
    purges = (
        PurgeRecord.objects.all()
        if agency is None
        else PurgeRecord.objects.filter(Q(agency=agency) | Q(agency__isnull=True))
    )
    rows = []
    for month in range(1, 13):
        start = timezone.make_aware(datetime(year, month, 1))
        end = timezone.make_aware(datetime(year + (month == 12), month % 12 + 1, 1))
        stats = footage_request_stats(agency, since=start)
        later = footage_request_stats(agency, since=end)
        rows.append(
            [
                f"{year}-{month:02d}",
                registrations.filter(created_at__gte=start, created_at__lt=end).count(),
                searches.filter(created_at__gte=start, created_at__lt=end).count(),
                *(stats[key] - later[key] for key in ("sent", "answered", "fulfilled")),
                sum(purges.filter(ran_at__gte=start, ran_at__lt=end).values_list("count", flat=True)),
            ]
        )
    return rows


YEARLY_REPORT_HEADER = [
    "month",
    "new_registrations",
    "canvass_searches",
    "footage_requests_sent",
    "requests_answered",
    "requests_fulfilled",
    "records_purged",
]
