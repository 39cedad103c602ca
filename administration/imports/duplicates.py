"""Rows that are already there: repeated in the file, imported from an earlier file (kept after the
owner withdrew, so an owner who left is never re-created), or registered by the owner on the form.
"""

from __future__ import annotations

from collections.abc import Callable

from agencies.models import Agency
from registrations.services import RegistrationInput

from ..models import ImportedRow
from .lookups import existing_registrations
from .report import RowProblem


class Duplicates:
    def __init__(self, normalize: Callable[[str], str]) -> None:
        self.normalize = normalize
        self.seen: dict[tuple[int, str], int] = {}
        self.imported = {
            (agency_id, fingerprint): registration_id
            for agency_id, fingerprint, registration_id in ImportedRow.objects.values_list(
                "agency_id", "fingerprint", "registration_id"
            )
        }
        self.existing = existing_registrations(normalize)

    def verdict(
        self, row_number: int, agency: Agency, data: RegistrationInput, fingerprint: str, email_hash: str
    ) -> RowProblem | None:
        """Why the row is skipped as already there, or None when it is new."""
        key = (agency.id, fingerprint)
        if key in self.seen:
            return RowProblem(
                row_number,
                "",
                f"Same address and owner as row {self.seen[key]}; not imported twice.",
                "skipped",
                "repeat",
            )
        self.seen[key] = row_number
        if key in self.imported:
            withdrawn = not self.imported[key]
            return RowProblem(
                row_number,
                "",
                "Already imported from an earlier file"
                + ("; the owner has since withdrawn, so it is not re-created." if withdrawn else "."),
                "skipped",
                "withdrawn" if withdrawn else "already_imported",
            )
        registered = (agency.id, self.normalize(data.street_address), data.unit.upper(), email_hash)
        if data.owner_email and registered in self.existing:
            return RowProblem(
                row_number, "", "This owner already registered this address.", "skipped", "already_registered"
            )
        return None
