"""Registrations an import updates: a newer answer of the same owner at the same address replaces the
owner's answers through the owners' own update service (validation, the verification queue's
"changed" marks, an audit entry "registration.import_update" naming the staff member). The owner's
cameras are kept as they are: a spreadsheet row describes them more coarsely than the form.
"""

from __future__ import annotations

from registrations.services import CameraChange, CameraInput, registration_owner_update

from ..models import ImportedRow
from .duplicates import Update
from .options import ImportOptions


def _cameras_kept(registration) -> list[CameraChange]:
    return [
        CameraChange(
            camera.pk,
            CameraInput(
                locations=list(camera.locations),
                records_street=camera.records_street,
                retention_days=camera.retention_days,
                description=camera.description,
                bearing_degrees=camera.bearing_degrees,
                field_of_view_degrees=camera.field_of_view_degrees,
                range_m=camera.range_m,
                exports_common_format=camera.exports_common_format,
                brand=camera.brand,
            ),
        )
        for camera in registration.cameras.order_by("pk")
    ]


def apply_updates(updates: list[Update], options: ImportOptions, source_name: str) -> int:
    """Update each matched registration; the row's fingerprint is kept so importing the file again skips it."""
    for update in updates:
        registration = registration_owner_update(
            registration=update.registration,
            data=update.item.data,
            cameras=_cameras_kept(update.registration),
            request=options.request,
            action="registration.import_update",
            actor=options.actor,
        )
        ImportedRow.objects.create(
            agency_id=update.item.agency.id,
            fingerprint=update.item.fingerprint,
            registration=registration,
            source_name=source_name[:200],
        )
    return len(updates)
