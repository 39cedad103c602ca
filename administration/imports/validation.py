"""A row's input checked with the public form's own rules (`registrations.services.registration_input_errors`,
the function the form's service calls) and against the agencies' jurisdictions.

Each problem names the column as written in the file; one problem per column: what reading the cell
found says more than the form's generic rule.
"""

from __future__ import annotations

from agencies.models import Agency
from registrations.services import RegistrationInput, registration_input_errors

from .lookups import AgencyFinder
from .mapping import error_column
from .rows import Problems


def form_problems(
    data: RegistrationInput, problems: Problems, mapping: dict[str, int], headers: list[str], address_column: str
) -> None:
    """Add to `problems` what the form's rules find in `data`, skipping columns that already have one."""
    errors = registration_input_errors(data)
    read_columns = {column for column, _problem in problems}
    for name, messages in errors.items():
        if name == "location" and (address_column in read_columns or not data.street_address):
            continue  # "address not found" already says it, or there is no address to place
        for message in messages:
            column = error_column(name, mapping, headers)
            if column not in read_columns and (column, message) not in problems:
                problems.append((column, message))


def agency_problems(
    data: RegistrationInput, finder: AgencyFinder, address_column: str
) -> tuple[Agency | None, Problems]:
    """(agency whose jurisdiction holds the row's point, problems): none when it is outside every one.
    Rows of another agency than the import's are routed in `routing.py`, then `terms_problems` applies."""
    agency = finder.find(data.latitude, data.longitude)
    if agency is None:
        return None, [(address_column, "The address is outside every jurisdiction served by this registry.")]
    return agency, []


def terms_problems(agency: Agency, finder: AgencyFinder) -> Problems:
    """A consent is recorded against the agency's current terms: it must have published them."""
    if finder.terms[agency.id] is None:
        return [("", f"{agency.name} has not published its program terms yet; publish them first.")]
    return []
