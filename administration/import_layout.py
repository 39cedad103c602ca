"""How a sheet is laid out around its registrations: the header row a person names, and the total or
notes rows a clerk keeps at the bottom of a hand-kept sheet.

Plain functions of cell text, no database. The importer skips the bottom rows found here with a
report line ("Row 17 skipped: it looks like a total/notes row"), so they never block an
all-or-nothing import.
"""

from __future__ import annotations

import re

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
