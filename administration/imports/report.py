"""What an import found, for the person who runs it: summary first (created or would be created,
duplicates by kind, refused rows per reason), then the refused rows with the spreadsheet's row
number and the column's header as written in the file. Rows skipped because they are already
there are counted in the summary and listed only in the full report (CSV).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field

from cameraregistry.csv_safe import safe_cell

MAX_REASONS = 15

# Kinds of skipped rows, in the order the summary counts them.
SKIPPED_KINDS = {
    "repeat": "Repeated rows of this file (not imported twice)",
    "already_imported": "Already imported from an earlier file",
    "withdrawn": "Imported before, owner since withdrawn (not re-created)",
    "already_registered": "Already registered by the owner on the form",
    "replaced": "Replaced by a newer answer of the same owner in this file",
    "kept": "Older or undated answers of owners registered already (registration kept)",
    "other_agency": "In another agency's jurisdiction (skipped, as chosen)",
}


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


# An address the table lacks is reported with the most alike ones after this; the summary counts such
# rows under one reason, without the suggestions.
NEAREST_PREFIX = " Nearest in the address table: "


@dataclass
class RowProblem:
    row: int
    column: str  # the column's header as written in the file; "" for the row as a whole
    problem: str
    severity: str = "error"  # "error": row not imported; "skipped": already there, nothing to do;
    # "updated": a newer answer of a registered owner, which updates that registration
    kind: str = ""  # for skipped rows: a key of SKIPPED_KINDS


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    all_or_nothing: bool
    agency_slug: str = ""
    sheet: str = ""
    # What was recognised: the source profile, the header row and which column goes where.
    profile: str = ""
    profile_label: str = ""
    header_row: int = 0
    columns_used: list[tuple[str, str]] = field(default_factory=list)  # (header as written, field label)
    columns_not_imported: list[str] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows_total: int = 0
    rows_valid: int = 0
    rows_created: int = 0
    rows_skipped: int = 0
    rows_updated: int = 0  # registrations a newer answer updates (or would, in a dry run)
    rows_changed: int = 0  # registrations updated
    other_agencies: list[str] = field(default_factory=list)  # per other agency: how many rows, what happens
    rows_not_registrations: int = 0  # total and notes rows at the bottom of the sheet
    seconds: float = 0.0

    @property
    def error_rows(self) -> int:
        return len({p.row for p in self.problems if p.severity == "error"})

    @property
    def ok(self) -> bool:
        return not self.file_problems and self.error_rows == 0

    @property
    def rows_per_second(self) -> float:
        return self.rows_total / self.seconds if self.seconds else 0.0

    @property
    def refused(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def skipped(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "skipped"]

    @property
    def updated(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "updated"]

    def summary(self) -> str:
        if self.file_problems:
            return "The file could not be imported: " + " ".join(self.file_problems)
        action = "would be created (dry run, nothing saved)" if self.dry_run else "created"
        created = self.rows_valid if self.dry_run else self.rows_created
        text = (
            f"{self.rows_total:,} rows read; {created:,} registrations {action}; "
            f"{self.rows_skipped:,} already registered or repeated; {self.error_rows:,} rows with problems."
        )
        if self.error_rows and self.all_or_nothing and not self.dry_run:
            text += " Nothing was imported because the import was set to all-or-nothing."
        return text

    def reasons(self) -> list[tuple[str, str, int]]:
        """(column as written, problem, number of rows) for refused rows, most frequent first."""
        counts = Counter((p.column, p.problem.split(NEAREST_PREFIX)[0]) for p in self.refused)
        return [(column, problem, count) for (column, problem), count in counts.most_common()]

    def summary_lines(self) -> list[str]:
        """The summary a person reads first: what happens, duplicates by kind, refusals per reason."""
        if self.file_problems:
            return [self.summary()]
        created = self.rows_valid if self.dry_run else self.rows_created
        lines = [
            f"{_rows(self.rows_total)} read" + (" (dry run, nothing saved)." if self.dry_run else "."),
            ("Would create: " if self.dry_run else "Created: ")
            + (f"{created:,} registration" if created == 1 else f"{created:,} registrations")
            + "."
            + (
                " Nothing was imported because the import was set to all-or-nothing."
                if self.error_rows and self.all_or_nothing and not self.dry_run
                else ""
            ),
        ]
        if self.rows_updated:
            updated = self.rows_updated if self.dry_run else self.rows_changed
            lines.append(
                ("Would update: " if self.dry_run else "Updated: ")
                + (f"{updated:,} registration" if updated == 1 else f"{updated:,} registrations")
                + " (a newer answer of an owner already registered)."
            )
        kinds = Counter(p.kind for p in self.skipped)
        lines.extend(f"{label}: {_rows(kinds[kind])}." for kind, label in SKIPPED_KINDS.items() if kinds[kind])
        if self.rows_not_registrations:
            lines.append(f"Total or notes rows skipped: {_rows(self.rows_not_registrations)}.")
        if self.error_rows:
            lines.append(f"Refused: {_rows(self.error_rows)}.")
            reasons = self.reasons()
            for column, problem, count in reasons[:MAX_REASONS]:
                lines.append(f"  {_rows(count)}: " + (f"{column}: " if column else "") + problem)
            if len(reasons) > MAX_REASONS:
                lines.append(f"  and {len(reasons) - MAX_REASONS:,} other problems; see the full list.")
        lines.extend(self.other_agencies)  # rows of other agencies: what happens, or the choice to make
        return lines

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "all_or_nothing": self.all_or_nothing,
            "agency": self.agency_slug,
            "sheet": self.sheet,
            "profile": self.profile,
            "profile_label": self.profile_label,
            "header_row": self.header_row,
            "columns_used": [list(pair) for pair in self.columns_used],
            "columns_not_imported": self.columns_not_imported,
            "file_problems": self.file_problems,
            "notes": self.notes,
            "rows_total": self.rows_total,
            "rows_valid": self.rows_valid,
            "rows_created": self.rows_created,
            "rows_skipped": self.rows_skipped,
            "rows_updated": self.rows_updated,
            "rows_changed": self.rows_changed,
            "other_agencies": self.other_agencies,
            "error_rows": self.error_rows,
            "summary": self.summary(),
            "summary_lines": self.summary_lines(),
            "problems": [vars(problem) for problem in self.problems],
        }

    def write_csv(self, stream) -> None:
        writer = csv.writer(stream)
        writer.writerow(["row", "column", "severity", "problem"])
        for message in self.file_problems:
            writer.writerow(["", "", "error", safe_cell(message)])
        for problem in self.problems:
            writer.writerow([problem.row, safe_cell(problem.column), problem.severity, safe_cell(problem.problem)])
