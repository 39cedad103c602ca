"""Canvass in the agency's units: a radius in feet finds what the same radius in metres finds."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from canvass.models import CanvassSearch
from tests.canvass.helpers import form_data
from tests.staff_fixtures import make_staff, staff_client

SEARCH_URL = "/staff/canvass/"


@pytest.fixture
def signed_in(client, town):
    return staff_client(client, make_staff(town["maple"], "investigator"))


def _use(agency, length_units: str) -> None:
    agency.length_units = length_units
    agency.save(update_fields=["length_units"])


def _search(client, town, **overrides) -> CanvassSearch:
    response = client.post(SEARCH_URL, form_data(town["maple"], **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return CanvassSearch.objects.latest("id")


def _ranked_ids(client, search) -> list[int]:
    items = client.get(reverse("canvass:results", args=[search.pk])).context["items"]
    return [item["item"].camera.camera_id for item in items]


def test_the_search_page_asks_in_feet_with_the_maximum_in_feet(signed_in, town):
    page = signed_in.get(SEARCH_URL).content.decode()
    assert "Radius in feet" in page and "in metres" not in page
    assert "at most 4,921 ft" in page  # the default maximum, 1,500 m
    assert 'value="492"' in page  # the default radius, 150 m


def test_a_radius_in_feet_finds_the_same_cameras_in_the_same_order_as_metres(signed_in, town):
    in_feet = _search(signed_in, town, radius_m="984")  # 984 ft = 299.9 m
    assert in_feet.radius_m == 300
    feet_ids = _ranked_ids(signed_in, in_feet)
    assert len(feet_ids) >= 2
    _use(town["maple"], "metric")
    in_metres = _search(signed_in, town, radius_m="300")
    assert in_metres.radius_m == 300
    assert _ranked_ids(signed_in, in_metres) == feet_ids


def test_results_and_csv_give_distances_in_feet(signed_in, town):
    search = _search(signed_in, town, radius_m="984")
    page = signed_in.get(reverse("canvass:results", args=[search.pk])).content.decode()
    assert "within 984 ft of" in page
    assert " ft</span>" in page
    assert " ft from the place." in page and " m from the place." not in page  # the "why" text too
    rows = list(
        csv.DictReader(io.StringIO(signed_in.get(reverse("canvass:export_csv", args=[search.pk])).content.decode()))
    )
    assert "distance_ft" in rows[0] and "distance_m" not in rows[0]
    assert " ft; keeps video" in rows[0]["cameras"] or "range not given" in rows[0]["cameras"]
    _use(town["maple"], "metric")
    metric_rows = list(
        csv.DictReader(io.StringIO(signed_in.get(reverse("canvass:export_csv", args=[search.pk])).content.decode()))
    )
    for feet, metres in zip(rows, metric_rows, strict=True):
        assert abs(int(feet["distance_ft"]) - int(metres["distance_m"]) * 3.28084) <= 3.3


def test_the_agency_maximum_is_enforced_in_feet_with_a_clear_message(signed_in, town):
    before = CanvassSearch.objects.count()
    response = signed_in.post(SEARCH_URL, form_data(town["maple"], radius_m="5000"))
    assert response.status_code == 400
    assert "The radius must be between 2 and 4,921 feet." in response.content.decode()
    assert CanvassSearch.objects.count() == before
    assert _search(signed_in, town, radius_m="4921").radius_m == 1500


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("radius_m", "-300", "radius must be between"),
        ("radius_m", "1e309", "whole number of feet"),
        ("radius_m", "9" * 12, "radius must be between"),
        ("radius_m", "lots", "must be a number of feet"),
        ("radius_m", "12.5", "whole number of feet"),
        ("corridor_m", "2000", "corridor width must be between 15 and 984 feet"),
        ("corridor_m", "nan", "whole number of feet"),
    ],
)
@pytest.mark.slow
def test_hostile_lengths_get_a_message_never_a_500(signed_in, town, field, value, message):
    overrides = {field: value}
    if field == "corridor_m":
        overrides |= {"area_kind": "route", "vertices": "[[41.0, -87.0], [41.001, -87.0]]"}
    response = signed_in.post(SEARCH_URL, form_data(town["maple"], **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CanvassSearch.objects.exists()


@pytest.mark.parametrize("length_units", ["us", "metric"])
def test_each_camera_says_one_distance_in_its_line_and_in_its_reasons(signed_in, town, length_units):
    """ "about 655 ft away" and "655 ft from the place." for the same camera: never 655 in one and 657 in the
    other (feet to the nearest 5, metres to the metre, in both)."""
    import re

    _use(town["maple"], length_units)
    search = _search(signed_in, town, radius_m="984" if length_units == "us" else "300")
    page = signed_in.get(reverse("canvass:results", args=[search.pk])).content.decode()
    symbol = "ft" if length_units == "us" else "m"
    lines = re.findall(rf"<span>about ([\d,]+) {symbol}</span> away", page)
    reasons = re.findall(rf"([\d,]+) {symbol} from the place\.", page)
    assert len(lines) >= 2 and lines == reasons
