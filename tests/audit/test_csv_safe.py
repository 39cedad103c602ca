from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry.csv_safe import FORMULA_TRIGGERS, LIST_SEPARATORS, safe_cell, write_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+15551234567", "'+15551234567"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain", "plain"),
        ("", ""),
        (None, ""),
        (-2, -2),
        (3.5, 3.5),
        (True, "yes"),
        ({"a": "=x"}, '{"a": "=x"}'),
        (datetime.date(2026, 5, 1), "2026-05-01"),
        # A spreadsheet that splits on ";" (or ignores quoting and splits on ",") must not find a formula either.
        ("x;=1+1;y", "x;'=1+1;y"),
        ("a,@SUM(1)", "a,'@SUM(1)"),
        ("a;+1;b,-2", "a;'+1;b,'-2"),
        ("a;\tb", "a;'\tb"),
        ("=a;=b", "'=a;'=b"),
        (";;=x", ";;'=x"),
        # Ordinary text is left as typed.
        ("Smith-Jones", "Smith-Jones"),
        ("front - street", "front - street"),
        ("Oak St, -", "Oak St, -"),
        ("Cermak & Hull; +1 camera", "Cermak & Hull; +1 camera"),
        ("2026-05-01T10:00+00:00", "2026-05-01T10:00+00:00"),
        ("a=b, c+d", "a=b, c+d"),
        ({"vertices": [[41.8, -87.6], [41.9, -87.7]]}, '{"vertices": [[41.8, -87.6], [41.9, -87.7]]}'),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


SEPARATORS = "[" + re.escape("".join(LIST_SEPARATORS)) + "]"
DANGER = re.compile("(^|" + SEPARATORS + ")[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")
# Text that is likely to hold the interesting characters next to each other.
TRICKY = st.text(alphabet=st.sampled_from([*FORMULA_TRIGGERS, *LIST_SEPARATORS, " ", "'", "a", "1", "é"]))


@pytest.mark.slow
@given(st.one_of(st.text(), TRICKY))
def test_no_piece_of_a_text_cell_can_start_a_formula(text):
    cell = safe_cell(text)
    # Wherever a spreadsheet splits the cell, no piece starts a formula.
    for piece in re.split(SEPARATORS, cell):
        assert not piece.startswith(FORMULA_TRIGGERS), (text, cell)
    # Only apostrophes are added, and only where a formula could start: nothing safe is mangled.
    assert cell.replace("'", "") == text.replace("'", "")
    assert len(cell) - len(text) == len(DANGER.findall(text))
    if not DANGER.search(text):
        assert cell == text


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(alphabet="ab -+"),
        lambda children: st.lists(children) | st.dictionaries(st.text(alphabet="ab"), children),
    )
)
@pytest.mark.slow
def test_json_cells_of_numbers_and_plain_words_are_unchanged(value):
    if isinstance(value, list | dict):
        assert safe_cell(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def test_write_csv_streams_a_safe_attachment():
    response = write_csv(
        iter([["=cmd|' /C calc'!A0", 1], ["ok", None], ["a;=cmd|' /C calc'!A0", -1]]),
        ["name", "count"],
        filename='x"; evil.csv',
    )

    assert response["Content-Disposition"] == 'attachment; filename="xevil.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["name", "count"],
        ["'=cmd|' /C calc'!A0", "1"],
        ["ok", ""],
        ["a;'=cmd|' /C calc'!A0", "-1"],
    ]
