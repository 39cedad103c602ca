from __future__ import annotations

import csv
import datetime
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry.csv_safe import FORMULA_TRIGGERS, safe_cell, write_csv


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
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


@given(st.text())
def test_no_text_cell_can_start_a_formula(text):
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert cell in (text, "'" + text)


def test_write_csv_streams_a_safe_attachment():
    response = write_csv(iter([["=cmd|' /C calc'!A0", 1], ["ok", None]]), ["name", "count"], filename='x"; evil.csv')

    assert response["Content-Disposition"] == 'attachment; filename="xevil.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["name", "count"],
        ["'=cmd|' /C calc'!A0", "1"],
        ["ok", ""],
    ]
