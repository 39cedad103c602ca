"""Administration writes: exports, agency settings and the retention purge.

Verification, rejection and merges of registrations live in registrations.services.staff.

Each service checks its own rules and writes its own audit entry, so no path can skip either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import sharing_uses_record
from agencies.models import (
    REGISTRATION_EVENT_MAX_DAYS_AHEAD,
    Agency,
    OffenseType,
    TermsVersion,
    is_forbidden_purpose,
    validate_boundary,
)
from agencies.services import agency_save, terms_publish
from audit.services import audit_purge_before, audit_record
from cameraregistry import safe_json
from footage.services import footage_purge_for_agency
from registrations.services.staff import registration_tombstones_purge, registrations_purge

from .exporting import FORMATS, WRITERS, export_queryset
from .models import ImportedRow, PurgeRecord

# ---------------------------------------------------------------- exports


def registrations_export(
    *,
    queryset,
    format: str,
    stream: TextIO,
    actor=None,
    agency: Agency | None = None,
    contacts: bool = False,
    request=None,
) -> int:
    """Write the (already scoped) registrations in `format`; the export is audited with its size."""
    if format not in FORMATS:
        raise ValidationError(f"Unknown export format '{format}'; choose one of {', '.join(FORMATS)}.")
    with transaction.atomic():
        count = WRITERS[format](export_queryset(queryset), stream, contacts=contacts)
        audit_record(
            action="registration.export",
            actor=actor,
            agency=agency,
            object_type="registration",
            parameters={"format": format, "count": count, "contacts": contacts},
            request=request,
        )
        if actor is not None:
            sharing_uses_record(
                user=actor,
                agency_ids=queryset.order_by().values_list("agency_id", flat=True).distinct(),
                action="registration.export",
                object_type="registration",
                request=request,
            )
    return count


# ---------------------------------------------------------------- agency settings

SETTINGS_FIELDS = [
    "max_search_window_hours",
    "default_search_radius_m",
    "max_search_radius_m",
    "reconfirm_interval_months",
    "reconfirm_grace_days",
    "request_reminder_days",
    "request_expiry_days",
    "footage_retention_days_after_close",
    "stale_removal_months",
    "audit_retention_days",
    "lockout_auto_unlock_minutes",
    "rejected_removal_days",
    "length_units",
]
# How many completed registrations the public form takes per hour from one network (a drive raises it).
REGISTRATION_LIMIT_FIELDS = [
    "registrations_per_hour_per_network",
    "registration_event_limit_per_hour",
    "registration_event_until",
]


@transaction.atomic
def agency_settings_update(*, agency: Agency, changes: dict, actor, request=None) -> Agency:
    """Change program settings (allow-listed fields only), validated by the model, audited old -> new."""
    unknown = set(changes) - set(SETTINGS_FIELDS) - set(REGISTRATION_LIMIT_FIELDS)
    if unknown:
        raise ValidationError(f"These settings cannot be changed here: {', '.join(sorted(unknown))}.")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    before = {name: getattr(agency, name) for name in changes}
    if "registration_event_until" in changes and changes["registration_event_until"] != before.get(
        "registration_event_until"
    ):
        _check_event_end(changes["registration_event_until"])
    for name, value in changes.items():
        setattr(agency, name, value)
    agency_save(agency=agency)
    changed = {name: [before[name], getattr(agency, name)] for name in changes if before[name] != getattr(agency, name)}
    if changed:
        audit_record(
            action="agency.settings_change",
            actor=actor,
            agency=agency,
            object_type="agency",
            object_id=agency.pk,
            parameters={"changed": changed},
            request=request,
        )
    return agency


def _check_event_end(until) -> None:
    """A new event end is ahead, and near enough that a forgotten event mode ends by itself."""
    if until is None:
        return
    now = timezone.now()
    if until <= now:
        raise ValidationError({"registration_event_until": "The event end must be in the future."})
    if until > now + timedelta(days=REGISTRATION_EVENT_MAX_DAYS_AHEAD):
        raise ValidationError(
            {
                "registration_event_until": f"Event mode can last at most {REGISTRATION_EVENT_MAX_DAYS_AHEAD} days "
                "from now; enter an earlier end, and set it again for a later event."
            }
        )


BOUNDARY_MAX_FILE_BYTES = 20 * 1024 * 1024


def parse_boundary(text: str | bytes) -> dict:
    """Accept a GeoJSON geometry, Feature or FeatureCollection with one (Multi)Polygon; return the geometry."""
    try:
        data = safe_json.loads(text)
    except (safe_json.JSONTooDeep, safe_json.JSONTooLong) as error:
        raise ValidationError(f"The file is not valid GeoJSON: {error}") from None
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("The file is not valid GeoJSON (it cannot be read as JSON).") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        polygons = [f.get("geometry") for f in features if isinstance(f, dict) and isinstance(f.get("geometry"), dict)]
        if len(polygons) != 1:
            raise ValidationError(
                f"The FeatureCollection must hold exactly one polygon feature; it holds {len(polygons)}."
            )
        data = polygons[0]
    elif isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    validate_boundary(data)
    return data


@transaction.atomic
def agency_boundary_update(*, agency: Agency, boundary: dict, actor, request=None) -> Agency:
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    agency.boundary = boundary
    agency_save(agency=agency)
    audit_record(
        action="agency.boundary_change",
        actor=actor,
        agency=agency,
        object_type="agency",
        object_id=agency.pk,
        parameters={
            "type": boundary.get("type"),
            "bbox": [agency.min_latitude, agency.min_longitude, agency.max_latitude, agency.max_longitude],
        },
        request=request,
    )
    return agency


@transaction.atomic
def agency_terms_publish(*, agency: Agency, text_en: str, text_es: str = "", actor, request=None) -> TermsVersion:
    """Publish new terms; owners who agreed to an older version are asked again by the owner pages."""
    if not text_en.strip():
        raise ValidationError("Enter the terms text in English.")
    current = agency.current_terms()
    if current and current.text_en.strip() == text_en.strip() and current.text_es.strip() == text_es.strip():
        raise ValidationError("The text is the same as the current version; nothing to publish.")
    terms = terms_publish(agency=agency, text_en=text_en.strip(), text_es=text_es.strip())
    audit_record(
        action="agency.terms_publish",
        actor=actor,
        agency=agency,
        object_type="terms",
        object_id=terms.pk,
        parameters={"version": terms.version},
        request=request,
    )
    return terms


@transaction.atomic
def offense_type_add(*, agency: Agency, name: str, actor, request=None) -> OffenseType:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Enter the name of the offense type.")
    if is_forbidden_purpose(name):
        raise ValidationError("Protests, lawful assembly and demonstrations are never an allowed purpose for a search.")
    existing = OffenseType.objects.filter(agency=agency, name__iexact=name).first()
    if existing is not None:
        if existing.active:
            raise ValidationError(f"'{existing.name}' is already on the list.")
        existing.active = True
        existing.save(update_fields=["active"])
        offense = existing
    else:
        offense = OffenseType(agency=agency, name=name)
        offense.full_clean()
        offense.save()
    audit_record(
        action="agency.offense_type_add",
        actor=actor,
        agency=agency,
        object_type="offense_type",
        object_id=offense.pk,
        parameters={"name": offense.name},
        request=request,
    )
    return offense


@transaction.atomic
def offense_type_deactivate(*, offense: OffenseType, actor, request=None) -> OffenseType:
    offense.active = False
    offense.save(update_fields=["active"])
    audit_record(
        action="agency.offense_type_deactivate",
        actor=actor,
        agency=offense.agency,
        object_type="offense_type",
        object_id=offense.pk,
        parameters={"name": offense.name},
        request=request,
    )
    return offense


# ---------------------------------------------------------------- retention purge


@dataclass
class PurgeReport:
    """What one run removed: totals by kind, and by agency name then kind (for the command's output)."""

    totals: dict[str, int]
    by_agency: dict[str, dict[str, int]] = field(default_factory=dict)


@transaction.atomic  # with its audit entry: a purge that cannot be recorded does not happen
def purge_expired(*, now: datetime | None = None, actor=None) -> PurgeReport:
    """Apply every agency's retention rules. Running it twice removes nothing more.

    - Registrations not re-confirmed for `stale_removal_months` months (whatever their status) are deleted.
    - Registrations rejected as spam more than `rejected_removal_days` days ago are deleted.
    - Evidence files of cases closed more than `footage_retention_days_after_close` days ago are deleted
      from storage; their records stay as tombstones (footage.services.footage_purge_for_agency).
    - Audit entries older than the longest `audit_retention_days` of any agency, and never younger than 365 days.
    - Sync-feed tombstones of removed registrations older than REGISTRATION_TOMBSTONE_DAYS (not a PurgeRecord kind:
      they hold no personal data; the count is in the report's totals and the audit entry).
    Withdrawn registrations are erased at once by the owner flow, so there is nothing left of them here.
    """
    now = now or timezone.now()
    report = PurgeReport(totals={kind: 0 for kind in PurgeRecord.Kind.values})
    records = []
    for agency in Agency.objects.order_by("name", "pk"):
        stale, rejected = registrations_purge(agency=agency, now=now)
        counts = {
            PurgeRecord.Kind.STALE_REGISTRATIONS: stale,
            PurgeRecord.Kind.REJECTED_REGISTRATIONS: rejected,
            PurgeRecord.Kind.FOOTAGE_FILES: footage_purge_for_agency(agency=agency, now=now),
        }
        report.by_agency[agency.name] = {str(kind): count for kind, count in counts.items()}
        for kind, count in counts.items():
            report.totals[kind] += count
            if count:
                records.append(PurgeRecord(ran_at=now, agency=agency, kind=kind, count=count))
    retention_days = max([365, *Agency.objects.values_list("audit_retention_days", flat=True)])
    removed = audit_purge_before(now - timedelta(days=retention_days), actor=actor)
    report.totals[PurgeRecord.Kind.AUDIT_ENTRIES] += removed
    if removed:
        records.append(PurgeRecord(ran_at=now, agency=None, kind=PurgeRecord.Kind.AUDIT_ENTRIES, count=removed))
    PurgeRecord.objects.bulk_create(records)
    before = now - timedelta(days=settings.REGISTRATION_TOMBSTONE_DAYS)
    report.totals["registration_tombstones"] = registration_tombstones_purge(before=before)
    audit_record(
        action="retention.purge",
        actor=actor,
        object_type="retention",
        parameters={**report.totals, "by_agency": report.by_agency},
    )
    return report


__all__ = [
    "ImportedRow",
    "PurgeReport",
    "agency_boundary_update",
    "agency_settings_update",
    "agency_terms_publish",
    "offense_type_add",
    "offense_type_deactivate",
    "parse_boundary",
    "purge_expired",
    "registrations_export",
]
