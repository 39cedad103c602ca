"""cameraregistry.safe_json and the id converter: bounded JSON and ids before anything else sees them."""

from __future__ import annotations

import json

import pytest
from django.urls import Resolver404, resolve, reverse
from hypothesis import given
from hypothesis import strategies as st

from cameraregistry import safe_json
from cameraregistry.converters import MAX_ID, IdField, parse_id

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=20,
)


@pytest.mark.slow
@given(JSON_VALUES)
def test_it_reads_what_json_reads(value):
    text = json.dumps(value)
    assert safe_json.loads(text, max_depth=100) == json.loads(text)


@given(st.text())
def test_brackets_inside_strings_do_not_count(text):
    value = ["[" * 100 + text + "{" * 100]
    assert safe_json.loads(json.dumps(value), max_depth=1) == value


def test_an_escaped_quote_does_not_end_a_string():
    assert safe_json.loads(r'["\"[[[[[[[[", 1]', max_depth=1) == ['"[[[[[[[[', 1]


def test_it_refuses_deep_nesting_before_parsing():
    assert safe_json.loads("[" * 5 + "]" * 5, max_depth=5) == [[[[[]]]]]
    with pytest.raises(safe_json.JSONTooDeep, match="more than 4 levels"):
        safe_json.loads("[" * 5 + "]" * 5, max_depth=4)
    for text in ("[" * 100_000, "{" * 100_000, '{"a": ' * 50_000, b"[" * 100_000):
        with pytest.raises(safe_json.JSONTooDeep):
            safe_json.loads(text)


def test_it_refuses_long_text_and_explains_bad_json():
    with pytest.raises(safe_json.JSONTooLong):
        safe_json.loads("[" + "1," * 600 + "1]", max_chars=1000)
    with pytest.raises(safe_json.JSONInputError, match="not valid JSON"):
        safe_json.loads("{not json")
    with pytest.raises(safe_json.JSONInputError, match="UTF-8"):
        safe_json.loads(b"\xff\xfe[")
    assert isinstance(safe_json.JSONTooDeep("x"), ValueError)  # callers catching ValueError still do


def test_the_id_converter_takes_only_what_a_database_id_can_be():
    assert resolve(f"/staff/canvass/cases/{MAX_ID}/").kwargs == {"case_id": MAX_ID}
    for value in (MAX_ID + 1, "99999999999999999999", "0", "007", "-1", "1" * 5000, "²", "١"):
        with pytest.raises(Resolver404):
            resolve(f"/staff/canvass/cases/{value}/")
    assert reverse("canvass:case", args=[12]) == "/staff/canvass/cases/12/"


@pytest.mark.parametrize(
    "text", ["", "0", "007", "-1", "²", "١٢", " 1", "1 ", "1.0", str(MAX_ID + 1), "1" * 5000, None, 5]
)
def test_parse_id_refuses_everything_but_a_plain_id(text):
    assert parse_id(text) is None


def test_the_id_form_field_gives_a_form_error():
    field = IdField()
    assert field.clean(str(MAX_ID)) == MAX_ID
    for value in ("99999999999999999999", "0", "-5"):
        with pytest.raises(Exception, match="does not exist"):
            field.clean(value)
    for value in ("x", "1" * 5000):
        with pytest.raises(Exception, match="Enter a whole number"):
            field.clean(value)
