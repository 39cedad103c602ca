"""Writing an import's accepted rows: registrations, their cameras, a consent each and the `ImportedRow`
that makes re-importing safe, in batches through the shared `registrations.bulk.BulkWriter`, inside
the caller's transaction (all of them or none).

Consent: owners on an imported list agreed to the old program's form; the import records a consent
against the agency's *current* terms with source "import". Imported registrations count as confirmed
on the day of the import; `created_at` keeps the form's date.
"""

from __future__ import annotations

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
        self.cameras = BulkWriter(Camera, _CAMERA_FIELDS, now=now)
        self.consents = BulkWriter(
            ConsentRecord, ["registration", "terms_version", "accepted_at", "source", "language"], now=now
        )
        self.rows = BulkWriter(ImportedRow, ["agency", "fingerprint", "registration", "source_name"], now=now)

    def registration(self, item: Accepted, registration_id: int) -> None:
        data, when = item.data, self.when
        self.registrations.add(
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

    def related(self, item: Accepted, registration_id: int, ids) -> None:
        camera_ids, consent_ids, row_ids = ids
        for camera in item.data.cameras:
            key = tuple(sorted(set(camera.locations)))
            if key not in self.stored_locations:
                self.stored_locations[key] = self.locations_field.get_db_prep_save(list(key), connection)
            self.cameras.add(
                next(camera_ids),
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
        self.consents.add(
            next(consent_ids),
            registration_id,
            self.terms_ids[item.agency.id],
            self.when,
            str(ConsentSource.IMPORT),
            item.data.language,
        )
        self.rows.add(next(row_ids), item.agency.id, item.fingerprint, registration_id, self.source_name)


def save(accepted: list[Accepted], options: ImportOptions, source_name: str, terms: dict) -> int:
    """Insert every accepted row; returns how many registrations were created."""
    writers = _Writers(options, source_name, terms)
    with large_page_cache(), transaction.atomic():
        for start in range(0, len(accepted), BATCH):
            batch = accepted[start : start + BATCH]
            registration_ids = writers.registrations.reserve_ids(len(batch))
            for item, registration_id in zip(batch, registration_ids, strict=True):
                writers.registration(item, registration_id)
            writers.registrations.flush()
            ids = (
                iter(writers.cameras.reserve_ids(sum(len(item.data.cameras) for item in batch))),
                iter(writers.consents.reserve_ids(len(batch))),
                iter(writers.rows.reserve_ids(len(batch))),
            )
            for item, registration_id in zip(batch, registration_ids, strict=True):
                writers.related(item, registration_id, ids)
            for writer in (writers.cameras, writers.consents, writers.rows):
                writer.flush()
            if options.progress:
                options.progress("save", min(start + BATCH, len(accepted)), len(accepted))
    return len(accepted)
