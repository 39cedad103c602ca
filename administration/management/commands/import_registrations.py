from __future__ import annotations

import re
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from administration.importing import (
    PROFILE_LABELS,
    TARGETS,
    ImportOptions,
    ImportReport,
    guess_mapping,
    read_table,
    registrations_import,
)
from administration.imports.files import ImportFileError
from administration.imports.layout import HeaderRowError, parse_header_row
from agencies.models import Agency
from cameraregistry.progress import Progress
from registrations.models import Status

# Control characters from a file (terminal escape sequences, newlines inside a header) are not echoed.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def _shown(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


class Command(BaseCommand):
    help = "Import registrations from a CSV or XLSX export (online form or spreadsheet). Exit status 1 if any row has a problem."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--agency", help="Slug of the agency; rows outside its jurisdiction are refused.")
        parser.add_argument(
            "--other-agencies",
            choices=["import", "skip"],
            help="With --agency: rows in another agency's jurisdiction are imported for that agency, or skipped "
            "(default: refused, and counted per agency in the summary).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; write nothing.")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="Import the rows without problems even if others have some (default: all or nothing).",
        )
        parser.add_argument("--sheet", help="XLSX sheet to read (default: the first one with rows).")
        parser.add_argument(
            "--header-row",
            metavar="N",
            help="Spreadsheet row number of the header (1 for the first row; default: detected below any title rows).",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help=f"Map a column by its header to a field; fields: {', '.join(TARGETS)}.",
        )
        parser.add_argument(
            "--status",
            choices=[Status.ACTIVE, Status.PENDING],
            default=Status.ACTIVE,
            help="Status of imported registrations (pending puts them in the verification queue).",
        )
        parser.add_argument("--default-retention-days", type=int, default=7)
        parser.add_argument("--report", help="Write the row-by-row report to this CSV file (default: FILE.report.csv).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency with slug '{options['agency']}'.")
        if not 1 <= options["default_retention_days"] <= 365:
            raise CommandError("--default-retention-days must be between 1 and 365.")
        try:
            header_row = parse_header_row(options["header_row"])
        except HeaderRowError as error:
            raise CommandError(f"--header-row {options['header_row']}: {error}") from None
        mapping = self.mapping_given(path, options["sheet"], header_row, options["map"]) if options["map"] else None
        bars: dict[str, Progress] = {}

        def progress(phase: str, done: int, total: int) -> None:
            bar = bars.setdefault(
                phase, Progress("Checking rows" if phase == "check" else "Saving", total, self.stderr._out)
            )
            bar.advance(done - bar.done)

        report = registrations_import(
            path=path,
            options=ImportOptions(
                agency=agency,
                mapping=mapping,
                sheet=options["sheet"],
                header_row=header_row,
                dry_run=options["dry_run"],
                all_or_nothing=not options["valid_rows_only"],
                status=options["status"],
                other_agencies=options["other_agencies"] or "",
                default_retention_days=options["default_retention_days"],
                progress=progress,
                on_mapping=self.print_mapping,
            ),
        )
        report_path = Path(options["report"]) if options["report"] else path.with_name(path.name + ".report.csv")
        try:
            with report_path.open("w", newline="", encoding="utf-8") as stream:
                report.write_csv(stream)
        except OSError as error:
            self.stderr.write(f"Could not write the report file {report_path}: {error.strerror}")
        for line in report.summary_lines():  # summary first, then the notes and each refused row
            self.stdout.write(("  " if line.startswith("  ") else "") + _shown(line))
        for note in report.notes:
            self.stdout.write(f"Note: {_shown(note)}")
        refused, skipped = report.refused, report.skipped
        for problem in refused[:50]:
            where = f"row {problem.row}" + (f", column '{_shown(problem.column)}'" if problem.column else "")
            self.stdout.write(f"{where}: {_shown(problem.problem)}")
        if len(refused) > 50:
            self.stdout.write(f"... and {len(refused) - 50:,} more refused rows; see the report file.")
        for problem in report.updated[:50] + [p for p in skipped if p.kind == "replaced"][:50]:
            self.stdout.write(f"row {problem.row}: {_shown(problem.problem)}")
        if skipped:
            self.stdout.write(
                f"{len(skipped):,} skipped rows (already imported, registered or repeated) are counted above "
                "and listed in the report file."
            )
        if not report.file_problems:
            self.stdout.write(_shown(report.summary()))
        if report.rows_total and report.seconds:
            self.stdout.write(
                f"{report.rows_total:,} rows in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)."
            )
        self.stdout.write(f"Report: {report_path}")
        if not report.ok:
            sys.exit(1)

    def mapping_given(self, path: Path, sheet: str | None, header_row: int | None, items: list[str]) -> dict:
        """The guessed mapping with each --map HEADER=FIELD applied."""
        try:
            headers = read_table(path, sheet, header_row).headers
        except ImportFileError as error:  # the import below reports file problems properly
            headers = []
            self.stderr.write(str(error))
        mapping = guess_mapping(headers)
        for item in items:
            header, _, target = item.partition("=")
            if target not in TARGETS:
                raise CommandError(f"--map {item}: '{target}' is not a field; fields: {', '.join(TARGETS)}.")
            if header not in headers:
                raise CommandError(f"--map {item}: the file has no column headed '{header}'.")
            mapping = {name: index for name, index in mapping.items() if index != headers.index(header)}
            mapping[target] = headers.index(header)
        return mapping

    def print_mapping(self, report: ImportReport) -> None:
        """What was recognised, before any row is checked: the profile, the header row, every column."""
        sheet = f", sheet '{_shown(report.sheet)}'" if report.sheet else ""
        self.stdout.write(
            f"Read as: {PROFILE_LABELS.get(report.profile, report.profile)}{sheet}; header row {report.header_row}."
        )
        self.stdout.write("Columns imported:")
        for header, label in report.columns_used:
            self.stdout.write(f"  {_shown(header)} → {label}")
        if not report.columns_used:
            self.stdout.write("  (none)")
        unused = ", ".join(_shown(header) for header in report.columns_not_imported) or "none, every column is imported"
        self.stdout.write(f"Not imported: {unused}")
