"""CSV exports that a spreadsheet cannot turn into formulas (OWASP "CSV injection").

The rule, applied to every text cell of every export (this is the only writer; use it):

1. A cell starting with = + - @ tab or carriage return would be run as a formula by
   Excel, LibreOffice or Google Sheets; it gets a leading apostrophe, which those
   programs show as plain text.
2. The same characters directly after a ``;`` or ``,`` inside the cell also get an
   apostrophe in front (``x;=1+1`` becomes ``x;'=1+1``). A spreadsheet whose list
   separator is ``;`` (most of Europe and Latin America), or one that ignores the quoting,
   splits such a cell there, and the piece after the separator would start a formula.

Nothing else is changed, so ordinary text stays as typed: "Smith-Jones", "front - street",
"Oak St, -" (a space after the separator: a cell starting with a space is text to those
programs, as OWASP's start-of-cell rule assumes) and JSON (``json.dumps`` puts a space
after every comma) come out unchanged. Only apostrophes are ever inserted. Numbers are left
alone: they are never formulas.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATORS = (";", ",")
# A trigger right after a list separator; the apostrophe goes between the two.
_TRIGGER_AFTER_SEPARATOR = re.compile(
    "([" + re.escape("".join(LIST_SEPARATORS)) + "])(?=[" + re.escape("".join(FORMULA_TRIGGERS)) + "])"
)


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet-safe CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    text = _TRIGGER_AFTER_SEPARATOR.sub(r"\1'", str(value))
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]], header: Sequence[str]) -> Iterator[str]:
    """Encoded CSV lines, header first, every cell neutralised; streams whatever `rows` yields."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # lets Excel read UTF-8 (Spanish names, accents) correctly
    yield writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def write_csv(
    rows: Iterable[Iterable[Any]], header: Sequence[str], filename: str = "export.csv"
) -> StreamingHttpResponse:
    """A streamed CSV download; `rows` may be a lazy iterator (e.g. queryset.iterator())."""
    safe_name = (
        "".join(character for character in filename if character.isalnum() or character in "-_.") or "export.csv"
    )
    response = StreamingHttpResponse(csv_lines(rows, header), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response
