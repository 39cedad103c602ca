"""Bulk import of a department's existing registrations (CSV or XLSX as online forms export them).

Reading and column guessing are plain functions, reading one value is in `import_values.py`
and what a file is (CSV or workbook, and a workbook's ZIP checks) in `import_files.py`; `registrations_import`
is the service that checks every row with the same rules as the public form
(`registrations.services.registration_input_errors`), then writes all accepted rows in one
transaction, or nothing: plain `executemany` inserts on SQLite, `COPY ... FROM STDIN` on
PostgreSQL. (The ORM's bulk_create spent most of an import preparing values field by field;
100,000 rows must import in seconds.)

Rules worth knowing:
- Consent: owners on an imported list agreed to the old program's form. Importing them records
  a consent against the department's *current* terms with source "import"; the department
  takes responsibility for that by importing (the owner pages ask for consent again whenever
  the terms change).
- Imported registrations count as confirmed on the day of the import, so the retention purge
  does not remove old-but-real entries the day they arrive; `created_at` keeps the form's date.
- No confirmation emails are sent for imported rows: a mass mailing is the department's decision.
- Re-importing is safe: each row's fingerprint (a keyed hash of address and owner contact) is
  kept in `ImportedRow`, including after the registration is withdrawn, so an owner who left
  is never re-created from an old spreadsheet.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency
from audit.services import audit_record
from cameraregistry import geo
from cameraregistry.crypto import encrypt, lookup_hash
from registrations.geocoding import normalize_address
from registrations.models import (
    AddressPoint,
    Camera,
    ConsentRecord,
    ConsentSource,
    ContactMethod,
    ExportFormat,
    PropertyType,
    Registration,
    Status,
)
from registrations.services import CameraInput, RegistrationInput, registration_input_errors

from .import_files import ZIP_SIGNATURE, ImportFileError, old_excel_message, workbook_problem
from .import_layout import (
    bottom_summary_rows,
    check_width,
    header_position,
    header_problem,
    summary_row_note,
    used_width,
)
from .import_report import ImportReport, RowProblem
from .import_values import (  # noqa: F401 - parsers re-exported for callers
    ValueProblem,
    formula_problem,
    is_placeholder,
    is_sign_in_placeholder,
    parse_date,
    parse_export_format,
    parse_locations,
    parse_records_street,
    parse_retention,
    parse_whole_number,
    parse_yes_no,
)
from .models import ImportedRow

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
BATCH = 2000
IMPORT_PAGE_CACHE_KIB = 256 * 1024
DEFAULT_RETENTION_DAYS = 7


# Target fields a column can be mapped to, with labels for the mapping page.
TARGETS: dict[str, str] = {
    "street_address": "Street address",
    "unit": "Apartment / unit",
    "city": "City",
    "postal_code": "ZIP / postal code",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "property_type": "Residence or business",
    "business_name": "Business name",
    "owner_name": "Owner name",
    "owner_first_name": "Owner first name",
    "owner_last_name": "Owner last name",
    "owner_phone": "Owner phone",
    "owner_email": "Owner email",
    "preferred_contact_method": "Preferred contact method",
    "contact_hours": "Best time to call",
    "alternate_name": "Alternate person's name",
    "alternate_phone": "Alternate person's phone",
    "alternate_email": "Alternate person's email",
    "alternate_relation": "Alternate person's relation",
    "camera_locations": "Camera locations (multi-select)",
    "records_street": "Records street traffic (yes/no)",
    "camera_description": "What the cameras show",
    "bearing_degrees": "Direction faced (degrees)",
    "field_of_view_degrees": "Field of view (degrees)",
    "range_m": "Range (metres)",
    "retention_days": "Days of footage kept",
    "exports_common_format": "Exports a common format (Windows Media Player compliant)",
    "brand": "System brand",
    "notes_for_detectives": "Notes for detectives",
    "language": "Language",
    "submitted_at": "Date submitted",
    "confirms_exterior_cameras": "Confirms exterior-facing cameras",
    "confirms_records_and_keeps_video": "Confirms cameras record and keep video",
}

# Header guesses, most specific first: "email address" must become email, not address.
_GUESSES: list[tuple[str, tuple[str, ...]]] = [
    ("alternate_email", ("alternate email", "alternate e mail", "alternate person s email", "alt email")),
    ("alternate_phone", ("alternate phone", "alternate person s phone", "alternate telephone", "alt phone")),
    ("alternate_relation", ("alternate relation", "relationship", "relation")),
    (
        "alternate_name",
        (
            "alternate name",
            "alternate person s name",
            "alternate contact",
            "alternate person",
            "alt name",
            "alt contact",
        ),
    ),
    ("property_type", ("residence or business", "property type", "type of property", "residential or commercial")),
    ("business_name", ("business name", "name of business", "company", "business")),
    ("owner_email", ("email", "e mail")),
    ("records_street", ("street traffic", "record the street", "records the street", "street view")),
    ("exports_common_format", ("windows media player", "compliant", "common format", "playable")),
    ("camera_locations", ("camera locations", "camera location", "where are the cameras", "locations")),
    ("retention_days", ("days of footage", "retention", "how long", "days kept", "days recorded", "storage days")),
    ("field_of_view_degrees", ("field of view", "view angle", "angle")),
    ("bearing_degrees", ("direction", "bearing", "facing")),
    ("range_m", ("range",)),
    ("notes_for_detectives", ("additional information", "notes", "comments", "anything else", "detectives")),
    ("camera_description", ("depict", "describe", "description", "what do the cameras", "what does the camera")),
    ("brand", ("brand", "manufacturer", "system make", "make")),
    ("preferred_contact_method", ("preferred contact", "contact method", "how should we contact", "how to contact")),
    ("contact_hours", ("best time", "contact hours", "hours", "time to call")),
    ("owner_first_name", ("first name", "given name")),
    ("owner_last_name", ("last name", "surname", "family name")),
    ("owner_phone", ("phone", "telephone", "cell", "mobile")),
    ("unit", ("unit", "apartment", "apt", "suite")),
    ("postal_code", ("zip", "postal")),
    ("city", ("city", "town", "village")),
    ("latitude", ("latitude", "lat")),
    ("longitude", ("longitude", "lon", "lng", "long")),
    ("street_address", ("street address", "address", "street", "location of property")),
    ("language", ("language", "idioma")),
    ("submitted_at", ("timestamp", "submitted", "submission date", "date")),
    ("confirms_exterior_cameras", ("exterior", "outside facing")),
    ("confirms_records_and_keeps_video", ("records and retains", "record and keep", "records video", "retains video")),
    ("owner_name", ("name", "owner", "full name")),
]


def _header_words(header: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split()) + " "


# Microsoft Forms exports start with these columns; Email and Name are the respondent's sign-in.
_MS_FORMS_START = ("id", "start time", "completion time", "email", "name")


def source_profile(headers: list[str]) -> str:
    """'microsoft_forms', 'google_forms' or 'spreadsheet', recognised from the header row."""
    words = [_header_words(header).strip() for header in headers]
    if tuple(words[:5]) == _MS_FORMS_START:
        return "microsoft_forms"
    if words and words[0] == "timestamp":
        return "google_forms"
    return "spreadsheet"


PROFILE_LABELS = {
    "microsoft_forms": "Microsoft Forms export",
    "google_forms": "Google Forms export",
    "spreadsheet": "spreadsheet",
}


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Target field -> column index, guessed from header text; each target and column used once.

    Microsoft Forms: 'Completion time' is the date; the sign-in 'Email' and 'Name' columns are only
    the owner's contact when no question column holds it (on a public form they say 'anonymous').
    """
    if source_profile(headers) != "microsoft_forms":
        return _guess_columns(headers)
    questions = _guess_columns([""] * 5 + list(headers[5:]))
    questions.setdefault("submitted_at", 2)
    for target, index in (("owner_email", 3), ("owner_name", 4)):
        if target not in questions and not (target == "owner_name" and "owner_first_name" in questions):
            questions[target] = index
    return questions


def describe_mapping(headers: list[str], mapping: dict[str, int]) -> tuple[list[tuple[str, str]], list[str]]:
    """([(column header as written, field label)], [headers of columns not imported]) in file order."""
    by_index = {index: target for target, index in mapping.items()}
    used = [(_header_as_written(headers, i), TARGETS[by_index[i]]) for i in sorted(by_index) if i < len(headers)]
    unused = [_header_as_written(headers, i) for i in range(len(headers)) if i not in by_index]
    return used, unused


def find_header_row(rows: list[tuple[int, list[str]]], limit: int = 15) -> int:
    """Index in `rows` of the header row: the first of the top rows whose cells name the most fields.

    Only rows below title rows (one or two cells filled, like "Camera Registry 2025") are candidates
    besides the first: a data row that happens to name two fields never becomes the header."""
    best, best_count = 0, 0
    for position, (_number, cells) in enumerate(rows[:limit]):
        count = len(_guess_columns(cells))
        if count > best_count and count >= 2:
            best, best_count = position, count
        if sum(1 for cell in cells if cell) > 2:
            break  # a row with several cells is the header or data: nothing below it is a header
    return best


def _guess_columns(headers: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        words = _header_words(header)
        if words.strip() == "":
            continue
        if words.strip() in TARGETS and words.strip() not in mapping:  # exported by this registry itself
            mapping[words.strip()] = index
            continue
        normalised_key = words.strip().replace(" ", "_")
        if normalised_key in TARGETS and normalised_key not in mapping:
            mapping[normalised_key] = index
            continue
        for target, phrases in _GUESSES:
            if target in mapping:
                continue
            if any(f" {phrase} " in words for phrase in phrases):
                mapping[target] = index
                break
    return mapping


# ---------------------------------------------------------------- reading files


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)
    notes: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 1


def _decode(raw: bytes) -> tuple[str, list[str]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), ["The file is UTF-16 encoded; it was read as such."]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as error:
        position = error.start
    # Excel on Windows saves "CSV" as Windows-1252; accented names survive if we read it that way.
    text = raw.decode("cp1252", errors="replace")
    line = raw[:position].count(b"\n") + 1
    return text, [
        f"The file is not UTF-8 (first unreadable byte on line {line}); it was read as Windows-1252. "
        "Check that accented letters in names look right, or save the file as 'CSV UTF-8'."
    ]


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13, 12))
    return control > len(sample) * 0.05


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, str):
        return value.strip()
    if type(value).__module__ == "openpyxl.worksheet.formula":  # array and table formulas: reported as formulas
        return "=" + str(getattr(value, "text", "") or "").lstrip("=")
    return str(value).strip()


def _read_xlsx(path: Path, sheet: str | None, header_row: int | None = None) -> Table:
    import openpyxl

    # Read with formulas, not their last computed values: a formula cell is reported, not imported.
    # From an open file: openpyxl judges a path by its extension, and refuses a file not named .xlsx.
    with path.open("rb") as stream:
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
            return _workbook_table(workbook, sheet, header_row)
        except ImportFileError:
            raise
        except Exception as error:  # noqa: BLE001 - a hostile or damaged workbook can fail in any parser step
            raise ImportFileError(
                f"The file looks like an Excel workbook but cannot be read ({type(error).__name__}). "
                "Open it in Excel or LibreOffice and save it again as .xlsx, or as CSV."
            ) from None


def _workbook_table(workbook, sheet: str | None, header_row: int | None = None) -> Table:
    try:
        names = list(workbook.sheetnames)
        if sheet:
            if sheet not in names:
                raise ImportFileError(f"The workbook has no sheet named '{sheet}'. Its sheets: {', '.join(names)}.")
            chosen = [sheet]
        else:
            chosen = names
        for name in chosen:
            rows = []
            for number, values in enumerate(workbook[name].iter_rows(values_only=True), start=1):
                cells = [_cell_text(value) for value in values]
                if any(cells):
                    rows.append((number, cells))
                if len(rows) > MAX_ROWS + 1:
                    raise ImportFileError(f"The sheet has more than {MAX_ROWS:,} rows; split it into several files.")
            if rows:
                notes = (
                    []
                    if sheet or len(names) == 1
                    else [f"The workbook has {len(names)} sheets; sheet '{name}' was read."]
                )
                table = _split_header(rows, header_row, notes)
                table.sheets, table.sheet = names, name
                return table
        raise ImportFileError("The workbook has no rows to import." if not sheet else f"Sheet '{sheet}' is empty.")
    finally:
        workbook.close()


def _split_header(rows: list[tuple[int, list[str]]], header_row: int | None, notes: list[str]) -> Table:
    """Headers and data rows; the header row is `header_row` (spreadsheet number) or detected."""
    check_width(rows)
    position = find_header_row(rows) if header_row is None else header_position(rows, header_row)
    if problem := header_problem(rows[position][0], rows[position][1]):
        raise ImportFileError(problem)
    if position:
        titles = "; ".join(" ".join(c for c in cells if c)[:60] for _n, cells in rows[:position])
        notes = [*notes, f"The header is row {rows[position][0]}; the rows above it were skipped as titles ({titles})."]
    # As wide as the data: a column with answers but no header is listed too, empty columns are not.
    width = used_width(rows[position:])
    headers = (rows[position][1] + [""] * width)[:width]
    return Table(headers=headers, rows=rows[position + 1 :], notes=notes, header_row=rows[position][0])


def read_table(path: Path | str, sheet: str | None = None, header_row: int | None = None) -> Table:
    """Read a CSV or XLSX file into headers and rows; raises ImportFileError with a plain reason.

    The header row is the given spreadsheet row number, or the top row that names the most fields
    (a clerk's sheet has title rows above it)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise ImportFileError(f"The file {path.name} cannot be found or read.") from None
    if size == 0:
        raise ImportFileError("The file is empty.")
    if size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it into several files."
        )
    raw = path.read_bytes()
    if raw.startswith(ZIP_SIGNATURE):
        if problem := workbook_problem(path):
            raise ImportFileError(problem)
        return _read_xlsx(path, sheet, header_row)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(old_excel_message())
    if _looks_binary(raw) and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("This is not a CSV or XLSX file (it contains binary data).")
    text, notes = _decode(raw)
    if not text.strip():
        raise ImportFileError("The file is empty.")
    if "\x00" in text:  # a UTF-16 file, or a NUL past the binary check: no database text column holds one
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFileError(
            f"The file contains a NUL character (line {line}), which a CSV file cannot hold. "
            "Open it in a spreadsheet and save it again as 'CSV UTF-8'."
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(f"The CSV file is malformed: {error}.") from None
    numbered = [
        (number, [cell.strip() for cell in cells])
        for number, cells in enumerate(records, start=1)
        if any(c.strip() for c in cells)
    ]
    if not numbered:
        raise ImportFileError("The file is empty.")
    if len(numbered) > MAX_ROWS + 1:
        raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it into several files.")
    return _split_header(numbered, header_row, notes)


# Optional fields where "N/A", "none" or "-" mean empty; True where "Residence" or "Home" do too.
_OPTIONAL_TEXT = {
    **dict.fromkeys(("business_name", "owner_email", "unit", "alternate_relation"), True),
    **dict.fromkeys(("alternate_name", "alternate_phone", "alternate_email"), True),
    **dict.fromkeys(("camera_description", "notes_for_detectives", "brand", "contact_hours"), False),
}

# Length limits of the model's text columns, so a long cell is a clear row problem, not a database error.
_MAX_LENGTHS = {
    name: Registration._meta.get_field(name).max_length
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


# ---------------------------------------------------------------- the import


@dataclass
class ImportOptions:
    agency: Agency | None = None
    mapping: dict[str, int] | None = None
    sheet: str | None = None
    header_row: int | None = None  # spreadsheet row number of the header; None: detected
    dry_run: bool = True
    all_or_nothing: bool = True
    status: str = Status.ACTIVE
    default_retention_days: int = DEFAULT_RETENTION_DAYS
    actor: object = None
    request: object = None
    progress: Callable[[str, int, int], None] | None = None  # (phase 'check' or 'save', done, total)
    # Called with the report once the file is read and its columns mapped, before any row is checked.
    on_mapping: Callable[[ImportReport], None] | None = None


@dataclass
class _Accepted:
    row: int
    fingerprint: str
    agency: Agency
    data: RegistrationInput
    created_at: datetime | None
    owner_email_hash: str


_UNSEEN = object()


class _AgencyFinder:
    """agency_for_point without a query per row: agencies are few, rows are many."""

    def __init__(self) -> None:
        self.agencies = list(Agency.objects.order_by("name"))
        self.cache: dict[tuple[float, float], Agency | None] = {}
        self.exact: dict[tuple[float, float], Agency | None] = {}
        self.terms = {agency.pk: agency.current_terms() for agency in self.agencies}

    def find(self, latitude: float, longitude: float) -> Agency | None:
        # Rows of one address repeat the exact same point: answer those before rounding.
        exact = self.exact.get((latitude, longitude), _UNSEEN)
        if exact is not _UNSEEN:
            return exact
        key = (round(latitude, 6), round(longitude, 6))
        if key not in self.cache:
            self.cache[key] = next(
                (
                    agency
                    for agency in self.agencies
                    if agency.min_latitude <= latitude <= agency.max_latitude
                    and agency.min_longitude <= longitude <= agency.max_longitude
                    and geo.point_in_multipolygon(latitude, longitude, agency.boundary)
                ),
                None,
            )
        self.exact[(latitude, longitude)] = self.cache[key]
        return self.cache[key]


class _AddressBook:
    """The geocoder's exact-match rule for the addresses in one file, loaded with one query.

    A county's address table can hold hundreds of thousands of points; only the file's own
    addresses are read, keyed by normalised address.
    """

    def __init__(self, addresses: set[str], normalize: Callable[[str], str]) -> None:
        self.normalize = normalize
        self.points: dict[str, tuple[float, float, str, str]] = {}
        wanted = sorted({normalize(address)[:200] for address in addresses} - {""})
        if not wanted:
            return
        table = connection.ops.quote_name(AddressPoint._meta.db_table)
        if connection.vendor == "postgresql":
            condition, parameter = "normalized = ANY(%s)", wanted
        else:  # one JSON parameter rather than tens of thousands of placeholders
            condition, parameter = "normalized IN (SELECT value FROM json_each(%s))", json.dumps(wanted)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT normalized, latitude, longitude, city, postal_code FROM {table} "  # noqa: S608 - our table name
                f"WHERE {condition} ORDER BY id DESC",
                [parameter],
            )
            for normalized, lat, lon, city, postal in cursor.fetchall():
                self.points[normalized] = (lat, lon, city, postal)  # lowest id wins, as in geocode()

    def find(self, address: str) -> tuple[float, float, str, str] | None:
        return self.points.get(self.normalize(address)[:200])


def _fingerprint(data: RegistrationInput, normalize: Callable[[str], str] = normalize_address) -> str:
    unit = " ".join(re.sub(r"[^0-9A-Za-z]+", " ", data.unit).upper().split())
    contact = data.owner_email.lower() or re.sub(r"\D", "", data.owner_phone)
    return lookup_hash(f"{normalize(data.street_address)}|{unit}|{contact}")


def _header_as_written(headers: list[str], index: int) -> str:
    header = headers[index] if index < len(headers) else ""
    return header or f"(column {index + 1}, no header)"


def _error_column(field_name: str, mapping: dict[str, int], headers: list[str]) -> str:
    targets = {
        "location": ["latitude", "street_address"],
        "consent": [],
        "owner_name": ["owner_name", "owner_first_name", "owner_last_name"],
    }.get(field_name, [field_name])
    if field_name.startswith("camera"):
        targets = ["camera_locations", "retention_days", "bearing_degrees", "field_of_view_degrees", "range_m"]
    names = [_header_as_written(headers, mapping[t]) for t in targets if t in mapping and mapping[t] < len(headers)]
    return " / ".join(names)  # "" when the file has no column for it: the problem is the row's


_NAME_TARGETS = ("owner_name", "owner_first_name", "owner_last_name")


def _clean_cells(row: dict[str, str], column: Callable[[str], str]) -> tuple[list[tuple[str, str]], tuple | None]:
    """Formula cells as problems; placeholders ("N/A", "-", a sign-in's "anonymous") emptied in `row`.

    Returns (problems, (target, text) of a name that was a sign-in placeholder, or None)."""
    problems: list[tuple[str, str]] = []
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


def _row_input(
    cells: list[str],
    mapping: dict[str, int],
    headers: list[str],
    options: ImportOptions,
    addresses: _AddressBook,
    zone: tzinfo | None = None,
) -> tuple[RegistrationInput | None, list[tuple[str, str]], datetime | None]:
    # The row's cells by target; a target that is not mapped, or a short row's missing cell, reads as "".
    row = {target: cells[index] for target, index in mapping.items() if index < len(cells)}

    def column(target: str) -> str:
        index = mapping.get(target)
        return _header_as_written(headers, index) if index is not None else ""

    problems, sign_in = _clean_cells(row, column)
    for target, limit in _MAX_LENGTHS.items():
        if len(row.get(target, "")) > limit:
            problems.append((column(target), f"Longer than {limit} characters."))
    if problems:
        return None, problems, None

    def parse(target: str, parser, default=None):
        text = row.get(target, "")
        if not text:
            return default
        try:
            return parser(text)
        except ValueProblem as problem:
            problems.append((column(target), str(problem)))
            return default

    owner_name = row.get("owner_name", "") or " ".join(
        filter(None, [row.get("owner_first_name", ""), row.get("owner_last_name", "")])
    )
    if not owner_name and sign_in:
        target, text = sign_in
        problems.append((column(target), f"'{text[:20]}' is the form's sign-in placeholder, not the owner's name."))
    property_text = row.get("property_type", "").lower()
    business_name = row.get("business_name", "")
    property_type = (
        PropertyType.BUSINESS
        if ("business" in property_text or "commercial" in property_text or (not property_text and business_name))
        else PropertyType.RESIDENCE
    )
    locations, unknown_locations = (
        parse_locations(row.get("camera_locations", "")) if row.get("camera_locations", "") else (["other"], [])
    )
    description = row.get("camera_description", "")
    if unknown_locations:
        description = "; ".join(filter(None, [description, "Location: " + ", ".join(unknown_locations)]))[:300]
    retention = parse("retention_days", parse_retention, options.default_retention_days)
    if "retention_days" in mapping and not row.get("retention_days", ""):
        retention = options.default_retention_days
    records_street, street_text = parse("records_street", parse_records_street, (None, ""))
    if street_text and street_text.lower() not in description.lower():
        description = "; ".join(filter(None, [description, street_text]))[:300]
    exports = parse("exports_common_format", parse_export_format, ExportFormat.UNKNOWN)
    bearing = parse("bearing_degrees", lambda t: parse_whole_number(t, 0, 359, "Direction"))
    view = parse("field_of_view_degrees", lambda t: parse_whole_number(t, 1, 360, "Field of view"))
    camera_range = parse("range_m", lambda t: parse_whole_number(t, 1, 300, "Range"))
    submitted = parse("submitted_at", lambda text: parse_date(text, zone))
    confirms = []
    for target in ("confirms_exterior_cameras", "confirms_records_and_keeps_video"):
        answer = parse(target, parse_yes_no, None)
        confirms.append(answer is not False)  # rows from the program's own list met its rules unless they say no
    method_text = row.get("preferred_contact_method", "").lower()
    method = (
        ContactMethod.EMAIL
        if "mail" in method_text
        else ContactMethod.TEXT
        if "text" in method_text or "sms" in method_text
        else ContactMethod.PHONE
    )
    language_text = row.get("language", "").lower()
    language = "es" if language_text.startswith(("es", "sp")) else "en"

    address = row.get("street_address", "")
    latitude = longitude = float("nan")
    geocoded = (None, None)
    city, postal = row.get("city", ""), row.get("postal_code", "")
    if "latitude" in mapping and "longitude" in mapping and row.get("latitude", "") and row.get("longitude", ""):
        try:
            latitude, longitude = float(row.get("latitude", "")), float(row.get("longitude", ""))
            geo.validate_point(latitude, longitude)
        except (TypeError, ValueError):
            problems.append((column("latitude"), "Latitude/longitude are not a valid map point."))
            latitude = longitude = float("nan")
    if address:
        found = addresses.find(address)
        if found:
            geocoded = (found[0], found[1])
            city, postal = city or found[2], postal or found[3]
            if latitude != latitude:  # NaN: no usable coordinates in the file
                latitude, longitude = found[0], found[1]
        elif latitude != latitude:
            problems.append(
                (
                    column("street_address"),
                    "Address not found in the address table; check the spelling or load the county's address points.",
                )
            )
    data = RegistrationInput(
        property_type=property_type,
        street_address=address,
        latitude=latitude,
        longitude=longitude,
        geocoded_latitude=geocoded[0],
        geocoded_longitude=geocoded[1],
        owner_name=owner_name,
        owner_phone=row.get("owner_phone", ""),
        owner_email=row.get("owner_email", ""),
        confirms_exterior_cameras=confirms[0],
        confirms_records_and_keeps_video=confirms[1],
        cameras=[
            CameraInput(
                locations=locations,
                records_street=bool(records_street),
                retention_days=retention,
                description=description,
                bearing_degrees=bearing,
                field_of_view_degrees=view,
                range_m=camera_range,
                exports_common_format=exports,
                brand=row.get("brand", ""),
            )
        ],
        business_name=business_name,
        unit=row.get("unit", ""),
        city=city,
        postal_code=postal,
        preferred_contact_method=method,
        contact_hours=row.get("contact_hours", ""),
        alternate_name=row.get("alternate_name", ""),
        alternate_phone=row.get("alternate_phone", ""),
        alternate_email=row.get("alternate_email", ""),
        alternate_relation=row.get("alternate_relation", ""),
        notes_for_detectives=row.get("notes_for_detectives", ""),
        language=language,
    )
    return data, problems, submitted


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """An import keeps hundreds of thousands of row objects alive; each cyclic GC pass walks all of them
    again, about a fifth of the CPU of a large import. The rows hold no reference cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_and_map(
    path: Path, options: ImportOptions, report: ImportReport
) -> tuple[list[str], dict[str, int], list[tuple[int, list[str]]]] | None:
    """Read the file and map its columns into `report` (profile, header row, columns used and not);
    (headers, mapping, the rows to check), or None with the file's problems in the report."""
    try:
        table = read_table(path, options.sheet, options.header_row)
    except ImportFileError as error:
        report.file_problems.append(str(error))
        return None
    report.notes.extend(table.notes)
    report.sheet = table.sheet
    headers = table.headers
    mapping = dict(options.mapping) if options.mapping is not None else guess_mapping(headers)
    mapping = {target: index for target, index in mapping.items() if target in TARGETS and 0 <= index < len(headers)}
    report.profile, report.header_row = source_profile(headers), table.header_row
    report.profile_label = PROFILE_LABELS[report.profile]
    report.columns_used, report.columns_not_imported = describe_mapping(headers, mapping)
    if options.on_mapping:
        options.on_mapping(report)
    if "street_address" not in mapping:
        report.file_problems.append(
            f"No column is mapped to the street address; map one (the header row is row {table.header_row})."
        )
    if "owner_name" not in mapping and "owner_first_name" not in mapping:
        report.file_problems.append("No column is mapped to the owner's name.")
    if "owner_phone" not in mapping:
        report.file_problems.append("No column is mapped to the owner's phone number.")
    if report.file_problems:
        return None
    if "retention_days" not in mapping:
        report.notes.append(
            f"The file has no 'days of footage kept' column; every camera is recorded as keeping "
            f"{options.default_retention_days} days."
        )
    # A clerk's total and notes rows at the bottom are not registrations: skipped, each with a report line.
    summary_rows = bottom_summary_rows(table.rows, mapping)
    rows = table.rows[: len(table.rows) - summary_rows]
    report.notes.extend(summary_row_note(number, cells) for number, cells in table.rows[len(rows) :])
    report.rows_not_registrations = summary_rows
    return headers, mapping, rows


@_cyclic_gc_paused()
def registrations_import(*, path: Path | str, options: ImportOptions, source_name: str = "") -> ImportReport:
    """Check every row; unless a dry run, create the accepted registrations (all of them, or none)."""
    started = time.monotonic()
    path = Path(path)
    report = ImportReport(
        source=source_name or path.name,
        dry_run=options.dry_run,
        all_or_nothing=options.all_or_nothing,
        agency_slug=options.agency.slug if options.agency else "",
    )
    read = _read_and_map(path, options, report)
    if read is None:
        _audit(report, options)
        return report
    headers, mapping, rows = read
    # Normalising an address is a chain of regular expressions; each is done once per run.
    normalize = cache(normalize_address)
    address_index = mapping["street_address"]
    addresses = _AddressBook({cells[address_index] for _row, cells in rows if address_index < len(cells)}, normalize)
    finder = _AgencyFinder()
    zone = timezone.get_current_timezone()  # looked up once: it is a context-local read per call
    seen: dict[tuple[int, str], int] = {}
    imported = {
        (agency_id, fingerprint): registration_id
        for agency_id, fingerprint, registration_id in ImportedRow.objects.values_list(
            "agency_id", "fingerprint", "registration_id"
        )
    }
    existing = _existing_registrations(normalize)
    address_column = _error_column("street_address", mapping, headers)
    accepted: list[_Accepted] = []
    report.rows_total = len(rows)
    for done, (row_number, cells) in enumerate(rows, start=1):
        if options.progress and (done % 1000 == 0 or done == report.rows_total):
            options.progress("check", done, report.rows_total)
        data, problems, submitted = _row_input(cells, mapping, headers, options, addresses, zone)
        if data is not None:
            errors = registration_input_errors(data)
            # One problem per column: what reading the cell found says more than the form's generic rule.
            read_columns = {column for column, _problem in problems}
            for name, messages in errors.items():
                if name == "location" and address_column in read_columns:
                    continue  # "address not found" already says it
                if name == "location" and not data.street_address:
                    continue
                for message in messages:
                    column = _error_column(name, mapping, headers)
                    if column not in read_columns and (column, message) not in problems:
                        problems.append((column, message))
        agency = None
        if data is not None and not problems:
            agency = finder.find(data.latitude, data.longitude)
            if agency is None:
                problems.append((address_column, "The address is outside every jurisdiction served by this registry."))
            elif options.agency is not None and agency.pk != options.agency.pk:
                problems.append(
                    (
                        address_column,
                        f"The address is in {agency.name}'s jurisdiction, not {options.agency.name}'s.",
                    )
                )
            elif finder.terms[agency.id] is None:
                problems.append(("", f"{agency.name} has not published its program terms yet; publish them first."))
        if problems:
            report.problems.extend(RowProblem(row_number, column or "", problem) for column, problem in problems)
            continue
        fingerprint = _fingerprint(data, normalize)
        key = (agency.id, fingerprint)
        if key in seen:
            report.problems.append(
                RowProblem(
                    row_number,
                    "",
                    f"Same address and owner as row {seen[key]}; not imported twice.",
                    "skipped",
                    "repeat",
                )
            )
            report.rows_skipped += 1
            continue
        seen[key] = row_number
        if key in imported:
            report.problems.append(
                RowProblem(
                    row_number,
                    "",
                    "Already imported from an earlier file"
                    + ("." if imported[key] else "; the owner has since withdrawn, so it is not re-created."),
                    "skipped",
                    "already_imported" if imported[key] else "withdrawn",
                )
            )
            report.rows_skipped += 1
            continue
        email_hash = lookup_hash(data.owner_email)
        if data.owner_email and (agency.id, normalize(data.street_address), data.unit.upper(), email_hash) in existing:
            report.problems.append(
                RowProblem(
                    row_number, "", "This owner already registered this address.", "skipped", "already_registered"
                )
            )
            report.rows_skipped += 1
            continue
        accepted.append(_Accepted(row_number, fingerprint, agency, data, submitted, email_hash))
    report.rows_valid = len(accepted)
    report.problems.sort(key=lambda problem: problem.row)
    # One transaction with the audit entry: an import that cannot be recorded is not kept.
    with transaction.atomic():
        if not options.dry_run and accepted and not (options.all_or_nothing and report.error_rows):
            report.rows_created = _save(accepted, options, report.source, finder.terms)
        report.seconds = time.monotonic() - started
        _audit(report, options)
    return report


def _existing_registrations(normalize: Callable[[str], str]) -> set[tuple]:
    rows = Registration.objects.exclude(owner_email_hash="").values_list(
        "agency_id", "street_address", "unit", "owner_email_hash"
    )
    return {
        (agency_id, normalize(address), unit.upper(), email_hash)
        for agency_id, address, unit, email_hash in rows.iterator(chunk_size=20000)
    }


class _Inserter:
    """INSERTs of ready-made rows with one `executemany` per batch.

    Columns the import does not fill get what the ORM would write: the field's default
    (called per row when it is a function, like `public_id`), or "now" for auto_now fields.
    """

    def __init__(self, model, field_names: list[str], now: datetime) -> None:
        meta = model._meta
        given = [meta.get_field(name) for name in field_names]
        rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
        self.model = model
        self.per_row = [f for f in rest if f.has_default() and callable(f.default)]
        fixed = [f for f in rest if f not in self.per_row]
        self.fixed_values = tuple(
            f.get_db_prep_save(
                now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default(),
                connection,
            )
            for f in fixed
        )
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in [meta.pk, *given, *self.per_row, *fixed])
        self.width = 1 + len(given) + len(rest)
        self.placeholders = "(" + ", ".join(["%s"] * self.width) + ")"
        self.head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - model names
        self.copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        self.rows: list[tuple] = []

    def add(self, row_id: int, *values) -> None:
        if self.per_row:
            generated = tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.per_row)
            self.rows.append((row_id, *values, *generated, *self.fixed_values))
        else:
            self.rows.append((row_id, *values, *self.fixed_values))

    def reserve_ids(self, count: int) -> list[int]:
        return _reserve_ids(self.model, count)

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            # COPY streams the rows in one statement; the server parses them several times faster than
            # INSERTs, even pipelined. The raw psycopg cursor is in the same transaction as Django's.
            connection.ensure_connection()
            with connection.wrap_database_errors, connection.connection.cursor() as cursor:
                with cursor.copy(self.copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
        else:
            # executemany, not one multi-row statement: Django's debug logging formats every parameter
            # of a single statement.
            with connection.cursor() as cursor:
                cursor.executemany(self.head + self.placeholders, self.rows)
        self.rows = []


def _reserve_ids(model, count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so related rows can refer to them without reading ids back."""
    if count == 0:
        return []
    quote = connection.ops.quote_name
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # From the table's own sequence: a concurrent writer can never be handed the same ids.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the import's write transaction is IMMEDIATE, so nobody else inserts before we do.
        # sqlite_sequence also remembers deleted rows' ids, which AUTOINCREMENT never hands out again.
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608 - our own table
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        remembered = cursor.fetchone()
        first = max(highest, remembered[0] if remembered else 0) + 1
    return list(range(first, first + count))


@contextmanager
def _large_page_cache() -> Iterator[None]:
    """SQLite's default 2 MB page cache thrashes on a big import's random index inserts (public ids,
    email hashes); a larger cache for the import's duration keeps insert time per row flat."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _save(accepted: list[_Accepted], options: ImportOptions, source_name: str, terms: dict) -> int:
    now = timezone.now()
    adapt_time = cache(connection.ops.adapt_datetimefield_value)  # form exports repeat their timestamps
    when = adapt_time(now)
    verified_at = when if options.status == Status.ACTIVE else None
    status = str(options.status)
    source_name = source_name[:200]
    locations_field = Camera._meta.get_field("locations")
    stored_locations: dict[tuple[str, ...], object] = {}
    terms_ids = {agency_id: version.pk for agency_id, version in terms.items() if version is not None}
    with _large_page_cache(), transaction.atomic():
        registrations = _Inserter(
            Registration,
            [
                "agency", "status", "property_type", "business_name", "street_address", "unit", "city",
                "postal_code", "latitude", "longitude", "location_corrected", "owner_name", "owner_phone",
                "owner_email", "owner_email_hash", "preferred_contact_method", "contact_hours", "alternate_name",
                "alternate_phone", "alternate_email", "alternate_relation", "confirms_exterior_cameras",
                "confirms_records_and_keeps_video", "notes_for_detectives", "language", "created_at",
                "updated_at", "last_confirmed_at", "verified_at",
            ],
            now,
        )  # fmt: skip
        cameras = _Inserter(
            Camera,
            [
                "registration", "locations", "records_street", "description", "bearing_degrees",
                "field_of_view_degrees", "range_m", "retention_days", "exports_common_format", "brand",
            ],
            now,
        )  # fmt: skip
        consents = _Inserter(ConsentRecord, ["registration", "terms_version", "accepted_at", "source", "language"], now)
        rows = _Inserter(ImportedRow, ["agency", "fingerprint", "registration", "source_name"], now)
        for start in range(0, len(accepted), BATCH):
            batch = accepted[start : start + BATCH]
            registration_ids = registrations.reserve_ids(len(batch))
            for item, registration_id in zip(batch, registration_ids, strict=True):
                data = item.data
                owner_email, alternate_email = data.owner_email.lower(), data.alternate_email.lower()
                registrations.add(
                    registration_id,
                    item.agency.id,
                    status,
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
                    # Encrypted exactly as EncryptedTextField would: empty stays empty.
                    encrypt(data.owner_name) if data.owner_name else "",
                    encrypt(data.owner_phone) if data.owner_phone else "",
                    encrypt(owner_email) if owner_email else "",
                    item.owner_email_hash,
                    str(data.preferred_contact_method),
                    data.contact_hours,
                    encrypt(data.alternate_name) if data.alternate_name else "",
                    encrypt(data.alternate_phone) if data.alternate_phone else "",
                    encrypt(alternate_email) if alternate_email else "",
                    data.alternate_relation,
                    True,
                    True,
                    data.notes_for_detectives,
                    data.language,
                    adapt_time(item.created_at) if item.created_at else when,
                    when,
                    when,
                    verified_at,
                )
            registrations.flush()
            camera_ids = iter(cameras.reserve_ids(sum(len(item.data.cameras) for item in batch)))
            consent_ids = iter(consents.reserve_ids(len(batch)))
            row_ids = iter(rows.reserve_ids(len(batch)))
            for item, registration_id in zip(batch, registration_ids, strict=True):
                for camera in item.data.cameras:
                    key = tuple(sorted(set(camera.locations)))
                    if key not in stored_locations:
                        stored_locations[key] = locations_field.get_db_prep_save(list(key), connection)
                    cameras.add(
                        next(camera_ids),
                        registration_id,
                        stored_locations[key],
                        camera.records_street,
                        camera.description,
                        camera.bearing_degrees,
                        camera.field_of_view_degrees,
                        camera.range_m,
                        camera.retention_days,
                        str(camera.exports_common_format),
                        camera.brand,
                    )
                consents.add(
                    next(consent_ids),
                    registration_id,
                    terms_ids[item.agency.id],
                    when,
                    str(ConsentSource.IMPORT),
                    item.data.language,
                )
                rows.add(next(row_ids), item.agency.id, item.fingerprint, registration_id, source_name)
            for inserter in (cameras, consents, rows):
                inserter.flush()
            if options.progress:
                options.progress("save", min(start + BATCH, len(accepted)), len(accepted))
    return len(accepted)


def _audit(report: ImportReport, options: ImportOptions) -> None:
    audit_record(
        action="registration.import_dry_run" if report.dry_run else "registration.import",
        actor=options.actor,
        agency=options.agency,
        object_type="import",
        object_id=report.source[:64],
        parameters={
            "rows": report.rows_total,
            "created": report.rows_created,
            "valid": report.rows_valid,
            "skipped": report.rows_skipped,
            "error_rows": report.error_rows,
            "all_or_nothing": report.all_or_nothing,
            "file_problems": len(report.file_problems),
        },
        outcome="success" if report.ok else "failure",
        request=options.request,
    )
