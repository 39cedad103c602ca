"""Reading an import file into a table: CSV in any of the encodings spreadsheets save (UTF-8 with or
without BOM, UTF-16, Windows-1252) or an XLSX workbook (checked for ZIP bombs first, read with its
formulas), the header row given or detected below title rows, and as wide as its data.

Raises `ImportFileError` with a plain reason for a file that cannot be read as a whole.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import openpyxl

from .files import ZIP_SIGNATURE, ImportFileError, old_excel_message, workbook_problem
from .layout import check_width, header_position, header_problem, used_width
from .mapping import find_header_row

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000


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
