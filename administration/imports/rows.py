"""One spreadsheet row into the registration the public form would build (`RegistrationInput`).

`row_to_input(cells, context)` reads each mapped cell with the parsers of `values.py` and returns
a `RowResult`: the input (or None when a cell cannot be read at all), the problems found, each
with the column's header as written, and the form's date. A source profile may have its own hook
(`ROW_HOOKS`) that reads a row differently or skips it (returns a `SkippedRow`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from cameraregistry import geo
from registrations.geocoding import geocode
from registrations.models import ContactMethod, ExportFormat, PropertyType, Registration
from registrations.services import CameraInput, RegistrationInput

from .lookups import AddressBook
from .mapping import header_as_written
from .options import ImportOptions
from .report import NEAREST_PREFIX
from .values import (
    ValueProblem,
    formula_problem,
    is_placeholder,
    is_sign_in_placeholder,
    parse_date,
    parse_direction,
    parse_export_format,
    parse_locations,
    parse_records_street,
    parse_retention,
    parse_whole_number,
    parse_yes_no,
)

# Optional fields where "N/A", "none" or "-" mean empty; True where "Residence" or "Home" do too.
_OPTIONAL_TEXT = {
    **dict.fromkeys(("business_name", "owner_email", "unit", "alternate_relation"), True),
    **dict.fromkeys(("alternate_name", "alternate_phone", "alternate_email"), True),
    **dict.fromkeys(("camera_description", "notes_for_detectives", "brand", "contact_hours"), False),
}


# Length limits of the model's text columns, so a long cell is a clear row problem, not a database error.
def _column_max_length(name: str) -> int:
    field = Registration._meta.get_field(name)
    limit = getattr(field, "max_length", None)
    if not isinstance(limit, int):
        raise TypeError(f"Registration.{name} has no length limit")
    return limit


_MAX_LENGTHS = {
    name: _column_max_length(name)
    for name in (
        "business_name",
        "street_address",
        "unit",
        "city",
        "postal_code",
        "contact_hours",
        "alternate_relation",
    )
}
_MAX_LENGTHS.update(camera_description=300, brand=100, owner_name=200, alternate_name=200, notes_for_detectives=5000)

_NAME_TARGETS = ("owner_name", "owner_first_name", "owner_last_name")

Problems = list[tuple[str, str]]  # (column header as written, problem)


@dataclass
class RowContext:
    """What every row of one file shares."""

    mapping: dict[str, int]
    headers: list[str]
    options: ImportOptions
    addresses: AddressBook
    zone: tzinfo | None = None
    # Suggestions cost a fuzzy look-up each: a file of wrong addresses gets them for its first rows only.
    suggestions_left: int = 300

    def column(self, target: str) -> str:
        index = self.mapping.get(target)
        return header_as_written(self.headers, index) if index is not None else ""


@dataclass
class RowResult:
    data: RegistrationInput | None
    problems: Problems = field(default_factory=list)
    submitted: datetime | None = None


@dataclass
class SkippedRow:
    """A row a profile's hook recognised as not a registration; the report says why."""

    reason: str


class _Row:
    """The row's cells by target (a target not mapped, or a short row's missing cell, reads as "")."""

    def __init__(self, cells: list[str], context: RowContext) -> None:
        self.context = context
        self.cells = {target: cells[index] for target, index in context.mapping.items() if index < len(cells)}
        self.problems: Problems = []

    def get(self, target: str) -> str:
        return self.cells.get(target, "")

    def parse(self, target: str, parser: Callable, default=None):
        text = self.cells.get(target, "")
        if not text:
            return default
        try:
            return parser(text)
        except ValueProblem as problem:
            self.problems.append((self.context.column(target), str(problem)))
            return default


def clean_cells(row: dict[str, str], column: Callable[[str], str]) -> tuple[Problems, tuple | None]:
    """Formula cells as problems; placeholders ("N/A", "-", a sign-in's "anonymous") emptied in `row`.

    Returns (problems, (target, text) of a name that was a sign-in placeholder, or None)."""
    problems: Problems = []
    sign_in = None
    for target, text in row.items():
        if problem := formula_problem(text):
            problems.append((column(target), problem))
        elif text and target in _OPTIONAL_TEXT and is_placeholder(text, business=_OPTIONAL_TEXT[target]):
            row[target] = ""  # "N/A", "none", "-": the person meant empty
        elif text and (target in _NAME_TARGETS or target == "owner_email") and is_sign_in_placeholder(text):
            row[target] = ""  # "anonymous": the form's sign-in, never the owner's contact
            if target in _NAME_TARGETS:
                sign_in = sign_in or (target, text)
    return problems, sign_in


def _owner_name(row: _Row, sign_in: tuple | None) -> str:
    name = row.get("owner_name") or " ".join(filter(None, [row.get("owner_first_name"), row.get("owner_last_name")]))
    if not name and sign_in:
        target, text = sign_in
        row.problems.append(
            (row.context.column(target), f"'{text[:20]}' is the form's sign-in placeholder, not the owner's name.")
        )
    return name


def _camera(row: _Row) -> CameraInput:
    options = row.context.options
    locations, unknown = (
        parse_locations(row.get("camera_locations")) if row.get("camera_locations") else (["other"], [])
    )
    description = row.get("camera_description")
    if unknown:
        description = "; ".join(filter(None, [description, "Location: " + ", ".join(unknown)]))[:300]
    retention = row.parse("retention_days", parse_retention, options.default_retention_days)
    if "retention_days" in row.context.mapping and not row.get("retention_days"):
        retention = options.default_retention_days
    records_street, street_text = row.parse("records_street", parse_records_street, (None, ""))
    if street_text and street_text.lower() not in description.lower():
        description = "; ".join(filter(None, [description, street_text]))[:300]
    exports = row.parse("exports_common_format", parse_export_format, ExportFormat.UNKNOWN)
    return CameraInput(
        locations=locations,
        records_street=bool(records_street),
        retention_days=retention,
        description=description,
        bearing_degrees=row.parse("bearing_degrees", parse_direction),
        field_of_view_degrees=row.parse(
            "field_of_view_degrees", lambda t: parse_whole_number(t, 1, 360, "Field of view")
        ),
        range_m=row.parse("range_m", lambda t: parse_whole_number(t, 1, 300, "Range")),
        exports_common_format=exports,
        brand=row.get("brand"),
    )


def _contact_method(text: str) -> str:
    text = text.lower()
    if "mail" in text:
        return ContactMethod.EMAIL
    if "text" in text or "sms" in text:
        return ContactMethod.TEXT
    return ContactMethod.PHONE


def _place(row: _Row) -> tuple[float, float, tuple, str, str]:
    """(latitude, longitude, geocoded point or (None, None), city, postal code) of the row's address."""
    mapping, column = row.context.mapping, row.context.column
    latitude = longitude = float("nan")
    geocoded: tuple[float | None, float | None] = (None, None)
    city, postal = row.get("city"), row.get("postal_code")
    if "latitude" in mapping and "longitude" in mapping and row.get("latitude") and row.get("longitude"):
        try:
            latitude, longitude = float(row.get("latitude")), float(row.get("longitude"))
            geo.validate_point(latitude, longitude)
        except (TypeError, ValueError):
            row.problems.append((column("latitude"), "Latitude/longitude are not a valid map point."))
            latitude = longitude = float("nan")
    address = row.get("street_address")
    if address:
        found = row.context.addresses.find(address)
        if found:
            geocoded = (found[0], found[1])
            city, postal = city or found[2], postal or found[3]
            if latitude != latitude:  # NaN: no usable coordinates in the file
                latitude, longitude = found[0], found[1]
        elif latitude != latitude:
            row.problems.append((column("street_address"), ADDRESS_NOT_FOUND + _nearest(address, row.context)))
    return latitude, longitude, geocoded, city, postal


ADDRESS_NOT_FOUND = "Address not found in the address table; check the spelling or load the county's address points."


def _nearest(address: str, context: RowContext) -> str:
    """The most alike addresses of the table, as a sentence to append (NEAREST_PREFIX), or ""."""
    if context.suggestions_left <= 0:
        return ""
    context.suggestions_left -= 1
    suggestions = [point.address for point in geocode(address, limit=3).suggestions]
    return f"{NEAREST_PREFIX}{'; '.join(suggestions)}." if suggestions else ""


def row_to_input(cells: list[str], context: RowContext) -> RowResult:
    """The registration a row describes, as the public form would build it, with the row's problems."""
    row = _Row(cells, context)
    problems, sign_in = clean_cells(row.cells, context.column)
    for target, limit in _MAX_LENGTHS.items():
        if len(row.get(target)) > limit:
            problems.append((context.column(target), f"Longer than {limit} characters."))
    if problems:
        return RowResult(None, problems)
    owner_name = _owner_name(row, sign_in)
    property_text = row.get("property_type").lower()
    business_name = row.get("business_name")
    is_business = "business" in property_text or "commercial" in property_text or (not property_text and business_name)
    camera = _camera(row)
    submitted = row.parse("submitted_at", lambda text: parse_date(text, context.zone))
    # Rows from the program's own list met its rules unless they say no.
    confirms = [row.parse(target, parse_yes_no, None) is not False for target in _CONFIRMATIONS]
    latitude, longitude, geocoded, city, postal = _place(row)
    data = RegistrationInput(
        property_type=PropertyType.BUSINESS if is_business else PropertyType.RESIDENCE,
        street_address=row.get("street_address"),
        latitude=latitude,
        longitude=longitude,
        geocoded_latitude=geocoded[0],
        geocoded_longitude=geocoded[1],
        owner_name=owner_name,
        owner_phone=row.get("owner_phone"),
        owner_email=row.get("owner_email"),
        confirms_exterior_cameras=confirms[0],
        confirms_records_and_keeps_video=confirms[1],
        cameras=[camera],
        business_name=business_name,
        unit=row.get("unit"),
        city=city,
        postal_code=postal,
        preferred_contact_method=_contact_method(row.get("preferred_contact_method")),
        contact_hours=row.get("contact_hours"),
        alternate_name=row.get("alternate_name"),
        alternate_phone=row.get("alternate_phone"),
        alternate_email=row.get("alternate_email"),
        alternate_relation=row.get("alternate_relation"),
        notes_for_detectives=row.get("notes_for_detectives"),
        language="es" if row.get("language").lower().startswith(("es", "sp")) else "en",
    )
    return RowResult(data, row.problems, submitted)


_CONFIRMATIONS = ("confirms_exterior_cameras", "confirms_records_and_keeps_video")

RowHook = Callable[[list[str], RowContext], "RowResult | SkippedRow"]

# Per source profile: how a row becomes an input. Every profile reads rows the same way today;
# a profile whose exports hold rows that are not registrations returns SkippedRow for them.
ROW_HOOKS: dict[str, RowHook] = {
    "google_forms": row_to_input,
    "microsoft_forms": row_to_input,
    "spreadsheet": row_to_input,
}
