"""A revoked or expired sharing agreement ends every canvass path to the partner's registrations at once.

Cedar Grove searches Maple Falls' streets while Maple shares with it, keeps the search under a case
and chooses a Maple camera. Once the agreement is revoked or its end date passes (no job runs),
the case page, the re-opened search, the canvass sheet and the exports hold no Maple row.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from canvass.models import CanvassSearch, CaseCamera
from registrations.models import Registration
from tests.canvass.helpers import busy_registration, form_data, offense
from tests.footage.helpers import end_share, make_case, share
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

ENDINGS = ["revoke", "expire"]


@pytest.fixture
def world(town):
    maple, cedar = town["maple"], town["cedar"]
    investigator = make_staff(cedar, "investigator")
    place = busy_registration(maple)
    return {
        "maple": maple,
        "cedar": cedar,
        "investigator": investigator,
        "client": staff_client(Client(), investigator),
        "place": place,
        "maple_addresses": set(Registration.objects.filter(agency=maple).values_list("street_address", flat=True)),
    }


def saved_search(world) -> CanvassSearch:
    """Cedar's search of the street around a Maple registration, kept under Cedar's case."""
    data = form_data(world["maple"], world["place"], offense_type=str(offense(world["cedar"]).pk), radius_m="500")
    response = world["client"].post("/staff/canvass/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return CanvassSearch.objects.get(case__agency=world["cedar"])


def maple_addresses_in(world, text: str) -> set[str]:
    return {address for address in world["maple_addresses"] if address in text}


def pages(world, search) -> dict[str, str]:
    client = world["client"]
    base = f"/staff/canvass/searches/{search.pk}/"
    texts = {}
    for name, url in (
        ("results", base),
        ("sheet", f"{base}sheet/"),
        ("csv", f"{base}export.csv"),
        ("geojson", f"{base}export.geojson"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        texts[name] = response.content.decode()
    return texts


# ---- case page: chosen cameras ----------------------------------------------------------


def test_before_any_share_a_stored_partner_camera_is_absent_from_the_case_page(world):
    case = make_case(world["cedar"], world["investigator"], [world["place"]], number="CG-1")
    page = world["client"].get(f"/staff/canvass/cases/{case.pk}/").content.decode()
    assert world["place"].street_address not in page


@pytest.mark.parametrize("how", ENDINGS)
def test_the_case_page_shows_the_partner_camera_only_while_shared(world, how):
    agreement = share(world["maple"], world["cedar"])
    case = make_case(world["cedar"], world["investigator"], [world["place"]], number="CG-1")
    url = f"/staff/canvass/cases/{case.pk}/"
    assert world["place"].street_address in world["client"].get(url).content.decode()
    end_share(agreement, how)
    page = world["client"].get(url).content.decode()
    assert world["place"].street_address not in page
    assert "Request footage and see requests" not in page


@pytest.mark.parametrize("how", ENDINGS)
def test_a_partner_camera_cannot_be_chosen_after_the_share_ends(world, how):
    agreement = share(world["maple"], world["cedar"])
    case = make_case(world["cedar"], world["investigator"], [], number="CG-1")
    camera = world["place"].cameras.first()
    end_share(agreement, how)
    response = world["client"].post(f"/staff/canvass/cases/{case.pk}/cameras/", {"camera_id": camera.pk})
    assert response.status_code == 400
    assert not CaseCamera.objects.filter(case=case).exists()


# ---- re-opened search, sheet, exports ------------------------------------------------------


def test_before_any_share_the_partner_rows_are_absent(world):
    search_data = form_data(world["maple"], world["place"], offense_type=str(offense(world["cedar"]).pk))
    world["client"].post("/staff/canvass/", search_data)
    search = CanvassSearch.objects.get(case__agency=world["cedar"])
    assert search.result_count == 0
    for name, text in pages(world, search).items():
        assert not maple_addresses_in(world, text), name


@pytest.mark.slow
@pytest.mark.parametrize("how", ENDINGS)
def test_the_reopened_search_sheet_and_exports_lose_the_partner_rows(world, how):
    agreement = share(world["maple"], world["cedar"])
    search = saved_search(world)
    during = pages(world, search)
    for name, text in during.items():
        assert maple_addresses_in(world, text), name
    end_share(agreement, how)
    after = pages(world, search)
    for name, text in after.items():
        assert not maple_addresses_in(world, text), name
    geojson = json.loads(after["geojson"])
    assert [f for f in geojson["features"] if f["properties"].get("role") in ("address", "cone")] == []
    assert len(after["csv"].strip().splitlines()) == 1  # the header only
