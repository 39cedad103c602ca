"""`registrations_import`: the service that reads a file, checks every row with the public form's
rules, and unless a dry run writes the accepted rows in one transaction (all of them, or none),
with the audit entry in the same transaction: an import that cannot be recorded is not kept.

Pipeline: reader (`read_table`) -> mapping (`guess_mapping`, profiles) -> rows (`ROW_HOOKS`,
`row_to_input`) -> validation (the form's rules, jurisdictions) -> duplicates -> writer -> report.
No confirmation emails are sent for imported rows: a mass mailing is the department's decision.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from cameraregistry.crypto import lookup_hash
from cameraregistry.gc_pause import cyclic_gc_paused
from registrations.geocoding import normalize_address

from . import writer
from .duplicates import Duplicates, Resolution
from .files import ImportFileError
from .layout import bottom_summary_rows, summary_row_note
from .lookups import AddressBook, AgencyFinder, fingerprint
from .mapping import PROFILE_LABELS, TARGETS, describe_mapping, error_column, guess_mapping, source_profile
from .options import ImportOptions
from .reader import read_table
from .report import ImportReport, RowProblem
from .routing import Routing
from .rows import ROW_HOOKS, RowContext, SkippedRow
from .running import only_import_of_this_file
from .updates import apply_updates
from .validation import agency_problems, form_problems, terms_problems


def _missing_columns(mapping: dict[str, int], header_row: int) -> list[str]:
    problems = []
    if "street_address" not in mapping:
        problems.append(f"No column is mapped to the street address; map one (the header row is row {header_row}).")
    if "owner_name" not in mapping and "owner_first_name" not in mapping:
        problems.append("No column is mapped to the owner's name.")
    if "owner_phone" not in mapping:
        problems.append("No column is mapped to the owner's phone number.")
    return problems


# What `_read_and_map` gives `_check_rows`: the headers, the mapping, the rows to check (number, cells).
MappedRows = tuple[list[str], dict[str, int], list[tuple[int, list[str]]]]


def _read_and_map(path: Path, options: ImportOptions, report: ImportReport) -> MappedRows | None:
    """Read the file and map its columns into `report` (profile, header row, columns used and not);
    (headers, mapping, the rows to check), or None with the file's problems in the report."""
    try:
        table = read_table(path, options.sheet, options.header_row)
    except ImportFileError as error:
        report.file_problems.append(str(error))
        return None
    report.notes.extend(table.notes)
    report.sheet = table.sheet
    headers = table.headers
    mapping = dict(options.mapping) if options.mapping is not None else guess_mapping(headers)
    mapping = {target: index for target, index in mapping.items() if target in TARGETS and 0 <= index < len(headers)}
    report.profile, report.header_row = source_profile(headers), table.header_row
    report.profile_label = PROFILE_LABELS[report.profile]
    report.columns_used, report.columns_not_imported = describe_mapping(headers, mapping)
    if options.on_mapping:
        options.on_mapping(report)
    report.file_problems.extend(_missing_columns(mapping, table.header_row))
    if report.file_problems:
        return None
    if "retention_days" not in mapping:
        report.notes.append(
            f"The file has no 'days of footage kept' column; every camera is recorded as keeping "
            f"{options.default_retention_days} days."
        )
    # A clerk's total and notes rows at the bottom are not registrations: skipped, each with a report line.
    summary_rows = bottom_summary_rows(table.rows, mapping)
    rows = table.rows[: len(table.rows) - summary_rows]
    report.notes.extend(summary_row_note(number, cells) for number, cells in table.rows[len(rows) :])
    report.rows_not_registrations = summary_rows
    return headers, mapping, rows


def _check_rows(
    headers: list[str],
    mapping: dict[str, int],
    rows: list[tuple[int, list[str]]],
    options: ImportOptions,
    report: ImportReport,
) -> tuple[Resolution, AgencyFinder]:
    """Every row's verdict into `report`; the rows to create and the registrations to update."""
    normalize = cache(normalize_address)  # a chain of regular expressions: once per address per run
    address_index = mapping["street_address"]
    file_addresses = {cells[address_index] for _row, cells in rows if address_index < len(cells)}
    addresses = AddressBook(file_addresses, normalize)
    finder = AgencyFinder()
    # The zone is looked up once: it is a context-local read per call.
    context = RowContext(mapping, headers, options, addresses, timezone.get_current_timezone())
    hook = ROW_HOOKS[report.profile]
    duplicates = Duplicates(normalize, file_addresses, set(mapping))
    address_column = error_column("street_address", mapping, headers)
    routing = Routing(options)
    report.rows_total = len(rows)
    for done, (row_number, cells) in enumerate(rows, start=1):
        if options.progress and (done % 1000 == 0 or done == report.rows_total):
            options.progress("check", done, report.rows_total)
        result = hook(cells, context)
        if isinstance(result, SkippedRow):
            report.notes.append(f"Row {row_number} skipped: {result.reason}")
            report.rows_not_registrations += 1
            continue
        data, problems = result.data, result.problems
        agency = None
        if data is not None:
            form_problems(data, problems, mapping, headers, address_column)
        if data is not None and not problems:
            agency, problems = agency_problems(data, finder, address_column)
        if agency is not None and not problems:
            if routed := routing.verdict(row_number, agency, address_column):
                report.problems.append(routed)
                report.rows_skipped += routed.severity == "skipped"
                continue
            problems = terms_problems(agency, finder)
        if problems or data is None or agency is None:  # a row without data or agency always has problems
            report.problems.extend(RowProblem(row_number, column or "", problem) for column, problem in problems)
            continue
        email_hash = lookup_hash(data.owner_email)
        duplicates.add(
            writer.Accepted(row_number, fingerprint(data, normalize), agency, data, result.submitted, email_hash)
        )
    report.other_agencies = routing.summary(options.dry_run)
    resolution = duplicates.resolve()
    report.problems.extend(resolution.skipped)
    report.rows_skipped += sum(1 for problem in resolution.skipped if problem.severity == "skipped")
    report.rows_updated = len(resolution.updates)
    return resolution, finder


@cyclic_gc_paused()  # hundreds of thousands of row objects, no cycles: GC passes were a fifth of the CPU
def registrations_import(*, path: Path | str, options: ImportOptions, source_name: str = "") -> ImportReport:
    """Check every row; unless a dry run, create the accepted registrations (all of them, or none)."""
    started = time.monotonic()
    path = Path(path)
    report = ImportReport(
        source=source_name or path.name,
        dry_run=options.dry_run,
        all_or_nothing=options.all_or_nothing,
        agency_slug=options.agency.slug if options.agency else "",
    )
    read = _read_and_map(path, options, report)
    if read is None:
        _audit(report, options)
        return report
    if options.dry_run:
        _check_and_save(read, options, report)
    else:
        with only_import_of_this_file(path, options, report.source) as other:
            if other:
                report.file_problems.append(other)
                _audit(report, options)
                return report
            _check_and_save(read, options, report)
    report.seconds = time.monotonic() - started  # with the commit, where PostgreSQL checks the foreign keys
    return report


def _check_and_save(read: MappedRows, options: ImportOptions, report: ImportReport) -> None:
    resolution, finder = _check_rows(*read, options, report)
    report.rows_valid = len(resolution.accepted)
    report.problems.sort(key=lambda problem: problem.row)
    try:
        with transaction.atomic():
            if not options.dry_run and not (options.all_or_nothing and report.error_rows):
                if resolution.accepted:
                    report.rows_created = writer.save(resolution.accepted, options, report.source, finder.terms)
                report.rows_changed = apply_updates(resolution.updates, options, report.source)
            _audit(report, options)
    except IntegrityError:
        # Another import (of another file) stored some of the same rows while this one ran: nothing is kept.
        report.rows_created = report.rows_changed = 0
        report.file_problems.append(
            "Another import stored some of the same registrations while this one was running; nothing was "
            "imported from this file. Run it again: the rows already there will be skipped."
        )
        _audit(report, options)


def _audit(report: ImportReport, options: ImportOptions) -> None:
    audit_record(
        action="registration.import_dry_run" if report.dry_run else "registration.import",
        actor=options.actor,
        agency=options.agency,
        object_type="import",
        object_id=report.source[:64],
        parameters={
            "rows": report.rows_total,
            "created": report.rows_created,
            "valid": report.rows_valid,
            "skipped": report.rows_skipped,
            "updated": report.rows_changed,
            "error_rows": report.error_rows,
            "all_or_nothing": report.all_or_nothing,
            "file_problems": len(report.file_problems),
        },
        outcome="success" if report.ok else "failure",
        request=options.request,
    )
