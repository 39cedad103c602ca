"""A registration drive in a real browser: twelve households register one after another from one
connection (every browser here reaches the live server from 127.0.0.1, like a library's Wi-Fi)."""

from __future__ import annotations

import pytest

from agencies.models import Agency
from agencies.selectors import agency_for_point
from registrations.models import AddressPoint, Registration
from tests.browser.helpers import submit

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_town(transactional_db, live_server):
    from demo.town import build_town

    build_town(registrations=10, seed=3)
    return live_server.url


def _fill(page, address: str, number: int) -> None:
    page.check("#id_exterior_0")
    page.check("#id_records_0")
    page.fill("#id_street_address", address)
    page.fill("#id_owner_name", f"Neighbour Number{number}")
    page.fill("#id_owner_phone", f"708-555-{2000 + number}")
    page.check("#id_cameras-0-locations_0")
    page.check("#id_cameras-0-records_street_0")
    page.fill("#id_cameras-0-retention_days", "14")


def test_twelve_households_register_at_a_library_drive_and_the_next_keeps_their_answers(
    demo_town, page_factory, one_rate_window
):
    maple = Agency.objects.get(slug="maple-falls")
    points = [
        p for p in AddressPoint.objects.order_by("id")[:300] if agency_for_point(p.latitude, p.longitude) == maple
    ]
    page = page_factory(javascript=False)
    before = Registration.objects.count()
    for number in range(12):
        page.goto(demo_town + "/register/")
        _fill(page, points[number].address, number)
        submit(page, "#add-camera")  # no JavaScript: posts the form back with a second camera
        page.check("#id_cameras-1-locations_1")
        page.check("#id_cameras-1-records_street_1")
        page.fill("#id_cameras-1-retention_days", "30")
        page.check("#id_consent")
        submit(page, "#submit-registration")  # the department's terms appear: a failed submission
        assert page.locator("#error-summary").is_visible()
        page.check("#id_consent")
        submit(page, "#submit-registration")
        assert page.url.endswith("/register/thanks/"), (number, page.locator("#error-summary").inner_text())
    assert Registration.objects.count() == before + 12

    Agency.objects.filter(pk=maple.pk).update(registrations_per_hour_per_network=12)
    page.goto(demo_town + "/register/")
    _fill(page, points[12].address, 12)
    page.check("#id_consent")
    submit(page, "#submit-registration")
    page.check("#id_consent")
    submit(page, "#submit-registration")
    assert page.locator("#limit-title").is_visible()
    assert "please send it again after" in page.locator("#limit-title").inner_text()
    assert maple.contact_phone in page.locator("#error-summary").inner_text()
    assert page.input_value("#id_owner_name") == "Neighbour Number12"
    assert page.input_value("#id_street_address") == points[12].address
    assert page.is_checked("#id_consent")
    assert Registration.objects.count() == before + 12
