"""Writing an import's accepted rows: registrations, their cameras, a consent each and the `ImportedRow`
that makes re-importing safe, in batches through the shared `registrations.bulk.BulkWriter`, inside
the caller's transaction (all of them or none).

Consent: owners on an imported list agreed to the old program's form; the import records a consent
against the agency's *current* terms with source "import". Imported registrations count as confirmed
on the day of the import; `created_at` keeps the form's date.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency
from registrations.bulk import BulkWriter, large_page_cache
from registrations.models import Camera, ConsentRecord, ConsentSource, PropertyType, Registration, Status
from registrations.services import RegistrationInput

from ..models import ImportedRow
from .options import ImportOptions

BATCH = 2000

_REGISTRATION_FIELDS = [
    "agency", "status", "property_type", "business_name", "street_address", "unit", "city",
    "postal_code", "latitude", "longitude", "location_corrected", "owner_name", "owner_phone",
    "owner_email", "owner_email_hash", "preferred_contact_method", "contact_hours", "alternate_name",
    "alternate_phone", "alternate_email", "alternate_relation", "confirms_exterior_cameras",
    "confirms_records_and_keeps_video", "notes_for_detectives", "language", "created_at",
    "updated_at", "last_confirmed_at", "verified_at",
]  # fmt: skip
_CAMERA_FIELDS = [
    "registration", "locations", "records_street", "description", "bearing_degrees",
    "field_of_view_degrees", "range_m", "retention_days", "exports_common_format", "brand",
]  # fmt: skip


@dataclass
class Accepted:
    row: int
    fingerprint: str
    agency: Agency
    data: RegistrationInput
    created_at: datetime | None
    owner_email_hash: str


class _Writers:
    def __init__(self, options: ImportOptions, source_name: str, terms: dict) -> None:
        now = timezone.now()
        self.adapt_time = cache(connection.ops.adapt_datetimefield_value)  # form exports repeat their timestamps
        self.when = self.adapt_time(now)
        self.verified_at = self.when if options.status == Status.ACTIVE else None
        self.status = str(options.status)
        self.source_name = source_name[:200]
        self.terms_ids = {agency_id: version.pk for agency_id, version in terms.items() if version is not None}
        self.locations_field = Camera._meta.get_field("locations")
        self.stored_locations: dict[tuple[str, ...], object] = {}
        self.registrations = BulkWriter(Registration, _REGISTRATION_FIELDS, now=now)
        # Nothing refers to cameras, consents and imported rows: the database numbers them.
        self.cameras = BulkWriter(Camera, _CAMERA_FIELDS, now=now, ids=False)
        self.consents = BulkWriter(
            ConsentRecord, ["registration", "terms_version", "accepted_at", "source", "language"], now=now, ids=False
        )
        self.rows = BulkWriter(
            ImportedRow, ["agency", "fingerprint", "registration", "source_name"], now=now, ids=False
        )

    def registration(self, item: Accepted, registration_id: int) -> tuple:
        data, when = item.data, self.when
        return (
            registration_id,
            item.agency.id,
            self.status,
            str(data.property_type),
            data.business_name if data.property_type == PropertyType.BUSINESS else "",
            data.street_address,
            data.unit,
            data.city,
            data.postal_code,
            data.latitude,
            data.longitude,
            data.geocoded_latitude is not None
            and (data.geocoded_latitude, data.geocoded_longitude) != (data.latitude, data.longitude),
            data.owner_name,  # encrypted by the writer, as the model field would
            data.owner_phone,
            data.owner_email.lower(),
            item.owner_email_hash,
            str(data.preferred_contact_method),
            data.contact_hours,
            data.alternate_name,
            data.alternate_phone,
            data.alternate_email.lower(),
            data.alternate_relation,
            True,
            True,
            data.notes_for_detectives,
            data.language,
            self.adapt_time(item.created_at) if item.created_at else when,
            when,
            when,
            self.verified_at,
        )

    def cameras_of(self, item: Accepted, registration_id: int) -> Iterator[tuple]:
        for camera in item.data.cameras:
            key = tuple(sorted(set(camera.locations)))
            if key not in self.stored_locations:
                self.stored_locations[key] = self.locations_field.get_db_prep_save(list(key), connection)
            yield (
                registration_id,
                self.stored_locations[key],
                camera.records_street,
                camera.description,
                camera.bearing_degrees,
                camera.field_of_view_degrees,
                camera.range_m,
                camera.retention_days,
                str(camera.exports_common_format),
                camera.brand,
            )

    def consent(self, item: Accepted, registration_id: int) -> tuple:
        return (
            registration_id,
            self.terms_ids[item.agency.id],
            self.when,
            str(ConsentSource.IMPORT),
            item.data.language,
        )

    def imported_row(self, item: Accepted, registration_id: int) -> tuple:
        return (item.agency.id, item.fingerprint, registration_id, self.source_name)


def save(accepted: list[Accepted], options: ImportOptions, source_name: str, terms: dict) -> int:
    """Insert every accepted row; returns how many registrations were created.

    Registrations first (a stream per BATCH, `options.progress` told between them), then the rows that
    refer to them, each table in one stream: rows are built and sealed while the database stores the
    ones before (PostgreSQL checks the foreign keys at commit). Nothing else may use the connection
    while a stream is open.
    """
    writers = _Writers(options, source_name, terms)
    with large_page_cache(), transaction.atomic():
        # Registration ids for the whole file at once (cameras, consents and imported rows refer to them).
        pairs = list(zip(accepted, writers.registrations.reserve_ids(len(accepted)), strict=True))
        for start in range(0, len(pairs), BATCH):
            # One stream per batch: progress is told between streams, never while a COPY holds the connection.
            batch = pairs[start : start + BATCH]
            writers.registrations.write_all((writers.registration(item, row_id) for item, row_id in batch), BATCH)
            if options.progress:
                options.progress("save", min(start + BATCH, len(pairs)), len(pairs))
        writers.cameras.write_all(
            (camera for item, row_id in pairs for camera in writers.cameras_of(item, row_id)), BATCH
        )
        writers.consents.write_all((writers.consent(item, row_id) for item, row_id in pairs), BATCH)
        writers.rows.write_all((writers.imported_row(item, row_id) for item, row_id in pairs), BATCH)
    return len(accepted)
