"""CSV exports that a spreadsheet cannot turn into formulas (OWASP "CSV injection").

A text cell starting with = + - @ tab or carriage return would be run as a formula by
Excel, LibreOffice or Google Sheets; such cells get a leading apostrophe, which those
programs show as plain text. Numbers are left alone: they are never formulas.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


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
    text = str(value)
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
