"""The canvass sheet covers the investigator's top N addresses (default 40, 1..200) in walking order.

A town of 150 registrations gives a maximum-radius search of well over 40 addresses, so the default,
a chosen size and the upper bound all show. Hostile sizes get a message and reveal nothing.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agencies.models import Agency
from audit.models import AuditEntry
from canvass import ranking
from canvass.models import CanvassSearch
from demo.town import build_town
from registrations.models import Registration
from tests.canvass.helpers import form_data
from tests.staff_fixtures import make_staff, staff_client

BAD_SIZE = "Addresses on the sheet: give a whole number from 1 to 200."


def _wide_search(client: Client) -> dict:
    build_town(registrations=150, seed=7)
    maple = Agency.objects.get(slug="maple-falls")
    investigator = make_staff(maple, "investigator")
    staff_client(client, investigator)
    # The agency's maximum radius (1,500 m; Maple Falls asks in feet).
    response = client.post("/staff/canvass/", form_data(maple, radius_m="4900"))
    assert response.status_code == 302, response.content.decode()[:2000]
    search = CanvassSearch.objects.get()
    return {"client": client, "search": search, "maple": maple, "investigator": investigator}


@pytest.fixture
def wide(client, db) -> dict:
    return _wide_search(client)


def _ranked_registration_ids(client: Client, search) -> list[int]:
    page = client.get(reverse("canvass:results", args=[search.pk]))
    return list(dict.fromkeys(entry["item"].camera.registration_id for entry in page.context["items"]))


def _sheet(wide: dict, **query):
    return wide["client"].get(reverse("canvass:sheet", args=[wide["search"].pk]), query)


def _assert_walking_order(search, stops) -> None:
    points = [(stop.registration.latitude, stop.registration.longitude) for stop in stops]
    assert ranking.walking_order((search.latitude, search.longitude), points) == list(range(len(points)))


def test_it_covers_the_top_40_addresses_by_default_in_walking_order_audited_exactly(wide):
    ranked = _ranked_registration_ids(wide["client"], wide["search"])
    assert len(ranked) > 100
    response = _sheet(wide)
    assert response.status_code == 200
    stops = response.context["stops"]
    assert len(stops) == 40
    assert {stop.registration.pk for stop in stops} == set(ranked[:40])
    _assert_walking_order(wide["search"], stops)
    assert b'name="addresses" value="40"' in response.content
    entry = AuditEntry.objects.get(action="canvass.sheet")
    assert entry.parameters["registrations"] == [str(stop.registration.public_id) for stop in stops]
    assert entry.parameters["addresses_asked"] == 40


def test_the_investigator_chooses_how_many(wide):
    ranked = _ranked_registration_ids(wide["client"], wide["search"])
    response = _sheet(wide, addresses="5")
    stops = response.context["stops"]
    assert {stop.registration.pk for stop in stops} == set(ranked[:5]) and len(stops) == 5
    _assert_walking_order(wide["search"], stops)
    assert b'name="addresses" value="5"' in response.content
    assert AuditEntry.objects.get(action="canvass.sheet").parameters["registrations"] == [
        str(stop.registration.public_id) for stop in stops
    ]
    # Only the five are printed: the sixth address's owner is not on the page.
    sixth = next(pk for pk in ranked[5:] if pk not in {stop.registration.pk for stop in stops})
    assert Registration.objects.get(pk=sixth).owner_phone.encode() not in response.content


def test_the_largest_sheet_holds_every_address_up_to_200(wide):
    ranked = _ranked_registration_ids(wide["client"], wide["search"])
    response = _sheet(wide, addresses="200")
    assert response.status_code == 200
    assert len(response.context["stops"]) == min(200, len(ranked))


def test_a_blank_size_means_the_default(wide):
    assert len(_sheet(wide, addresses="").context["stops"]) == 40


@pytest.mark.parametrize("size", ["0", "-1", str(10**9), "abc", "\x00", "1e9", "4.5", "9" * 5000, "201"])
def test_a_bad_size_gets_a_clear_message_and_reveals_nothing(wide, size):
    response = _sheet(wide, addresses=size)
    assert response.status_code == 400
    assert BAD_SIZE.encode() in response.content
    assert b'name="addresses"' in response.content  # the form to try again
    assert response.context["stops"] == []
    assert b'<ol class="stops">' not in response.content
    assert not AuditEntry.objects.filter(action="canvass.sheet").exists()


def test_the_results_page_offers_the_size_with_the_sheet_button(wide):
    page = wide["client"].get(reverse("canvass:results", args=[wide["search"].pk])).content.decode()
    sheet_url = reverse("canvass:sheet", args=[wide["search"].pk])
    assert f'action="{sheet_url}"' in page
    assert 'name="addresses" value="40" min="1" max="200"' in page
    assert "Addresses on the sheet:" in page


def test_another_agency_gets_404_and_anonymous_is_sent_to_sign_in(wide):
    url = reverse("canvass:sheet", args=[wide["search"].pk]) + "?addresses=5"
    cedar = staff_client(Client(), make_staff(Agency.objects.get(slug="cedar-grove"), "investigator"))
    assert cedar.get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/staff/" in anonymous["Location"]
    assert not AuditEntry.objects.filter(action="canvass.sheet").exists()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_sheet_fits_a_390_px_phone(live_server, page_factory):
    wide = _wide_search(Client())
    # The longest words an owner can type must wrap, not push the page sideways.
    stop = _sheet(wide, addresses="5").context["stops"][0].registration
    stop.notes_for_detectives = "https://example.invalid/" + "recorder-in-the-basement-" * 20
    stop.save()
    camera = stop.cameras.first()
    camera.description = "Ñ" * 300
    camera.brand = "B" * 100
    camera.save()
    session = staff_client(Client(), wide["investigator"]).cookies[settings.SESSION_COOKIE_NAME].value
    page = page_factory(viewport={"width": 390, "height": 844})
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page.goto(f"{live_server.url}{reverse('canvass:sheet', args=[wide['search'].pk])}?addresses=5")
    assert page.locator(".stop").count() == 5
    assert camera.description in page.locator(".stops").inner_text()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the sheet is {overflow} px wider than a 390 px phone"
