"""On a 390 px phone: a resident whose address the table lacks places the pin and finishes; one with a typo
picks the suggestion and finishes; staff see the flag. One lookup per action."""

from __future__ import annotations

import pytest

from agencies.models import Agency
from registrations.models import AddressPoint, Registration
from tests.browser.helpers import assert_accessible, collect_errors, sign_in_staff
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
FLAG = "Address not in the address table — check the pin"


@pytest.fixture
def demo_town(transactional_db, settings, live_server):
    from demo.town import build_town

    build_town(registrations=10, seed=3)
    settings.SITE_URL = live_server.url
    return live_server.url


def _lookups(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "/register/geocode" in request.url else None)
    return seen


def _finish(page) -> None:
    page.fill("#id_owner_name", "Dolores Whitfield")
    page.fill("#id_owner_phone", "(708) 555-0177")
    page.check("#id_cameras-0-locations_0")
    page.check("#id_cameras-0-records_street_0")
    page.fill("#id_cameras-0-retention_days", "14")
    page.check("#id_consent")
    page.click("#submit-registration")
    page.wait_for_url("**/register/thanks/")


def test_a_resident_whose_address_is_not_in_the_table_places_the_pin_and_registers(demo_town, page_factory):
    maple = Agency.objects.get(slug="maple-falls")
    page = page_factory(viewport=PHONE_390)
    errors = collect_errors(page)
    lookups = _lookups(page)
    page.goto(demo_town + "/register/")
    page.check("#id_exterior_0")
    page.check("#id_records_0")
    page.fill("#id_street_address", "4417 Quixote Blvd")
    page.click("#find-address")  # leaving the field and pressing Find: one lookup, not two
    page.locator("#map-status", has_text="You can still register").wait_for()
    assert page.locator("#map").is_visible()
    assert page.locator("#map .leaflet-marker-icon").count() == 0  # no pin until the resident places one
    assert page.locator("#address-suggestions li").count() == 0
    assert len(lookups) == 1, lookups

    page.locator("#map").click()  # the map opens on the area served; its middle is in Maple Falls
    page.locator("#map-status", has_text=maple.name).wait_for()
    assert page.locator("#map .leaflet-marker-icon").is_visible()
    assert page.input_value("#id_latitude") and page.input_value("#id_terms_version") == str(maple.current_terms().pk)
    page.click("#find-address")  # the same address again: no new lookup, the pin stays
    assert page.input_value("#id_latitude")
    assert len(lookups) == 1, lookups
    placed_at = (page.input_value("#id_latitude"), page.input_value("#id_longitude"))
    page.fill("#id_street_address", "4417 Quixote Boulevard")  # a correction: one new lookup, the pin stays
    page.locator("#id_street_address").press("Tab")
    page.locator("#map-status", has_text="You can still register").wait_for()
    assert (page.input_value("#id_latitude"), page.input_value("#id_longitude")) == placed_at
    assert page.locator("#map .leaflet-marker-icon").count() == 1
    assert len(lookups) == 2, lookups
    assert_accessible(page)
    _finish(page)

    registration = Registration.objects.get(submission_nonce__isnull=False)
    assert registration.street_address == "4417 Quixote Boulevard"  # kept as typed
    assert registration.address_not_in_table and registration.agency == maple
    assert not [e for e in errors if e.startswith("uncaught")], errors  # blocked map tiles log console errors

    staff = page_factory(viewport=PHONE_390)
    sign_in_staff(staff, demo_town, make_staff(maple, "supervisor"))
    staff.goto(f"{demo_town}/staff/registrations/{registration.public_id}/")
    assert FLAG in staff.locator("main").inner_text()
    staff.goto(f"{demo_town}/staff/admin/registrations/{registration.public_id}/")
    assert FLAG in staff.locator("main").inner_text()


def test_a_resident_with_a_typo_picks_the_suggestion_and_registers(demo_town, page_factory):
    point = AddressPoint.objects.filter(street="MAPLE AVE").order_by("id").first()
    number = point.house_number
    page = page_factory(viewport=PHONE_390)
    errors = collect_errors(page)
    lookups = _lookups(page)
    page.goto(demo_town + "/register/")
    page.check("#id_exterior_0")
    page.check("#id_records_0")
    page.fill("#id_street_address", f"{number} Mapel Avenue")
    page.locator("#id_street_address").press("Tab")  # leaving the field looks it up
    suggestion = page.locator("#address-suggestions button", has_text=point.address).first
    suggestion.wait_for()
    page.click("#find-address")  # the same text: nothing new is asked, nothing listed twice
    listed = page.locator("#address-suggestions li").all_inner_texts()
    assert len(listed) == len(set(listed)) and listed[0] == point.address
    assert len(lookups) == 1, lookups

    suggestion.click()
    page.locator("#map-status", has_text=point.address).wait_for()
    assert page.input_value("#id_street_address") == point.address
    assert float(page.input_value("#id_latitude")) == pytest.approx(point.latitude)
    _finish(page)

    registration = Registration.objects.get(submission_nonce__isnull=False)
    assert registration.street_address == point.address
    assert (registration.latitude, registration.longitude) == (point.latitude, point.longitude)
    assert not registration.address_not_in_table
    assert not [e for e in errors if e.startswith("uncaught")], errors  # blocked map tiles log console errors


def test_a_pin_outside_every_jurisdiction_is_refused(demo_town, page_factory):
    page = page_factory(viewport=PHONE_390)
    page.goto(demo_town + "/register/")
    page.fill("#id_street_address", "4417 Quixote Blvd")
    page.click("#find-address")
    page.locator("#map-status", has_text="You can still register").wait_for()
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + 3, box["y"] + box["height"] / 2)  # the area's edge: outside every boundary
    page.locator("#map-status", has_text="outside the area served").wait_for()
    page.check("#id_exterior_0")
    page.check("#id_records_0")
    _submit_expecting_refusal(page)
    assert not Registration.objects.filter(submission_nonce__isnull=False).exists()


def _submit_expecting_refusal(page) -> None:
    page.fill("#id_owner_name", "Dolores Whitfield")
    page.fill("#id_owner_phone", "(708) 555-0177")
    page.check("#id_cameras-0-locations_0")
    page.check("#id_cameras-0-records_street_0")
    page.fill("#id_cameras-0-retention_days", "14")
    page.check("#id_consent")
    page.click("#submit-registration")
    page.locator("#error-summary", has_text="outside the area served").wait_for()
