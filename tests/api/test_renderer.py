"""The API's JSON renderer writes exactly the bytes DRF's JSONRenderer writes, for every kind of value an answer
can hold (and those it should not), only faster."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.db import models
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer as DrfJSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from api.renderers import JSONRenderer


class Colour(models.TextChoices):
    RED = "red", "Red"


def both(data, media_type=None, context=None) -> tuple[bytes, bytes]:
    return (
        JSONRenderer().render(data, media_type, context or {}),
        DrfJSONRenderer().render(data, media_type, context or {}),
    )


CASES = {
    "plain": {
        "a": 1,
        "b": [1.5, -0.0, 1e-4, 1e16, 1e22, 123456789.125, 41.6833123456789, 5e-324],
        "c": None,
        "d": True,
        "e": "x",
    },
    "unicode": {"street": "Calle Señora — 10300 Roosevelt", "emoji": "📷", "quote": 'say "hi"\\ \n\t'},
    "separators in text": {"note": "line\u2028break and\u2029paragraph"},
    "control characters": {"text": "\x00\x1f\x7f"},
    "datetimes": {"at": dt.datetime(2026, 5, 1, 1, 2, 3, 456789, tzinfo=dt.UTC), "day": dt.date(2026, 5, 1)},
    "time and duration": {"time": dt.time(1, 2, 3, 4000), "span": dt.timedelta(hours=3)},
    "decimal": {"price": Decimal("1.10")},
    "uuid": {"id": uuid.UUID("0b8f5a52-1c3e-4a8e-9d39-2b8c4f0d7e11")},
    "lazy text": {"label": gettext_lazy("Faces away")},
    "choices": {"colour": Colour.RED},
    "big integer": {"n": 2**70},
    "integer keys": {1: "one", 2: "two"},
    "tuple and set": {"t": (1, 2), "s": {3}},
    "serializer data": ReturnDict({"a": ReturnList([1, 2], serializer=None)}, serializer=None),
    "bytes": {"raw": b"abc"},
    "empty": {},
    "list at the top": [1, "two", None],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_kind_of_value_is_written_as_drf_writes_it(name):
    ours, drf = both(CASES[name])
    assert ours == drf


def test_a_number_below_one_ten_thousandth_is_the_same_number_in_another_notation():
    ours, drf = both({"tiny": [1e-05, -3.5e-07]})
    assert json.loads(ours) == json.loads(drf)
    assert ours == b'{"tiny":[0.00001,-3.5e-7]}'


def _tiny(value) -> bool:
    if isinstance(value, float):
        return value != 0 and abs(value) < 1e-4
    if isinstance(value, list):
        return any(_tiny(item) for item in value)
    if isinstance(value, dict):
        return any(_tiny(item) for item in value.values())
    return False


def test_nothing_is_written_for_no_data():
    assert both(None) == (b"", b"")


def test_an_indented_answer_when_asked_for_is_drf_own():
    ours, drf = both({"a": [1, 2]}, "application/json; indent=2")
    assert ours == drf
    assert b"\n" in ours


def test_a_value_no_encoder_knows_fails_as_with_drf():
    for renderer in (JSONRenderer(), DrfJSONRenderer()):
        with pytest.raises(TypeError):
            renderer.render({"x": object()})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_is_written_as_drf_writes_it(value):
    ours, drf = both({"value": value})
    assert json.loads(ours) == json.loads(drf)
    if not _tiny(value):
        assert ours == drf
