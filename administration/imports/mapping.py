"""Which column of an import file is which field: the source profile recognised from the header row,
header guesses (most specific first), the header row of a sheet with title rows above it, and how a
column is named back to the person (its header as written in the file, never a field name).

Plain functions of header text, no database.
"""

from __future__ import annotations

import re

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
    (
        "retention_days",
        (
            "days of footage",
            "retention",
            "how long",
            "days kept",
            "days recorded",
            "storage days",
            "keep video",
            "keeps video",
            "keep footage",
            "days of video",
        ),
    ),
    ("field_of_view_degrees", ("field of view", "view angle", "angle")),
    ("bearing_degrees", ("direction", "bearing", "facing")),
    ("range_m", ("range",)),
    (
        "notes_for_detectives",
        ("additional information", "notes", "comments", "anything else", "detectives", "detective"),
    ),
    ("camera_description", ("depict", "describe", "description", "what do the cameras", "what does the camera")),
    ("brand", ("brand", "manufacturer", "system make", "make")),
    (
        "preferred_contact_method",
        ("preferred contact", "contact method", "how should we contact", "how to contact", "best way to reach"),
    ),
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
    used = [(header_as_written(headers, i), TARGETS[by_index[i]]) for i in sorted(by_index) if i < len(headers)]
    unused = [header_as_written(headers, i) for i in range(len(headers)) if i not in by_index]
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


def header_as_written(headers: list[str], index: int) -> str:
    header = headers[index] if index < len(headers) else ""
    return header or f"(column {index + 1}, no header)"


def error_column(field_name: str, mapping: dict[str, int], headers: list[str]) -> str:
    targets = {
        "location": ["latitude", "street_address"],
        "consent": [],
        "owner_name": ["owner_name", "owner_first_name", "owner_last_name"],
    }.get(field_name, [field_name])
    if field_name.startswith("camera"):
        targets = ["camera_locations", "retention_days", "bearing_degrees", "field_of_view_degrees", "range_m"]
    names = [header_as_written(headers, mapping[t]) for t in targets if t in mapping and mapping[t] < len(headers)]
    return " / ".join(names)  # "" when the file has no column for it: the problem is the row's
