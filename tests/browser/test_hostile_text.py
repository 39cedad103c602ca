"""Text typed by owners (and staff) reaches every page as text, never as markup: maps, tooltips, lists, owner pages.

One registration carries markup in every free-text field. Staff then open every page that shows it,
with its maps and client-side rendering, and no injected element may appear anywhere, while the text
itself is visible where it belongs (in the marker tooltip too). CSP would stop the script; the point is
that the markup never becomes an element in the first place.
"""

from __future__ import annotations

import pytest
from django.test import Client

from agencies.models import Agency
from canvass.models import CanvassSearch
from registrations.models import Camera, Registration, Status
from tests.browser.helpers import address_served_by, collect_errors, open_owner_session, sign_in_staff, submit
from tests.canvass.helpers import form_data as search_form_data
from tests.registrations.helpers import camera_fields
from tests.registrations.helpers import form_data as registration_form_data
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.browser

# Each payload would leave an element behind if it were parsed as HTML; a successful script would set the flag.
MARKUP = '"><img src=x onerror=__pwned=1><script>__pwned=1</script><x-injected>'  # fits 100-character fields
SHORT_MARKUP = '"><img src=x onerror=__pwned=1>'
TINY_MARKUP = "<img src=x>"

HOSTILE = {
    "street_address": "12 Elm St" + MARKUP,
    "unit": "U" + SHORT_MARKUP,  # at most 40 characters
    "city": "Town" + MARKUP,
    "postal_code": "P" + TINY_MARKUP,  # at most 20 characters
    "business_name": "Shop" + MARKUP,
    "owner_name": "Owner" + MARKUP,
    "contact_hours": "Hours" + MARKUP,
    "alternate_name": "Alternate" + MARKUP,
    "alternate_relation": "Relation" + MARKUP,
    "notes_for_detectives": "Notes" + MARKUP + "\nsecond line" + MARKUP,
}
HOSTILE_CAMERA = {"description": "Sees" + MARKUP, "brand": "Brand" + MARKUP}
HOSTILE_NOTE = "Called" + MARKUP
HOSTILE_SEARCH_ADDRESS = "Corner" + MARKUP

INJECTED = """() => Array.from(document.querySelectorAll(
    'img[src="x"], [onerror], x-injected, script:not([src]):not([type="application/json"])'
)).map((element) => element.outerHTML)"""


def assert_nothing_injected(page) -> None:
    assert page.evaluate(INJECTED) == [], page.url
    assert page.evaluate("() => window.__pwned") is None, page.url


def assert_shows(page, *texts: str) -> None:
    shown = page.locator("main").inner_text()
    for text in texts:
        for line in text.splitlines():
            assert line in shown, f"{line!r} is not shown as text on {page.url}"


@pytest.fixture
def hostile(transactional_db, live_server):
    """A business with markup in every free-text field, registered through the public form (as an attacker would)."""
    from demo.town import build_town

    build_town(registrations=20, seed=7)
    maple = Agency.objects.get(slug="maple-falls")
    point = address_served_by("maple-falls")
    data = registration_form_data(
        maple.current_terms().pk,
        cameras=2,
        property_type="business",
        latitude=str(point.latitude),
        longitude=str(point.longitude),
        alternate_phone="708-555-0111",
        **HOSTILE,
    )
    for index in range(2):
        data.update(camera_fields(index, **HOSTILE_CAMERA))
    response = Client().post("/register/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get(street_address=HOSTILE["street_address"])
    for name, value in HOSTILE.items():
        assert getattr(registration, name) == value  # stored exactly as typed, nothing stripped
    assert set(Camera.objects.filter(registration=registration).values_list("brand", flat=True)) == {
        HOSTILE_CAMERA["brand"]
    }
    return registration


def test_the_public_form_echoes_markup_as_text_and_adds_cameras_without_parsing_it(transactional_db, live_server, page):
    from demo.town import build_town

    build_town(registrations=5, seed=7)
    errors = collect_errors(page)
    page.goto(f"{live_server.url}/register/")
    page.check("#id_exterior_0")
    page.check("#id_records_0")
    page.check("input[name=property_type][value=business]")
    values = {f"id_{name}": value for name, value in HOSTILE.items()}
    values |= {f"id_cameras-0-{name}": value for name, value in HOSTILE_CAMERA.items()}
    # Set directly: typing an address would look it up and move the pin, which is not what this test is about.
    page.evaluate(
        "(values) => { for (const [id, v] of Object.entries(values)) document.getElementById(id).value = v; }", values
    )
    submit(page, "#submit-registration")  # refused (no map point): the page comes back with the values
    assert_nothing_injected(page)
    for name, value in HOSTILE.items():
        assert page.input_value(f"#id_{name}") == value
    assert page.input_value("#id_cameras-0-description") == HOSTILE_CAMERA["description"]
    page.click("#add-camera")
    page.locator("#id_cameras-1-description").wait_for()
    assert page.locator("[data-camera]:not([hidden])").count() == 2
    assert page.get_attribute("#id_cameras-1-description", "name") == "cameras-1-description"
    assert_nothing_injected(page)
    assert [error for error in errors if "status of 400" not in error] == []  # the refused form itself is a 400


def _open_as(page_factory, base: str, user) -> tuple:
    page = page_factory()
    errors = collect_errors(page)
    sign_in_staff(page, base, user)
    return page, errors


def test_staff_pages_show_hostile_text_as_text(hostile, live_server, page_factory):
    base = live_server.url
    maple = hostile.agency
    camera_ids = list(hostile.cameras.values_list("pk", flat=True))

    # A supervisor verifies it from the queue, with a note that is markup too.
    page, errors = _open_as(page_factory, base, make_staff(maple, "supervisor"))
    page.goto(f"{base}/staff/admin/queue/")
    assert_nothing_injected(page)
    assert_shows(page, HOSTILE["business_name"])
    page.goto(f"{base}/staff/admin/registrations/{hostile.public_id}/")
    assert_nothing_injected(page)
    assert_shows(page, HOSTILE["street_address"], HOSTILE["unit"], HOSTILE["owner_name"], HOSTILE_CAMERA["description"])
    page.fill("#id_note", HOSTILE_NOTE)
    submit(page, "main button.primary[type=submit]")
    hostile.refresh_from_db()
    assert hostile.status == Status.ACTIVE
    page.goto(f"{base}/staff/admin/registrations/{hostile.public_id}/")
    assert_nothing_injected(page)
    assert_shows(page, HOSTILE_NOTE)
    assert errors == []

    # An investigator finds it, sees it on the map and in the tooltip, reveals the contact, prints the sheet.
    investigator = make_staff(maple, "investigator")
    search_client = staff_client(Client(), investigator)
    response = search_client.post(
        "/staff/canvass/", search_form_data(maple, hostile, address=HOSTILE_SEARCH_ADDRESS, radius_m="100")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    search = CanvassSearch.objects.get(created_by=investigator)
    page, errors = _open_as(page_factory, base, investigator)

    for path in ("/staff/registrations/", f"/staff/registrations/{hostile.public_id}/"):
        page.goto(base + path)
        assert_nothing_injected(page)
        assert_shows(page, HOSTILE["business_name"])
    assert_shows(page, HOSTILE["city"], HOSTILE["postal_code"], HOSTILE["notes_for_detectives"])
    submit(page, page.locator("main form button[type=submit]", has_text="Show contact details"))
    assert_nothing_injected(page)
    assert_shows(page, HOSTILE["owner_name"], HOSTILE["contact_hours"], HOSTILE["alternate_name"])
    assert_shows(page, HOSTILE["alternate_relation"])

    address = f"{HOSTILE['street_address']}, {HOSTILE['unit']}"
    for path in (f"/staff/canvass/searches/{search.pk}/", f"/staff/canvass/searches/{search.pk}/sheet/"):
        page.goto(base + path)
        marker = page.locator(f'.camera-marker[data-camera-id="{camera_ids[0]}"]')
        marker.wait_for()
        assert_nothing_injected(page)
        assert_shows(page, HOSTILE["street_address"], HOSTILE_SEARCH_ADDRESS)
        marker.dispatch_event("mouseover")  # its view cone lies over it, so a real pointer might hover the cone
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for()
        assert_nothing_injected(page)
        assert (
            tooltip.inner_text().split(". ", 1)[1].startswith(address)
        )  # "<rank>. <address>, <unit> · <business>", as text
    assert_shows(page, HOSTILE["owner_name"], HOSTILE["alternate_name"], HOSTILE["notes_for_detectives"])

    page.goto(f"{base}/staff/canvass/searches/{search.pk}/")
    result = page.locator(f"#camera-{camera_ids[0]}")
    assert_shows(page, HOSTILE_CAMERA["description"])
    submit(page, result.locator("button", has_text="Choose for this case").first)
    page.goto(f"{base}/staff/canvass/cases/{search.case_id}/")
    assert_nothing_injected(page)
    assert_shows(page, HOSTILE["street_address"], HOSTILE_CAMERA["description"], HOSTILE_SEARCH_ADDRESS)
    page.goto(f"{base}/staff/canvass/searches/{search.pk}/")
    submit(page, page.locator(f"#camera-{camera_ids[0]}").locator("button", has_text="Show contact details"))
    assert_nothing_injected(page)
    assert_shows(page, HOSTILE["street_address"], HOSTILE["owner_name"], HOSTILE["notes_for_detectives"])

    for path in ("/staff/admin/dashboard/", "/transparency/"):
        page.goto(base + path)
        page.locator("#coverage-map.leaflet-container").wait_for()
        assert_nothing_injected(page)
    assert errors == []


def test_owner_pages_show_hostile_text_as_text(hostile, live_server, page):
    errors = collect_errors(page)
    open_owner_session(page, live_server.url, hostile)
    assert_nothing_injected(page)
    assert_shows(page, HOSTILE["street_address"], HOSTILE["unit"], HOSTILE["city"], HOSTILE["owner_name"])
    assert_shows(page, HOSTILE_CAMERA["description"])
    for path in ("/manage/edit/", "/manage/status/", "/manage/consent/", "/manage/withdraw/"):
        page.goto(live_server.url + path)
        assert_nothing_injected(page)
    page.goto(live_server.url + "/manage/edit/")
    for name, value in HOSTILE.items():
        if page.locator(f"#id_{name}").count():
            assert page.input_value(f"#id_{name}") == value
    assert errors == []
