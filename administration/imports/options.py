"""What the person running an import chose: agency, mapping, sheet, header row, dry run, all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from accounts.models import User
from agencies.models import Agency
from registrations.models import Status

from .report import ImportReport

DEFAULT_RETENTION_DAYS = 7


@dataclass
class ImportOptions:
    agency: Agency | None = None
    mapping: dict[str, int] | None = None
    sheet: str | None = None
    header_row: int | None = None  # spreadsheet row number of the header; None: detected
    dry_run: bool = True
    all_or_nothing: bool = True
    status: str = Status.ACTIVE
    # Rows in another agency's jurisdiction than `agency`'s: "import" (for that agency, when the actor may),
    # "skip", or "" (refused, the default).
    other_agencies: str = ""
    default_retention_days: int = DEFAULT_RETENTION_DAYS
    actor: User | None = None  # None: the command line
    request: HttpRequest | None = None
    progress: Callable[[str, int, int], None] | None = None  # (phase 'check' or 'save', done, total)
    # Called with the report once the file is read and its columns mapped, before any row is checked.
    on_mapping: Callable[[ImportReport], None] | None = None
