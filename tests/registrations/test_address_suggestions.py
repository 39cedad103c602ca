"""Suggestions for an address the table lacks: typos, Street vs St, a missing suffix, North vs N., near numbers."""

from __future__ import annotations

import json

import pytest

from administration.addresses import address_points_import
from registrations.address_index import address_index, address_index_invalidate, street_parts
from registrations.geocoding import geocode, normalize_address, street_of
from registrations.models import AddressPoint

pytestmark = pytest.mark.django_db

# A slice of a county address table: one side of Maple Ave is even, the other odd, 1100 to 1298;
# look-alike streets sit next to it so a ranking that only half works picks the wrong one.
STREETS = {
    "Maple Ave": range(1100, 1300),
    "Maplewood Dr": range(1100, 1200, 2),
    "Maple Ct": range(10, 40, 2),
    "N Main St": range(100, 400, 2),
    "S Main St": range(100, 400, 2),
    "Oak St": range(200, 260),
    "Cedar Ln": range(500, 520),
    "Apple Ave": range(1100, 1300, 2),
}


def _points(streets: dict[str, range], latitude: float = 41.80) -> list[AddressPoint]:
    points = []
    for row, (street, numbers) in enumerate(streets.items()):
        for offset, number in enumerate(numbers):
            address = f"{number} {street}"
            normalized = normalize_address(address)
            house, street_key = street_of(normalized)
            points.append(
                AddressPoint(
                    address=address,
                    normalized=normalized,
                    house_number=house,
                    street=street_key,
                    city="Maple Falls",
                    postal_code="60464",
                    latitude=latitude + row * 0.001,
                    longitude=-87.80 + offset * 0.0001,
                    source="county-2026.csv",
                )
            )
    return points


@pytest.fixture
def county(db):
    AddressPoint.objects.bulk_create(_points(STREETS))
    address_index_invalidate()


def suggested(text: str) -> list[str]:
    result = geocode(text)
    assert result.point is None, f"{text!r} is in the table"
    return [point.address for point in result.suggestions]


def test_street_names_are_split_into_direction_name_and_type():
    assert street_parts("N MAPLE AVE") == ("N", "MAPLE", "AVE") == street_parts("MAPLE AVE N")
    assert street_parts("MAPLE") == ("", "MAPLE", "")
    assert street_parts("ST") == ("", "ST", "")  # a one-word street keeps its only word as the name


def test_an_exact_address_is_found_whatever_the_spelling_of_the_street_type(county):
    assert geocode("1201 Maple Avenue").point.address == "1201 Maple Ave"
    assert geocode("210 north main street, Maple Falls").point.address == "210 N Main St"


def test_a_typo_in_the_street_name_suggests_the_right_street_first(county):
    assert suggested("1200 Mapel Ave")[0] == "1200 Maple Ave"
    assert suggested("512 Cedr Lane")[0] == "512 Cedar Ln"


def test_street_where_the_table_says_avenue_suggests_the_avenue(county):
    # The form's own example style: "1200 Maple Street", but the county calls it Maple Ave.
    found = suggested("1200 Maple Street")
    assert found[0] == "1200 Maple Ave"
    assert "1200 Maplewood Dr" not in found[:2]


def test_a_missing_street_type_suggests_the_street_with_that_name(county):
    found = suggested("1150 Maple")
    assert found[0] == "1150 Maple Ave"
    assert found.index("1150 Maple Ave") < found.index("1150 Maplewood Dr") if "1150 Maplewood Dr" in found else True


def test_north_written_out_or_abbreviated_with_a_dot_prefers_the_north_street(county):
    assert suggested("211 N. Main")[0] in {"210 N Main St", "212 N Main St"}
    assert all("S Main" not in address for address in suggested("211 North Main Street")[:2])


def test_a_house_number_just_outside_the_known_range_suggests_the_nearest(county):
    assert suggested("1305 Maple Ave")[:2] == ["1299 Maple Ave", "1298 Maple Ave"]
    assert suggested("1151 Maplewood Dr")[:2] == ["1150 Maplewood Dr", "1152 Maplewood Dr"]


def test_nothing_alike_gives_no_suggestions(county):
    assert suggested("77 Zzyzx Rd") == []
    assert suggested("1200") == []


def test_reimporting_the_address_table_is_seen_at_once(county, tmp_path):
    assert all("Juniper" not in address for address in suggested("1200 Junipr St"))
    before = address_index()
    path = tmp_path / "addresses.csv"
    path.write_text("address,latitude,longitude\n1200 Juniper St,41.81,-87.79\n1202 Juniper St,41.81,-87.79\n")
    assert address_points_import(path=path).ok
    assert suggested("1200 Junipr St")[0] == "1200 Juniper St"
    assert address_index() is not before


def test_the_index_is_reused_while_the_table_is_unchanged(county):
    assert address_index() is address_index()


def test_the_lookup_endpoint_answers_with_suggestions_and_where_to_place_the_pin(client, town):
    response = client.get("/register/geocode", {"address": "101 1sst St"})
    body = response.json()
    assert response.status_code == 200 and body["found"] is False
    assert body["suggestions"][0] == "101 1st St"
    (south, west), (north, east) = body["area"]
    assert south < north and west < east
    unknown = client.get("/register/geocode", {"address": "4417 Quixote Blvd"}).json()
    assert unknown["found"] is False and unknown["suggestions"] == []
    assert "You can still register" in unknown["message"] and unknown["area"] == body["area"]


@pytest.mark.parametrize(
    "query",
    [
        "1200 Maple " * 500,
        "<script>alert(1)</script> 1200 Maple Ave",
        "1200 Ma\x00ple Ave",
        "\x00\x00\x00",
        "١٢٠٠ Máple",
    ],
)
@pytest.mark.slow
def test_hostile_queries_get_a_clear_answer(client, town, query):
    response = client.get("/register/geocode", {"address": query})
    assert response.status_code in (200, 400)
    body = json.loads(response.content)
    assert body.get("error") or "found" in body
    assert "<script>" not in response.content.decode()
