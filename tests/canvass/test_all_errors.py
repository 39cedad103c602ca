"""One submit of the canvass search shows every problem at once: next to each field and in the summary."""

from __future__ import annotations

import html as html_text
import re

import pytest

from canvass.models import CanvassSearch, Case
from tests.canvass.helpers import form_data
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

SEARCH_URL = "/staff/canvass/"

EMPTY_AS_THE_BROWSER_SENDS = {
    "case_number": "",
    "offense_type": "",
    "address": "",
    "latitude": "",
    "longitude": "",
    "window_start": "",
    "window_end": "",
    "area_kind": "radius",
    "radius_m": "150",
    "corridor_m": "",
    "vertices": "",
}


@pytest.fixture
def signed_in(client, town):
    return staff_client(client, make_staff(town["maple"], "investigator"))


def field_error(html: str, field: str) -> str:
    """The error shown inside the field's own block, or '' when it has none."""
    match = re.search(rf'<div class="field[^"]*" id="field-{field}">(.*?)</div>', html, re.S)
    assert match, f"no field block for {field}"
    error = re.search(r'<p class="error"[^>]*>(.*?)</p>', match.group(1), re.S)
    return html_text.unescape(error.group(1)).strip() if error else ""


def summary(html: str) -> str:
    start = html.index('id="error-summary"')
    return html[start : html.index("</div>", start)]


@pytest.mark.parametrize("data", [EMPTY_AS_THE_BROWSER_SENDS, {}], ids=["browser-defaults", "nothing-at-all"])
def test_an_empty_search_shows_every_missing_answer_at_once(signed_in, data):
    response = signed_in.post(SEARCH_URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the case number" in field_error(html, "case_number")
    assert "Choose an offense type" in field_error(html, "offense_type")
    assert "Give the incident's place" in field_error(html, "address")
    assert "time window" in field_error(html, "window_start")
    top = summary(html)
    for anchor in ("#field-case_number", "#field-offense_type", "#field-address", "#field-window_start"):
        assert anchor in top, anchor
    assert html.index('id="error-summary"') < html.index('id="canvass-form"')
    assert not CanvassSearch.objects.exists() and not Case.objects.exists()


def test_every_kind_of_wrong_answer_is_reported_in_one_submit(signed_in, town):
    data = form_data(
        town["maple"],
        case_number="!!bad!!",
        offense_type="999999",
        window_start="2025-03-02T10:00",
        window_end="2025-03-01T10:00",
        radius_m="999999",
    )
    response = signed_in.post(SEARCH_URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "A case number has 1 to 40" in field_error(html, "case_number")
    assert field_error(html, "offense_type")  # not one of the department's offense types
    assert "ends before it starts" in field_error(html, "window_start")
    assert "radius must be between" in field_error(html, "radius_m")
    assert field_error(html, "address") == ""  # the map point was right: no complaint about it
    assert not CanvassSearch.objects.exists()


def test_an_unreadable_date_is_reported_once_with_the_other_problems(signed_in, town):
    data = form_data(town["maple"], case_number="", window_start="yesterday evening", latitude="", longitude="")
    html = signed_in.post(SEARCH_URL, data).content.decode()
    start_error = field_error(html, "window_start")
    assert start_error and "Give the incident's time window" not in start_error
    assert "Enter the case number" in field_error(html, "case_number")
    assert "Give the incident's place" in field_error(html, "address")
    assert summary(html).count("#field-window_start") == 1


def test_a_good_search_still_runs(signed_in, town):
    response = signed_in.post(SEARCH_URL, form_data(town["maple"]))
    assert response.status_code == 302
    assert CanvassSearch.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"radius_m": "NaN", "case_number": ""},
        {"area_kind": "<script>", "offense_type": "x"},
        {"vertices": "[" * 5000, "area_kind": "polygon"},
        {"latitude": "1e999", "longitude": "-inf", "window_end": "\x00"},
        {"offense_type": "99999999999999999999999", "corridor_m": "-1", "area_kind": "route"},
    ],
)
def test_hostile_values_never_500_and_save_nothing(signed_in, town, overrides):
    response = signed_in.post(SEARCH_URL, form_data(town["maple"], **overrides))
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not CanvassSearch.objects.exists()
