"""Any cell content — text in any script, control characters, NUL, numbers, formulas, huge strings, repeated
owners — gives every row a verdict through the whole pipeline (read, map, rows, validation, duplicates,
writer), or the file one clear message; never a traceback, never a half-saved import."""

from __future__ import annotations

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from administration.importing import ImportOptions, registrations_import
from registrations.models import Registration
from tests.administration import messy_files

_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # NUL and control characters too
_HUGE = st.builds(
    lambda char, count: char * count, st.characters(blacklist_categories=("Cs",)), st.integers(300, 70_000)
)
_CELL = st.one_of(
    _ANY_TEXT,
    _HUGE,
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["=SUM(A1:A2)", '=HYPERLINK("http://x","y")', "@cmd", "-1", "+1 (708) 555-0101", "N/A", ""]),
)
_NAMES = st.sampled_from(["Ann Lee", "ann lee", "Bo Chen", ""])  # repeats: resubmissions and duplicates
_ADDRESSES = st.sampled_from(["101 1st St", "203 2nd St", "9999 Nowhere Rd", ""])
_ROW = st.tuples(
    _NAMES, _ADDRESSES, st.lists(_CELL, min_size=len(messy_files.HEADERS), max_size=len(messy_files.HEADERS))
)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, min_size=1, max_size=6))
def test_any_cell_content_gives_each_row_a_verdict_or_the_file_one_message(town, tmp_path, rows):
    path = tmp_path / "any.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(messy_files.HEADERS)
        for name, address, cells in rows:
            cells[1], cells[2], cells[3] = name, address, cells[3] or "708-555-0101"
            writer.writerow(cells)
    before = Registration.objects.count()
    report = registrations_import(
        path=path, options=ImportOptions(agency=town["maple"], dry_run=False, all_or_nothing=False)
    )
    text = path.read_text(encoding="utf-8")
    if report.file_problems:  # only a file of NULs or mostly control characters is refused as a whole
        (problem,) = report.file_problems
        assert "(it contains binary data)" in problem or "contains a NUL character" in problem
        assert any(char < " " and char not in "\t\n\r" for char in text)
        assert Registration.objects.count() == before
        return
    assert report.rows_total + report.rows_not_registrations == len(rows)
    with_verdict = {p.row for p in report.problems}
    assert with_verdict <= set(range(2, len(rows) + 2))
    assert all(isinstance(p.column, str) and p.problem for p in report.problems)
    assert report.rows_valid + len(with_verdict) == report.rows_total
    assert Registration.objects.count() == before + report.rows_created
