"""POST /api/v1/searches/ and its results: the search page's rules, answers, audit and partners' rows."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.html import escape

from agencies.models import OffenseType
from canvass import services
from canvass.models import CanvassSearch, Case
from registrations.models import AddressPoint, Registration
from tests.api.helpers import ALL_SCOPES, api_client, audited, is_problem, make_token, post_json, search_body
from tests.canvass.helpers import busy_registration, form_data, offense
from tests.footage.helpers import end_share, share
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/searches/"


@pytest.fixture
def maple_search(town):
    token, secret = make_token(town["maple"], ["canvass:search"])
    client = api_client(secret)
    response = post_json(client, URL, search_body(town["maple"]))
    assert response.status_code == 201, response.content[:1000]
    return {"token": token, "client": client, "body": response.json(), "response": response}


def test_a_search_answers_ranked_addresses_and_is_saved_under_its_case(town, maple_search):
    body, response = maple_search["body"], maple_search["response"]
    search = CanvassSearch.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/searches/{search.pk}/"
    assert Case.objects.get(agency=town["maple"], case_number="2025-000123") == search.case
    assert body["total"] == len(body["results"]) > 0 and body["page"] == 1 and body["page_size"] == 50
    first = body["results"][0]
    assert first["rank"] == 1 and first["address"] and Registration.objects.filter(public_id=first["registration"])
    camera = first["cameras"][0]
    assert {"camera_id", "distance_m", "score", "verdict", "verdict_words", "reasons"} <= set(camera)
    assert camera["verdict"] in ("sees", "might", "away", "unknown") and camera["reasons"][0]["text"]
    scores = [row["cameras"][0]["score"] for row in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert search.result_count == sum(len(row["cameras"]) for row in body["results"])


def test_the_results_read_again_page_and_geojson(maple_search):
    client, body = maple_search["client"], maple_search["body"]
    again = client.get(f"{URL}{body['id']}/")
    assert again.status_code == 200 and again.json()["results"] == body["results"]
    is_problem(client.get(f"{URL}{body['id']}/", {"page": 2}), 404)
    is_problem(client.get(f"{URL}{body['id']}/", {"page": "x"}), 400)
    for bad in ("1.0", " 1", "1e0", "", "-1"):
        assert is_problem(client.get(f"{URL}{body['id']}/", {"page": bad}), 400)["errors"][0]["field"] == "page"
    geojson = client.get(f"{URL}{body['id']}/geojson")
    assert geojson.status_code == 200 and geojson["Content-Type"] == "application/geo+json"
    features = json.loads(geojson.content)["features"]
    addresses = [f for f in features if f["properties"]["role"] == "address"]
    assert [f["properties"]["registration"] for f in addresses] == [row["registration"] for row in body["results"]]


def test_results_are_paged_like_the_page(town, monkeypatch):
    from api import canvass_views

    assert canvass_views.PAGE_SIZE == 50
    monkeypatch.setattr(canvass_views, "PAGE_SIZE", 3)
    _token, secret = make_token(town["maple"], ["canvass:search"])
    client = api_client(secret)
    body = post_json(client, URL, search_body(town["maple"], radius_m=1500)).json()
    assert body["total"] > 3 and len(body["results"]) == 3 and body["pages"] == -(-body["total"] // 3)
    second = client.get(f"{URL}{body['id']}/", {"page": 2}).json()
    assert [row["rank"] for row in second["results"]][0] == 4
    is_problem(client.get(f"{URL}{body['id']}/", {"page": body["pages"] + 1}), 404)


def test_every_use_is_audited_with_the_token_name(maple_search):
    token, client, body = maple_search["token"], maple_search["client"], maple_search["body"]
    client.get(f"{URL}{body['id']}/")
    client.get(f"{URL}{body['id']}/geojson")
    assert len(audited("api.searches.create", token)) == 1
    assert len(audited("api.searches.detail", token)) == 1
    assert len(audited("api.searches.geojson", token)) == 1
    from audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="canvass.search", actor_id=token.account_id).count() == 1
    post_json(client, URL, search_body(maple_search["token"].agency, radius_m=999999))
    assert audited("api.searches.create", token)[-1].outcome == "refused"


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_only_canvass_search_opens_the_search_operations(town, maple_search, scope):
    _token, secret = make_token(town["maple"], [scope])
    client = api_client(secret)
    search_id = maple_search["body"]["id"]
    answers = [
        post_json(client, URL, search_body(town["maple"], case_number="2025-9")),
        client.get(f"{URL}{search_id}/"),
        client.get(f"{URL}{search_id}/geojson"),
    ]
    for response in answers:
        if scope == "canvass:search":
            assert response.status_code in (200, 201), response.content[:300]
        else:
            assert "canvass:search" in is_problem(response, 403)["detail"]


def test_another_agencys_search_is_not_found(town, maple_search):
    _token, secret = make_token(town["cedar"], ALL_SCOPES)
    client = api_client(secret)
    search_id = maple_search["body"]["id"]
    is_problem(client.get(f"{URL}{search_id}/"), 404)
    is_problem(client.get(f"{URL}{search_id}/geojson"), 404)


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_a_partners_registrations_appear_while_shared_and_vanish_after(town, how):
    maple, cedar = town["maple"], town["cedar"]
    _token, secret = make_token(cedar, ["canvass:search"])
    client = api_client(secret)
    place = busy_registration(maple)
    maple_ids = {str(p) for p in Registration.objects.filter(agency=maple).values_list("public_id", flat=True)}
    body = search_body(maple, place, offense_type=offense(cedar).pk, radius_m=500)

    def found(answer) -> set[str]:
        return {row["registration"] for row in answer["results"]} & maple_ids

    assert not found(post_json(client, URL, body).json())
    agreement = share(maple, cedar)
    during = post_json(client, URL, body).json()
    assert found(during)
    end_share(agreement, how)
    assert not found(client.get(f"{URL}{during['id']}/").json())
    assert not found(post_json(client, URL, body).json())
    geojson = json.loads(client.get(f"{URL}{during['id']}/geojson").content)
    assert not [f for f in geojson["features"] if f["properties"]["role"] == "address"]


def test_offense_type_by_name_or_id_and_forbidden_purposes_refused_as_on_the_page(town):
    maple = town["maple"]
    _token, secret = make_token(maple, ["canvass:search"])
    client = api_client(secret)
    assert post_json(client, URL, search_body(maple, offense_type="burglary")).status_code == 201
    assert post_json(client, URL, search_body(maple, offense_type=offense(maple).pk)).status_code == 201
    protest = OffenseType.objects.create(agency=maple, name="Protest monitoring")
    # The page never offers it; the service behind the page refuses it with this message.
    with pytest.raises(ValidationError) as refused:
        services._clean_offense_type(make_staff(maple, "investigator"), protest.pk)
    [page_message] = refused.value.message_dict["offense_type"]
    for value in (protest.pk, "Protest monitoring"):
        problem = is_problem(post_json(client, URL, search_body(maple, offense_type=value, case_number="P-1")), 400)
        [error] = problem["errors"]
        assert error["field"] == "offense_type" and "not an allowed purpose" in error["message"]
        assert error["message"] == page_message
    unknown = is_problem(post_json(client, URL, search_body(maple, offense_type="Arson of dreams")), 400)
    assert unknown["errors"][0]["field"] == "offense_type"
    assert not Case.objects.filter(case_number="P-1").exists()


def _page_and_api(town, form_overrides: dict, api_overrides: dict) -> tuple[str, dict]:
    maple = town["maple"]
    maple.length_units = "metric"
    maple.save(update_fields=["length_units"])
    page = staff_client(Client(), make_staff(maple, "investigator")).post(
        "/staff/canvass/", form_data(maple, **form_overrides)
    )
    assert page.status_code == 400
    _token, secret = make_token(maple, ["canvass:search"])
    response = post_json(api_client(secret), URL, search_body(maple, **api_overrides))
    return page.content.decode(), is_problem(response, 400)


SQUARE_KM = 0.03  # about 3 km: more than the 4 km² limit
BOUNDS = {
    "radius": ({"radius_m": "99999"}, {"radius_m": 99999}, "radius_m"),
    "radius-fraction": ({"radius_m": "10.5"}, {"radius_m": 10.5}, "radius_m"),
    "window-long": ({"window_start": "2025-03-01T00:00", "window_end": "2025-03-03T00:00"}, None, "window_start"),
    "window-reversed": ({"window_start": "2025-03-02T00:00", "window_end": "2025-03-01T00:00"}, None, "window_start"),
    "polygon-two-points": (
        {"area_kind": "polygon", "vertices": "[[41.68, -87.84], [41.69, -87.84]]"},
        {"polygon": [[-87.84, 41.68], [-87.84, 41.69]]},
        "polygon",
    ),
    "polygon-crossing": (
        {"area_kind": "polygon", "vertices": "[[41.68, -87.84], [41.69, -87.83], [41.69, -87.84], [41.68, -87.83]]"},
        {"polygon": [[-87.84, 41.68], [-87.83, 41.69], [-87.84, 41.69], [-87.83, 41.68]]},
        "polygon",
    ),
    "polygon-too-large": (
        {"area_kind": "polygon", "vertices": "[[41.68, -87.84], [41.71, -87.84], [41.71, -87.80], [41.68, -87.80]]"},
        {"polygon": [[-87.84, 41.68], [-87.84, 41.71], [-87.80, 41.71], [-87.80, 41.68]]},
        "polygon",
    ),
    "route-too-long": (
        {"area_kind": "route", "vertices": "[[41.60, -87.84], [41.75, -87.84]]"},
        {"route": [[-87.84, 41.60], [-87.84, 41.75]]},
        "route",
    ),
}


@pytest.mark.parametrize("case", list(BOUNDS), ids=list(BOUNDS))
def test_out_of_bounds_areas_and_windows_are_refused_with_the_pages_message(town, case):
    form_overrides, api_overrides, field = BOUNDS[case]
    if api_overrides is None:
        api_overrides = {
            key: f"{value}:00Z" for key, value in form_overrides.items() if key in ("window_start", "window_end")
        }
    html, problem = _page_and_api(town, form_overrides, api_overrides)
    messages = [error["message"] for error in problem["errors"] if error["field"] == field]
    assert messages, problem
    for message in messages:
        assert escape(message) in html, (message, case)


def test_an_address_is_geocoded_like_the_page_and_an_unknown_one_gets_suggestions(town):
    maple = town["maple"]
    _token, secret = make_token(maple, ["canvass:search"])
    client = api_client(secret)
    point = AddressPoint.objects.order_by("id").first()
    found = post_json(client, URL, search_body(maple, place={"address": point.address}))
    assert found.status_code == 201 and found.json()["area"]["address"] == point.address
    number, _, street = point.address.partition(" ")
    response = post_json(client, URL, search_body(maple, place={"address": f"{number}9 {street}"}))
    problem = is_problem(response, 422)
    assert problem["errors"][0]["field"] == "place.address" and "was not found" in problem["detail"]
    assert problem["suggestions"] and {"address", "latitude", "longitude"} <= set(problem["suggestions"][0])


HOSTILE = [
    ("not json", "{not json", None),
    ("nan in a number", '{"radius_m": NaN}', "radius_m"),
    ("infinity in a point", None, "polygon"),
    ("NUL in text", {"case_number": "2025\x00001"}, "case_number"),
    ("number for text", {"case_number": 2025}, "case_number"),
    ("huge array", {"route": [[0.0, 0.0]] * 5000}, "route"),
    ("deep nesting", "[" * 50 + "]" * 50, None),
    ("list body", "[]", None),
    ("both shapes", {"polygon": [[0, 0], [0, 1], [1, 1]], "route": [[0, 0], [1, 1]]}, "route"),
    ("bad point shape", {"polygon": [[1, 2, 3]]}, "polygon"),
]


@pytest.mark.parametrize(("name", "body", "field"), HOSTILE, ids=[item[0] for item in HOSTILE])
def test_hostile_bodies_are_400_problems_naming_the_field(town, name, body, field):
    _token, secret = make_token(town["maple"], ["canvass:search"])
    if name == "infinity in a point":
        body = json.dumps(search_body(town["maple"])).replace('"radius_m": 300', '"polygon": [[Infinity, 1], [1, 2]]')
    elif isinstance(body, dict):
        body = search_body(town["maple"], **body)
    problem = is_problem(post_json(api_client(secret), URL, body), 400)
    if field is not None:
        assert any((error["field"] or "").startswith(field) for error in problem["errors"]), problem
    assert not CanvassSearch.objects.exists()


def test_a_ten_thousand_point_polygon_and_a_huge_body_are_refused(town):
    _token, secret = make_token(town["maple"], ["canvass:search"])
    client = api_client(secret)
    points = [[-87.84 + i * 1e-6, 41.68 + (i % 2) * 1e-6] for i in range(10_000)]
    problem = is_problem(post_json(client, URL, search_body(town["maple"], polygon=points)), 400)
    assert [error["field"] for error in problem["errors"]] == ["polygon"]
    big = search_body(town["maple"], place={"address": "x" * 200}, padding="y" * 600_000)
    is_problem(post_json(client, URL, big), 413)
    is_problem(client.post(URL, data="case_number=1", content_type="application/x-www-form-urlencoded"), 415)
    assert not CanvassSearch.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"radius_m": "null"}, "radius_m"),  # omitted means the default; null is refused, as documented
        ({"corridor_m": 0}, "corridor_m"),  # a corridor given with a radius search is checked as the page does
        ({"corridor_m": 139.5}, "corridor_m"),
        ({"radius_m": 150.5}, "radius_m"),
        (
            {"radius_m": 150, "polygon": [[-87.84, 41.68], [-87.83, 41.68], [-87.835, 41.685]], "corridor_m": 301},
            "corridor_m",
        ),
    ],
)
def test_lengths_outside_their_documented_bounds_are_refused_whatever_the_area(town, overrides, field):
    maple = town["maple"]
    _token, secret = make_token(maple, ["canvass:search"])
    body = search_body(maple, **{key: value for key, value in overrides.items() if value != "null"})
    if overrides.get("radius_m") == "null":
        body["radius_m"] = None
    before = CanvassSearch.objects.count()
    problem = is_problem(post_json(api_client(secret), URL, body), 400)
    assert [error["field"] for error in problem["errors"]] == [field], problem
    assert CanvassSearch.objects.count() == before


def test_a_whole_number_written_with_a_decimal_point_is_a_whole_number(town):
    maple = town["maple"]
    _token, secret = make_token(maple, ["canvass:search"])
    response = post_json(api_client(secret), URL, search_body(maple, radius_m=150.0, corridor_m=50.0))
    assert response.status_code == 201, response.content[:300]
    assert response.json()["area"]["radius_m"] == 150


def test_the_document_states_the_lengths_bounds_and_no_null(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for component in ("SearchRequest", "IncidentRequest"):
        radius = schema["components"]["schemas"][component]["properties"]["radius_m"]
        assert (radius["minimum"], radius["maximum"], radius["multipleOf"]) == (1, 5000, 1)
        assert "nullable" not in radius
    corridor = schema["components"]["schemas"]["SearchRequest"]["properties"]["corridor_m"]
    assert (corridor["minimum"], corridor["maximum"]) == (5, 300) and "nullable" not in corridor
