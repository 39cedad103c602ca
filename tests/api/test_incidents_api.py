"""POST /api/v1/incidents/: one call from CAD opens the case, runs the pre-canvass, ranks with footage urgency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEntry
from canvass.models import CanvassSearch, Case
from registrations.models import AddressPoint, Registration
from tests.api.helpers import ALL_SCOPES, api_client, audited, is_problem, make_token, post_json
from tests.canvass.helpers import busy_registration, form_data, offense
from tests.footage.helpers import end_share, share
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"
BOTH = ["canvass:search", "cases:write"]


def incident(agency, registration=None, **overrides) -> dict:
    registration = registration or busy_registration(agency)
    body = {
        "case_number": "2026-004512",
        "offense_type": "Burglary",
        "place": {"latitude": registration.latitude, "longitude": registration.longitude},
        "occurred_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
    }
    body.update(overrides)
    return body


@pytest.fixture
def cad(town):
    token, secret = make_token(town["maple"], BOTH, name="Dispatch CAD")
    return {"token": token, "client": api_client(secret), **town}


def test_an_incident_opens_the_case_and_answers_ranked_cameras_with_urgency(cad):
    maple = cad["maple"]
    point = AddressPoint.objects.get(address=busy_registration(maple).street_address)
    response = post_json(cad["client"], URL, incident(maple, place={"address": point.address}))
    assert response.status_code == 201, response.content[:800]
    body = response.json()
    search = CanvassSearch.objects.get(pk=body["id"])
    assert search.radius_m == maple.default_search_radius_m and search.address == point.address
    assert search.window_end - search.window_start == dt.timedelta(hours=1)
    assert Case.objects.get(agency=maple, case_number="2026-004512") == search.case
    assert 0 < len(body["results"]) <= 50 and body["total"] >= len(body["results"])
    camera = body["results"][0]["cameras"][0]
    footage = camera["footage"]
    assert footage["words"].startswith(f"keeps {camera['retention_days']} day")
    assert "probably overwritten after" in footage["words"]
    assert dt.datetime.fromisoformat(footage["overwritten_after"]) == dt.datetime.fromisoformat(
        camera["overwritten_after"]
    )


def test_the_same_case_number_reuses_the_case_and_a_radius_can_be_given(cad):
    maple, client = cad["maple"], cad["client"]
    assert post_json(client, URL, incident(maple)).status_code == 201
    again = post_json(client, URL, incident(maple, radius_m=400))
    assert again.status_code == 201
    assert Case.objects.filter(case_number="2026-004512").count() == 1
    assert CanvassSearch.objects.get(pk=again.json()["id"]).radius_m == 400
    assert Case.objects.get().searches.count() == 2


def test_every_intake_is_audited_with_the_token_name(cad):
    post_json(cad["client"], URL, incident(cad["maple"]))
    [entry] = audited("api.incidents.create", cad["token"])
    assert entry.parameters["token"]["name"] == "Dispatch CAD" and entry.outcome == "success"
    assert AuditEntry.objects.filter(action="canvass.search", actor_id=cad["token"].account_id).count() == 1
    post_json(cad["client"], URL, incident(cad["maple"], offense_type="Nothing like it"))
    assert audited("api.incidents.create", cad["token"])[-1].outcome == "refused"


@pytest.mark.parametrize("scopes", [[s] for s in ALL_SCOPES] + [BOTH, ALL_SCOPES])
def test_both_canvass_search_and_cases_write_are_needed(town, scopes):
    _token, secret = make_token(town["maple"], scopes)
    response = post_json(api_client(secret), URL, incident(town["maple"]))
    if set(BOTH) <= set(scopes):
        assert response.status_code == 201
    else:
        detail = is_problem(response, 403)["detail"]
        assert "canvass:search" in detail and "cases:write" in detail
        assert not CanvassSearch.objects.exists()


def test_an_unknown_address_is_a_422_with_the_pages_suggestions(cad):
    maple = cad["maple"]
    point = AddressPoint.objects.order_by("id").first()
    number, _, street = point.address.partition(" ")
    wrong = f"{number}9 {street}"
    problem = is_problem(post_json(cad["client"], URL, incident(maple, place={"address": wrong})), 422)
    assert problem["suggestions"] and problem["errors"][0]["field"] == "place.address"
    page = staff_client(Client(), make_staff(maple, "investigator")).post(
        "/staff/canvass/", form_data(maple, address=wrong, latitude="", longitude="")
    )
    assert escape(problem["detail"]) in page.content.decode()
    assert not Case.objects.exists()


def test_forbidden_purposes_and_bounds_are_refused_as_on_the_page(cad):
    from agencies.models import OffenseType

    maple, client = cad["maple"], cad["client"]
    OffenseType.objects.create(agency=maple, name="Protest monitoring")
    problem = is_problem(post_json(client, URL, incident(maple, offense_type="Protest monitoring")), 400)
    assert problem["errors"] == [
        {
            "field": "offense_type",
            "message": "Protests and lawful assembly are not an allowed purpose for a canvass search.",
        }
    ]
    problem = is_problem(post_json(client, URL, incident(maple, radius_m=99999)), 400)
    assert problem["errors"] == [{"field": "radius_m", "message": "The radius must be between 1 and 1,500 metres."}]
    problem = is_problem(post_json(client, URL, incident(maple, window_before_minutes=2000)), 400)
    assert problem["errors"] == [
        {"field": "occurred_at", "message": "The time window is longer than your department's limit of 24 hours."}
    ]
    future = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    assert is_problem(post_json(client, URL, incident(maple, occurred_at=future)), 400)["errors"][0]["field"] == (
        "occurred_at"
    )
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json at all", None),
        ('{"occurred_at": NaN}', "occurred_at"),
        ({"case_number": "A\x00B"}, "case_number"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"place": {"latitude": 1.0}}, "place"),
        ({"place": {"latitude": "NaN", "longitude": 1}}, "place.latitude"),
        ({"place": "412 Maple"}, "place"),
        ({"offense_type": ["Burglary"] * 10_000}, "offense_type"),
        ({"window_after_minutes": 10**30}, "window_after_minutes"),
    ],
)
def test_hostile_bodies_name_the_field(cad, body, field):
    payload = {**incident(cad["maple"]), **body} if isinstance(body, dict) else body
    problem = is_problem(post_json(cad["client"], URL, payload), 400)
    if field:
        assert any((e["field"] or "").startswith(field) for e in problem["errors"]), problem
    assert not CanvassSearch.objects.exists()


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_a_partners_cameras_are_ranked_only_while_shared(town, how):
    maple, cedar = town["maple"], town["cedar"]
    _token, secret = make_token(cedar, BOTH)
    client = api_client(secret)
    place = busy_registration(maple)
    maple_ids = {str(p) for p in Registration.objects.filter(agency=maple).values_list("public_id", flat=True)}
    body = incident(maple, place, offense_type=offense(cedar).pk, radius_m=500)

    def found(response) -> set[str]:
        return {row["registration"] for row in response.json()["results"]} & maple_ids

    agreement = share(maple, cedar)
    assert found(post_json(client, URL, body))
    end_share(agreement, how)
    assert not found(post_json(client, URL, body))


def test_another_agencys_case_number_is_its_own_case(cad):
    post_json(cad["client"], URL, incident(cad["maple"]))
    _token, secret = make_token(cad["cedar"], BOTH)
    cedar_body = incident(cad["maple"], offense_type=offense(cad["cedar"]).pk)
    response = post_json(api_client(secret), URL, cedar_body)
    assert response.status_code == 201
    assert set(Case.objects.values_list("agency__slug", flat=True)) == {"maple-falls", "cedar-grove"}
    assert not {row["registration"] for row in response.json()["results"]} & {
        str(p) for p in Registration.objects.filter(agency=cad["maple"]).values_list("public_id", flat=True)
    }


@pytest.mark.parametrize(
    "change",
    [
        {"place": {"latitude": 41.68, "longitude": False}},
        {"place": {"latitude": "41.68", "longitude": -87.84}},
        {"radius_m": True},
        {"window_before_minutes": 5.0},
        {"window_after_minutes": "5"},
    ],
)
def test_booleans_and_numbers_as_text_are_not_numbers(cad, change):
    """Found by the contract test: `false` was read as 0 (a search at 0°, 0°)."""
    problem = is_problem(post_json(cad["client"], URL, {**incident(cad["maple"]), **change}), 400)
    assert problem["errors"][0]["field"].split(".")[0] == next(iter(change))
    assert not CanvassSearch.objects.exists()
