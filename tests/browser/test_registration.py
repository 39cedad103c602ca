"""A resident registers through a real browser: phone and desktop, mouse and keyboard only, Spanish, no JavaScript."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import translation

from agencies.models import Agency
from registrations.models import Registration
from tests.browser.helpers import address_served_by, assert_accessible, run_task_worker, submit, tab_to
from tests.browser_fixtures import PHONE

pytestmark = pytest.mark.browser

PIN_STEP_DEGREES = 0.00002  # one arrow-key press moves the pin this far (static/registrations/register.js)


@pytest.fixture
def demo_town(transactional_db, settings, live_server):
    from demo.town import build_town

    build_town(registrations=10, seed=3)
    # Links in emails must point at the server the browser talks to.
    settings.SITE_URL = live_server.url
    return live_server.url


def _in_language(language: str, text: str) -> str:
    with translation.override(language):
        translated = translation.gettext(text)
    if language != "en":
        assert translated != text, f"missing {language} translation for {text!r}"
    return translated


def _link_from(message) -> str:
    found = re.search(r"https?://\S+/manage/link/\S+/", message.body)
    assert found, message.body
    return found.group(0)


def _opens_owner_page(page, link: str, address: str) -> None:
    page.goto(link)
    button = page.locator("main form button[type=submit]")
    assert button.count() == 1  # GET only offers a button: mail scanners must not use the link up
    submit(page, button)
    assert page.url.endswith("/manage/")
    assert address in page.locator("main").inner_text()


def test_a_resident_registers_on_a_phone_in_spanish(demo_town, page_factory):
    point = address_served_by("cedar-grove")
    cedar = Agency.objects.get(slug="cedar-grove")
    page = page_factory(viewport=PHONE)
    page.goto(demo_town + "/register/")
    submit(page, "form.language button[value=es]")
    assert page.locator("html").get_attribute("lang") == "es"
    assert _in_language("es", "Register your security cameras") in page.locator("h1").inner_text()

    page.check("#id_exterior_0")
    page.check("#id_records_0")
    page.fill("#id_street_address", point.address)
    page.click("#find-address")
    page.locator("#map-status", has_text=cedar.name).wait_for()
    assert page.locator("#map .leaflet-marker-icon").is_visible()
    page.locator("#terms-text p", has_text=cedar.current_terms().text_es.split("\n")[0][:40]).wait_for()

    page.fill("#id_owner_name", "Rosa Martínez")
    page.fill("#id_owner_phone", "(708) 555-0142")
    page.fill("#id_owner_email", "Rosa@Example.org")

    page.check("#id_cameras-0-locations_0")
    page.check("#id_cameras-0-records_street_1")
    page.fill("#id_cameras-0-retention_days", "5")
    page.click("#add-camera")
    page.check("#id_cameras-1-locations_1")
    page.check("#id_cameras-1-records_street_0")
    page.fill("#id_cameras-1-description", "La calle y la banqueta de enfrente")
    page.select_option("#id_cameras-1-bearing_degrees", "180")
    page.fill("#id_cameras-1-retention_days", "30")
    page.locator("#camera-list [data-camera]").first.locator("button.remove-camera-button").click()
    assert page.locator("#camera-list [data-camera]:visible").count() == 1

    page.check("#id_consent")
    page.click("#submit-registration")
    page.wait_for_url("**/register/thanks/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page)

    registration = Registration.objects.get(submission_nonce__isnull=False)
    assert registration.agency == cedar
    assert registration.language == "es"
    assert registration.owner_email == "rosa@example.org"
    assert (registration.latitude, registration.longitude) == (point.latitude, point.longitude)
    cameras = list(registration.cameras.all())
    assert [(c.locations, c.records_street, c.bearing_degrees, c.retention_days) for c in cameras] == [
        (["back"], True, 180, 30)
    ]
    assert cameras[0].description == "La calle y la banqueta de enfrente"
    consent = registration.consents.get()
    assert consent.terms_version == cedar.current_terms()
    assert consent.language == "es"

    run_task_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa@example.org"]
    assert _in_language("es", "Your private link to see, update, pause or withdraw your registration:") in message.body
    _opens_owner_page(page, _link_from(message), point.address)


def test_a_resident_registers_on_a_desktop_with_the_keyboard_only(demo_town, page_factory):
    point = address_served_by("maple-falls")
    maple = Agency.objects.get(slug="maple-falls")
    page = page_factory()
    page.goto(demo_town + "/register/")

    tab_to(page, "#id_exterior_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_records_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_street_address")
    page.keyboard.type(point.address)
    page.keyboard.press("Tab")  # leaving the field looks the address up
    page.locator("#map-status", has_text=maple.name).wait_for()
    geocoded_latitude = float(page.input_value("#id_latitude"))

    tab_to(page, "#map .leaflet-marker-icon")
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    page.wait_for_function(
        "(start) => parseFloat(document.getElementById('id_latitude').value) > start", arg=geocoded_latitude
    )

    tab_to(page, "#id_owner_name")
    page.keyboard.type("James Okafor")
    tab_to(page, "#id_owner_phone")
    page.keyboard.type("708 555 0199")
    tab_to(page, "#id_owner_email")
    page.keyboard.type("james@example.com")
    tab_to(page, "#id_preferred_contact_method_0")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # phone call -> text message -> email

    tab_to(page, "#id_cameras-0-locations_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_cameras-0-locations_3")
    page.keyboard.press("Space")
    tab_to(page, "#id_cameras-0-records_street_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_cameras-0-bearing_degrees")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # Not sure -> North -> Northeast
    tab_to(page, "#id_cameras-0-retention_days")
    page.keyboard.type("21")

    tab_to(page, "#add-camera")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_cameras-1-locations_0"  # focus moves to the new camera
    page.keyboard.press("Space")
    tab_to(page, "#id_cameras-1-records_street_0")
    page.keyboard.press("ArrowRight")  # Yes -> No
    tab_to(page, "#id_cameras-1-retention_days")
    page.keyboard.type("7")

    tab_to(page, "#add-camera")
    page.keyboard.press("Enter")
    tab_to(page, "#camera-list [data-camera]:nth-child(3) button.remove-camera-button")
    page.keyboard.press("Enter")
    assert page.locator("#camera-list [data-camera]:visible").count() == 2

    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "#submit-registration")
    page.keyboard.press("Enter")
    page.wait_for_url("**/register/thanks/")

    registration = Registration.objects.get(submission_nonce__isnull=False)
    assert registration.agency == maple
    assert registration.language == "en"
    assert registration.preferred_contact_method == "email"
    assert registration.latitude == pytest.approx(geocoded_latitude + 3 * PIN_STEP_DEGREES, abs=1e-7)
    assert registration.location_corrected
    cameras = list(registration.cameras.all())
    assert [(c.locations, c.records_street, c.bearing_degrees, c.retention_days) for c in cameras] == [
        (["driveway", "front"], True, 45, 21),
        (["front"], False, None, 7),
    ]
    assert registration.consents.get().terms_version == maple.current_terms()

    run_task_worker()
    assert [m.to for m in mail.outbox] == [["james@example.com"]]
    assert "Your private link to see, update, pause or withdraw your registration:" in mail.outbox[0].body
    _opens_owner_page(page, _link_from(mail.outbox[0]), point.address)


def test_a_resident_registers_without_javascript(demo_town, page_factory):
    point = address_served_by("maple-falls")
    maple = Agency.objects.get(slug="maple-falls")
    page = page_factory(javascript=False)
    page.goto(demo_town + "/register/")
    assert page.locator("#map").is_hidden()

    page.check("#id_exterior_0")
    page.check("#id_records_0")
    page.fill("#id_street_address", point.address.upper())
    page.fill("#id_owner_name", "Ana Lopez")
    page.fill("#id_owner_phone", "708-555-0111")
    page.fill("#id_owner_email", "ana@example.net")
    page.check("#id_cameras-0-locations_2")
    page.check("#id_cameras-0-records_street_0")
    page.fill("#id_cameras-0-retention_days", "10")
    submit(page, "#add-camera")  # posts the form back with one more camera
    assert page.locator("#camera-list [data-camera]").count() == 2
    assert page.locator("#error-summary").count() == 0
    assert page.input_value("#id_cameras-0-retention_days") == "10"
    page.check("#id_cameras-1-locations_8")
    page.check("#id_cameras-1-records_street_1")
    page.fill("#id_cameras-1-retention_days", "60")
    page.check("#id_consent")
    submit(page, "#submit-registration")

    # The page could not know the department before the address was found: it shows its terms now.
    assert page.locator("#error-summary").is_visible(), "no error summary"
    assert maple.name in page.locator("#terms-text").inner_text()
    assert not Registration.objects.filter(submission_nonce__isnull=False).exists()
    page.check("#id_consent")
    page.click("#submit-registration")
    page.wait_for_url("**/register/thanks/")

    registration = Registration.objects.get(submission_nonce__isnull=False)
    assert registration.agency == maple
    assert (registration.latitude, registration.longitude) == (point.latitude, point.longitude)
    assert [(c.locations, c.retention_days) for c in registration.cameras.all()] == [(["side"], 10), (["other"], 60)]
    assert registration.consents.get().terms_version == maple.current_terms()
    run_task_worker()
    assert [m.to for m in mail.outbox] == [["ana@example.net"]]
