"""Rows that are already there, and resubmissions.

The same person submitting twice (same normalised address, unit and name, with or without email;
or the same address and contact) is one registration: within a file the newest answer by the form's
timestamp wins (on a tie the later row; the same answers again are a repeat of the first row), and the
report says which row replaced which and what changed. Against the database, in this order:
- a row imported from an earlier file (its fingerprint is kept after the owner withdrew, so an owner
  who left is never re-created) is skipped;
- an owner who registered this address on the form with this email is skipped;
- a registration of the same person at the same address (made on the form or imported before) is
  updated by a newer answer, through the owners' update service with an audit entry; an older or
  undated answer leaves it as it is, and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from registrations.models import Registration
from registrations.services import RegistrationInput

from ..models import ImportedRow
from .lookups import existing_registrations, person_key, registrations_by_person
from .report import RowProblem
from .writer import Accepted

# What a person calls each field when the report says what changed.
CHANGE_LABELS = {
    "owner_name": "name",
    "owner_phone": "phone",
    "owner_email": "email",
    "property_type": "residence or business",
    "business_name": "business name",
    "unit": "unit",
    "alternate_name": "alternate person",
    "alternate_phone": "alternate phone",
    "alternate_email": "alternate email",
    "alternate_relation": "alternate relation",
    "preferred_contact_method": "contact method",
    "contact_hours": "best time to call",
    "notes_for_detectives": "notes",
}
_CASELESS = ("owner_email", "alternate_email")
# The file's columns (mapping targets) that answer each field; a field the file has no column for keeps
# the registration's value when an answer updates it.
_ANSWERED_BY = {
    **{name: (name,) for name in CHANGE_LABELS},
    "owner_name": ("owner_name", "owner_first_name", "owner_last_name"),
    "property_type": ("property_type", "business_name"),
    "language": ("language",),
}


def _value(source, name: str) -> str:
    value = str(getattr(source, name) or "")
    return value.lower() if name in _CASELESS else value


def changes(old, new: RegistrationInput, cameras: bool = True) -> list[str]:
    """Labels of the answers that differ between `old` (an input or a registration) and `new`."""
    changed = [label for name, label in CHANGE_LABELS.items() if _value(old, name) != _value(new, name)]
    if cameras and [vars(camera) for camera in old.cameras] != [vars(camera) for camera in new.cameras]:
        changed.append("cameras")
    return changed


def _changed_text(labels: list[str]) -> str:
    return ", ".join(labels) + " changed"


@dataclass
class Update:
    item: Accepted
    registration: Registration
    changed: list[str]


@dataclass
class Resolution:
    accepted: list[Accepted] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)


def _stamp(item: Accepted) -> float:
    return item.created_at.timestamp() if item.created_at else float("-inf")


def _newest(items: list[Accepted]) -> Accepted:
    """The newest answer by the form's date (on a tie the later row); an answer that says the same as an
    earlier one is a repeat, and the earlier row stays (with its date)."""
    winner = items[0]
    for item in items[1:]:
        if _stamp(item) >= _stamp(winner) and changes(winner.data, item.data):
            winner = item
    return winner


def _answered_at(registration: Registration) -> datetime:
    """When the owner last answered: the form's date, or the owner's latest change."""
    return max(registration.created_at, registration.owner_changed_at or registration.created_at)


class Duplicates:
    def __init__(
        self, normalize: Callable[[str], str], addresses: set[str], mapped: set[str] | frozenset[str] = frozenset()
    ) -> None:
        self.normalize = normalize
        self.mapped = mapped
        self.imported = {
            (agency_id, fingerprint): registration_id
            for agency_id, fingerprint, registration_id in ImportedRow.objects.values_list(
                "agency_id", "fingerprint", "registration_id"
            )
        }
        self.existing = existing_registrations(normalize)
        self.people = registrations_by_person(normalize, addresses)
        self.groups: list[list[Accepted]] = []
        self.group_of: dict[tuple, int] = {}

    def _person(self, item: Accepted) -> tuple:
        data = item.data
        return person_key(item.agency.id, data.street_address, data.unit, data.owner_name, self.normalize)

    def add(self, item: Accepted) -> None:
        keys = [("contact", item.agency.id, item.fingerprint), ("person", *self._person(item))]
        index = next((self.group_of[key] for key in keys if key in self.group_of), None)
        if index is None:
            index = len(self.groups)
            self.groups.append([])
        self.groups[index].append(item)
        for key in keys:
            self.group_of.setdefault(key, index)

    def resolve(self) -> Resolution:
        """The rows to create, the registrations to update and the rows skipped, once every row is in."""
        resolution = Resolution()
        winners = []
        for items in self.groups:
            winner = _newest(items)
            winners.append(winner)
            for item in items:
                if item is not winner:
                    resolution.skipped.append(_replaced(item, winner))
        matched = {self.people.get(self._person(item)) for item in winners} - {None}
        registrations = Registration.objects.prefetch_related("cameras").in_bulk(matched)
        for item in sorted(winners, key=lambda item: item.row):
            self._against_database(item, registrations, resolution)
        return resolution

    def _against_database(self, item: Accepted, registrations: dict, resolution: Resolution) -> None:
        key = (item.agency.id, item.fingerprint)
        if key in self.imported:
            withdrawn = not self.imported[key]
            resolution.skipped.append(
                RowProblem(
                    item.row,
                    "",
                    "Already imported from an earlier file"
                    + ("; the owner has since withdrawn, so it is not re-created." if withdrawn else "."),
                    "skipped",
                    "withdrawn" if withdrawn else "already_imported",
                )
            )
            return
        data = item.data
        registration = registrations.get(self.people.get(self._person(item)))
        if registration is not None:
            for name, targets in _ANSWERED_BY.items():
                if not self.mapped.intersection(targets):
                    setattr(data, name, getattr(registration, name))
        registered = (item.agency.id, self.normalize(data.street_address), data.unit.upper(), item.owner_email_hash)
        if (data.owner_email and registered in self.existing) or (
            registration is not None and not changes(registration, data, cameras=False)
        ):
            resolution.skipped.append(
                RowProblem(item.row, "", "This owner already registered this address.", "skipped", "already_registered")
            )
            return
        if registration is None:
            resolution.accepted.append(item)
            return
        answered = timezone.localtime(_answered_at(registration)).date().isoformat()
        if item.created_at is None or item.created_at <= _answered_at(registration):
            reason = "the row has no date" if item.created_at is None else "this answer is older"
            resolution.skipped.append(
                RowProblem(
                    item.row,
                    "",
                    f"Same owner and address as the registration answered on {answered}; {reason}, "
                    "so that registration is kept as it is.",
                    "skipped",
                    "kept",
                )
            )
            return
        changed = changes(registration, data, cameras=False)
        resolution.updates.append(Update(item, registration, changed))
        resolution.skipped.append(
            RowProblem(
                item.row,
                "",
                f"Updates the registration answered on {answered}: {_changed_text(changed)}.",
                "updated",
                "update",
            )
        )


def _replaced(item: Accepted, winner: Accepted) -> RowProblem:
    changed = changes(item.data, winner.data)
    if not changed:
        return RowProblem(
            item.row, "", f"Same address and owner as row {winner.row}; not imported twice.", "skipped", "repeat"
        )
    return RowProblem(
        item.row, "", f"Row {winner.row} replaces row {item.row}: {_changed_text(changed)}.", "skipped", "replaced"
    )
