"""Reading one imported cell the way people write it: yes/no answers, multi-select options, days,
dates, placeholders such as "N/A", the street-traffic question, and formulas.

Plain functions of text, no database: each returns the value or raises `ValueProblem` with a
message for the person who uploaded the file (the importer adds the row and the column header).
Phone numbers are read by `registrations.validators.normalize_phone`, the public form's rule.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from functools import lru_cache

from django.utils import timezone

from registrations.models import CameraLocation, ExportFormat


class ValueProblem(ValueError):
    pass


# ---------------------------------------------------------------- yes / no

_YES = {"yes", "y", "true", "t", "1", "x", "si", "sí", "yes please", "checked", "on"}
_NO = {"no", "n", "false", "f", "0", "none", "unchecked", "off"}
_UNKNOWN = {"", "unknown", "not sure", "don't know", "dont know", "i don't know", "?", "n/a", "na", "unsure", "maybe"}
_NO_WITH_REASON = re.compile(r"^no\s*[,.;:\-–—(]")  # "No, only my backyard", "No - inside only"


def parse_yes_no(text: str) -> bool | None:
    value = text.strip().lower().rstrip(".!")
    if value in _YES or value.startswith("yes"):
        return True
    if value in _NO or value.startswith("no ") or _NO_WITH_REASON.match(value):
        return False
    if value in _UNKNOWN:
        return None
    raise ValueProblem(f"'{text[:40]}' is not yes or no.")


def parse_export_format(text: str) -> str:
    try:
        answer = parse_yes_no(text)
    except ValueProblem:
        raise ValueProblem(f"'{text[:40]}' is not yes, no or unknown.") from None
    return {True: ExportFormat.YES, False: ExportFormat.NO, None: ExportFormat.UNKNOWN}[answer]


# ---------------------------------------------------------------- the street-traffic question

# The form's own example ("The Roadway at 10300 Roosevelt") invites naming the street instead of "yes".
_STREET_START = re.compile(
    r"^(partial|partly|some|mostly|both|the road|roadway|road\b|street|corner|intersection|sidewalk|across)",
    re.IGNORECASE,
)
_STREET_WORD = re.compile(
    r"\b(\d{3,6}\s+[a-z]+|\d+(st|nd|rd|th)|st|street|ave|avenue|rd|road|roadway|blvd|boulevard|dr|drive|ln|lane|ct|"
    r"court|hwy|highway|pkwy|parkway|intersection|corner)\b",
    re.IGNORECASE,
)
_YES_PREFIX = re.compile(r"^\s*yes\b[\s,.;:\-–—!]*", re.IGNORECASE)


@lru_cache(maxsize=2048)  # form answers repeat ("Yes", "No")
def parse_records_street(text: str) -> tuple[bool | None, str]:
    """(records the street?, what it records as written): 'The roadway at 1403 1st St' -> (True, that text)."""
    value = text.strip()
    try:
        answer = parse_yes_no(value)
    except ValueProblem:
        if _STREET_START.match(value) or _STREET_WORD.search(value):
            return True, value
        raise
    if answer and (rest := _YES_PREFIX.sub("", value, count=1)) and _STREET_WORD.search(rest):
        return True, rest  # "Yes - Elm Ave": what it records is the street
    return answer, ""


# ---------------------------------------------------------------- placeholders

# What people type into an optional field to say "nothing": these mean empty, not a value.
_NOTHING = {"n/a", "n.a.", "n.a", "na", "none", "nothing", "no", "nil", "null", "not applicable", "-", "--", "---"}
_NOTHING |= {"—", "–", ".", "...", "?", "none given", "no email", "no business", "no alternate", "n / a"}
_NOT_A_BUSINESS = {"residence", "residential", "home", "house", "private residence", "private", "personal"}


_LONGEST_PLACEHOLDER = 24  # with spaces around: " private residence. "


def is_placeholder(text: str, *, business: bool = True) -> bool:
    """'N/A', 'none', '-' mean an empty optional field; so do 'Residence', 'Home' where a business name
    or contact is asked (`business`), not in free-text notes where they may be real words."""
    if len(text) > _LONGEST_PLACEHOLDER or "@" in text:  # most cells: real names and emails, answered at once
        return False
    value = " ".join(text.lower().split())
    if value in _NOTHING or value.rstrip(".") in _NOTHING:
        return True
    return business and value.rstrip(".") in _NOT_A_BUSINESS


# What a form writes where the respondent's sign-in would be (Microsoft Forms on a public form: "anonymous").
# Never an owner's name or email, in any case or spacing.
_SIGN_IN_PLACEHOLDERS = {
    "anonymous", "anonymous user", "anon", "guest", "guest user", "not signed in", "unknown user", "(anonymous)",
}  # fmt: skip


def is_sign_in_placeholder(text: str) -> bool:
    """'anonymous', 'Anonymous', ' ANONYMOUS ', 'Guest user': a sign-in placeholder, not a person."""
    return len(text) <= 20 and " ".join(text.lower().split()) in _SIGN_IN_PLACEHOLDERS


# ---------------------------------------------------------------- multi-select camera locations

_LOCATION_WORDS = [
    ("parking_lot", ("parking", "lot")),
    ("driveway", ("driveway", "drive way")),
    ("garage", ("garage",)),
    ("alley", ("alley",)),
    ("entrance", ("entrance", "entry", "door", "doorbell", "porch")),
    ("front", ("front",)),
    ("back", ("back", "rear")),
    ("side", ("side",)),
    ("other", ("other",)),
]

# Options of the forms departments run (the Westchester form and its copies) that hold a "/" or ","
# inside one option; answers are matched against these whole options before being split.
_PLACES = r"(residence|business|home|house|property|building|store)"
_FORM_OPTIONS: list[tuple[str, tuple[str, ...]]] = [
    (rf"front of (the )?{_PLACES}(\s*(/|or|,)\s*{_PLACES})?", ("front",)),
    (rf"(back|rear) of (the )?{_PLACES}(\s*(/|or|,)\s*{_PLACES})?", ("back",)),
    (rf"side of (the )?{_PLACES}(\s*(/|or|,)\s*{_PLACES})?", ("side",)),
    (r"entrance\s*/\s*exit|front door\s*/\s*porch|door\s*/\s*doorbell", ("entrance",)),
    (r"back\s*yard\s*/\s*patio|backyard\s*/\s*patio", ("back",)),
    (r"driveway\s*/\s*garage", ("driveway", "garage")),
    (r"parking lot\s*/\s*garage", ("parking_lot", "garage")),
    (r"alley\s*/\s*back of property", ("alley", "back")),
]
_OPTION_PATTERNS = [
    (re.compile(rf"(?<![a-z]){pattern}(?![a-z])", re.IGNORECASE), values) for pattern, values in _FORM_OPTIONS
]


def parse_locations(text: str) -> tuple[list[str], list[str]]:
    """'Front, Driveway; Alley' -> (['alley', 'driveway', 'front'], []); unknown words go to the second list."""
    found, unknown = _parse_locations(text)
    return list(found), list(unknown)


@lru_cache(maxsize=2048)  # a form's multi-select produces few distinct answers
def _parse_locations(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found: set[str] = set()
    unknown: list[str] = []
    for pattern, values in _OPTION_PATTERNS:
        text, count = pattern.subn(",", text)
        if count:
            found.update(values)
    for part in re.split(r"[,;/|\n]+|\band\b|&", text, flags=re.IGNORECASE):
        words = part.strip().lower()
        if not words:
            continue
        matched = [value for value, keys in _LOCATION_WORDS if any(key in words for key in keys)]
        if matched:
            found.add(matched[0])
        else:
            found.add(CameraLocation.OTHER)
            unknown.append(part.strip())
    return tuple(sorted(found)), tuple(unknown)


# ---------------------------------------------------------------- numbers and days

_DURATION = re.compile(r"^\s*(\d{1,6})\s*(d|day|days|w|wk|wks|week|weeks|m|mo|month|months)?\.?\s*$", re.IGNORECASE)


def parse_retention(text: str) -> int:
    match = _DURATION.match(text)
    if not match:
        raise ValueProblem(f"'{text[:40]}' is not a number of days (write e.g. 14, '2 weeks' or '1 month').")
    number, unit = int(match.group(1)), (match.group(2) or "d").lower()
    days = number * (7 if unit.startswith("w") else 30 if unit.startswith("m") else 1)
    if not 1 <= days <= 365:
        raise ValueProblem(f"{days} days of footage is not possible here: it must be between 1 and 365.")
    return days


def parse_whole_number(text: str, low: int, high: int, what: str) -> int | None:
    value = text.strip().rstrip("°").removesuffix("m").removesuffix("degrees").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueProblem(f"'{text[:40]}' is not a number.") from None
    if not number.is_integer() or not low <= number <= high:
        raise ValueProblem(f"{what} must be a whole number from {low} to {high}.")
    return int(number)


# Compass points as forms and spreadsheets write them ("North-east", "NE", "noreste"), to degrees.
_COMPASS_POINTS = {
    "n": 0, "north": 0, "norte": 0,
    "ne": 45, "northeast": 45, "noreste": 45, "nordeste": 45,
    "e": 90, "east": 90, "este": 90,
    "se": 135, "southeast": 135, "sureste": 135, "sudeste": 135,
    "s": 180, "south": 180, "sur": 180,
    "sw": 225, "southwest": 225, "suroeste": 225, "sudoeste": 225,
    "w": 270, "west": 270, "oeste": 270,
    "nw": 315, "northwest": 315, "noroeste": 315,
}  # fmt: skip


def parse_direction(text: str) -> int | None:
    """The way a camera faces: whole degrees (0-359), or a compass point in words or letters."""
    key = re.sub(r"[^a-z]", "", text.lower().removeprefix("facing").strip())
    if key and key in _COMPASS_POINTS:
        return _COMPASS_POINTS[key]
    try:
        return parse_whole_number(text, 0, 359, "Direction")
    except ValueProblem:
        if any(character.isdigit() for character in text):
            raise
        raise ValueProblem(
            f"'{text[:40]}' is not a direction: give degrees (0-359) or a compass point such as NE."
        ) from None


# ---------------------------------------------------------------- dates

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",
)


# A pattern's separators ("-", "/", ":", "t") must all be in a text it can read; checking that
# first skips most of the failing strptime calls, which are slow.
_DATE_PATTERNS = tuple(
    (pattern, frozenset(re.sub(r"%.", "", pattern).lower().replace(" ", ""))) for pattern in _DATE_FORMATS
)


@lru_cache(maxsize=8192)  # form exports repeat dates, often whole timestamps
def _read_date(text: str) -> datetime | None:
    lowered = text.lower()
    for pattern, separators in _DATE_PATTERNS:
        if not all(separator in lowered for separator in separators):
            continue
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def parse_date(text: str, zone: tzinfo | None = None) -> datetime:
    """A form export's date, in `zone` (default: the current time zone) unless it names its own."""
    return _parse_date(text.strip(), zone or timezone.get_current_timezone())


def _parse_date(value: str, zone: tzinfo) -> datetime:
    parsed = _aware_date(value, zone)
    if parsed.year < 1990 or parsed > timezone.now():
        raise ValueProblem(f"The date {value[:30]} is in the future or before 1990.")
    return parsed


@lru_cache(maxsize=8192)  # exports repeat timestamps; making them aware costs more than reading them
def _aware_date(value: str, zone: tzinfo) -> datetime:
    """The moment written, in `zone` unless it names its own; compared with now by the caller, not cached."""
    parsed = _read_date(value[:26].split(".")[0])
    if parsed is not None:
        return timezone.make_aware(parsed, zone)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueProblem(f"'{value[:30]}' is not a date (write it as 2024-05-31 or 5/31/2024).") from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, zone)


# ---------------------------------------------------------------- formulas

FORMULA_PROBLEM = (
    "This is a spreadsheet formula (it starts with '='); formulas are not imported. "
    "Replace it with the text or number it should hold."
)


def formula_problem(text: str) -> str | None:
    """A reason to refuse a cell that is a formula: an XLSX formula cell (the reader gives its formula
    text, '=...') or text that a spreadsheet would run as one. Text that merely starts with '-', '+' or
    '@' ('- gate code 1234', '@ night') is ordinary text; exports protect it (cameraregistry/csv_safe.py)."""
    return FORMULA_PROBLEM if text.startswith("=") else None
