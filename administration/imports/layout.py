"""How a sheet is laid out around its registrations: the header row (given by a person or detected),
its width, and the total or notes rows a clerk keeps at the bottom of a hand-kept sheet.

Plain functions of cell text, no database. The importer skips the bottom rows found here with a
report line ("Row 17 skipped: it looks like a total/notes row"), so they never block an
all-or-nothing import.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .files import ImportFileError

MAX_COLUMNS = 1000  # the longest form has about 40 questions


class HeaderRowError(ImportFileError):
    """The header row a person chose cannot be the header; the message says why."""


def parse_header_row(text: str | int | None) -> int | None:
    """A header row as typed on the page or the command line: empty means detect; else a row number from 1."""
    value = str(text if text is not None else "").strip()
    if not value:
        return None
    if not value.isdecimal() or len(value) > 7:
        raise HeaderRowError(
            _("The header row must be a row number as the spreadsheet shows it (1 for the first row), not '%(value)s'.")
            % {"value": value[:20]}
        )
    if int(value) < 1:
        raise HeaderRowError(_("The header row must be a row number from 1 on (the spreadsheet's first row is 1)."))
    return int(value)


def header_position(rows: list[tuple[int, list[str]]], header_row: int) -> int:
    """Index in `rows` (the non-blank rows, numbered as in the sheet) of spreadsheet row `header_row`."""
    for position, (number, _cells) in enumerate(rows):
        if number == header_row:
            return position
    last = rows[-1][0] if rows else 0
    if header_row > last:
        raise HeaderRowError(
            f"Row {header_row} is beyond the end of the file (its last row with anything in it is row {last}); "
            "it cannot be the header."
        )
    raise HeaderRowError(f"Row {header_row} is empty; the header row must hold the column names.")


def check_width(rows: list[tuple[int, list[str]]], limit: int = 15) -> None:
    """Refuse a sheet whose top rows are wider than any form (a hostile or mangled file)."""
    for number, cells in rows[:limit]:
        width = len(cells)
        while width and not cells[width - 1]:
            width -= 1
        if width > MAX_COLUMNS:
            raise ImportFileError(
                f"Row {number} has {width:,} columns; at most {MAX_COLUMNS:,} can be read. "
                "Remove the extra columns, or check that the file is the form's export."
            )


def used_width(rows: list[tuple[int, list[str]]]) -> int:
    """Columns up to the last one with anything in it, in any row (a workbook's formatted empty cells
    to the right do not count)."""
    width = 0
    for _number, cells in rows:
        end = len(cells)
        if end <= width:
            continue
        while end > width and not cells[end - 1]:
            end -= 1
        width = end
    return width


def header_problem(number: int, headers: list[str]) -> str | None:
    """Why the row taken as the header cannot name columns (it holds only formulas), or None."""
    named = [header for header in headers if header]
    if named and all(header.startswith("=") for header in named):
        return (
            f"Row {number}, taken as the header, holds only formulas, not column names. "
            "Type the column names into the header row, or give the header row's number."
        )
    return None


# A first cell that labels the row as a summary: "Total", "TOTAL: 14", "Grand total", "Notes: ...".
_SUMMARY_LABEL = re.compile(
    r"^\s*(grand\s+|sub\s*)?(totals?|sum|count|number of (rows|registrations|cameras)|notes?|n\.\s?b\.?|remarks?)"
    r"(?![a-z])",
    re.IGNORECASE,
)
# A count: "14", "1,204", "# 7", or a spreadsheet formula that adds up a column.
_COUNT = re.compile(r"^\s*#?\s*\d[\d,.\s]*$|^=\s*(sum|count|counta|subtotal)\s*\(", re.IGNORECASE)
# Cells that make a row a registration, whatever else it holds.
_KEY_TARGETS = ("street_address", "owner_phone", "owner_email", "latitude", "longitude")
MAX_SUMMARY_ROWS = 10


def looks_like_total_or_notes(cells: list[str], mapping: dict[str, int]) -> bool:
    """A row with no address, phone or email that is a total ("TOTAL", "Total: 14", only a count)
    or a note (a labelled note, or text in the first cell only)."""
    filled = [(index, text) for index, text in enumerate(cells) if text]
    if not filled:
        return False
    for target in _KEY_TARGETS:
        index = mapping.get(target)
        if index is not None and index < len(cells) and cells[index]:
            return False
    first_index, first = filled[0]
    if _SUMMARY_LABEL.match(first):
        return True
    if all(_COUNT.match(text) for _index, text in filled):
        return True
    return len(filled) == 1 and first_index == 0


def bottom_summary_rows(rows: list[tuple[int, list[str]]], mapping: dict[str, int]) -> int:
    """How many rows at the end of the sheet are totals or notes (at most MAX_SUMMARY_ROWS)."""
    count = 0
    for _number, cells in reversed(rows[-MAX_SUMMARY_ROWS:]):
        if not looks_like_total_or_notes(cells, mapping):
            break
        count += 1
    return count


def summary_row_note(number: int, cells: list[str]) -> str:
    shown = " ".join(text for text in cells if text)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"Row {number} skipped: it looks like a total/notes row ({shown})."
