"""The importer's public names, for callers that import them from here; the code is in `administration.imports`."""

from __future__ import annotations

from .imports.files import ImportFileError
from .imports.mapping import PROFILE_LABELS, TARGETS, describe_mapping, find_header_row, guess_mapping, source_profile
from .imports.options import DEFAULT_RETENTION_DAYS, ImportOptions
from .imports.reader import MAX_FILE_BYTES, MAX_ROWS, Table, read_table
from .imports.report import ImportReport, RowProblem
from .imports.service import registrations_import
from .imports.values import (
    ValueProblem,
    parse_date,
    parse_export_format,
    parse_locations,
    parse_records_street,
    parse_retention,
    parse_whole_number,
    parse_yes_no,
)

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "PROFILE_LABELS",
    "TARGETS",
    "ImportFileError",
    "ImportOptions",
    "ImportReport",
    "RowProblem",
    "Table",
    "ValueProblem",
    "describe_mapping",
    "find_header_row",
    "guess_mapping",
    "parse_date",
    "parse_export_format",
    "parse_locations",
    "parse_records_street",
    "parse_retention",
    "parse_whole_number",
    "parse_yes_no",
    "read_table",
    "registrations_import",
    "source_profile",
]
