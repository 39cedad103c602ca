"""On a 390 px phone the owner's receipt (the page after an upload) fits: the SHA-256 wraps instead of
pushing the page sideways. Also the footage request page an investigator opens on a phone."""

from __future__ import annotations

import hashlib
import os

import pytest

from footage.models import EvidenceFile
from tests.browser.helpers import assert_accessible, open_footage_request, sign_in_staff, submit
from tests.footage.helpers import make_request, mp4_bytes, owners_with_email

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE_390 = {"width": 390, "height": 844}
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


@pytest.fixture
def demo_town(transactional_db, settings, live_server):
    from demo.town import build_town

    build_town(registrations=10, seed=3)
    settings.SITE_URL = live_server.url
    return live_server.url


def page_width(page) -> dict:
    return page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )


def screenshot(page, tmp_path, name: str) -> None:
    folder = SCREENSHOT_DIR or str(tmp_path)
    page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_the_receipt_has_no_horizontal_overflow_on_a_390px_phone(demo_town, page_factory, tmp_path):
    from agencies.models import Agency

    maple = Agency.objects.get(slug="maple-falls")
    footage_request = make_request(maple, owners_with_email(maple, 1)[0])
    page = page_factory(viewport=PHONE_390)
    open_footage_request(page, demo_town, footage_request)
    video = mp4_bytes(50_000)
    page.set_input_files(
        "#id_files",
        files=[{"name": "front-porch-camera-2025-03-01-2130-export.mp4", "mimeType": "video/mp4", "buffer": video}],
    )
    submit(page, "#send-files")
    receipt = page.locator("#upload-received")
    digest = hashlib.sha256(video).hexdigest()
    assert digest in receipt.inner_text().replace("\n", "")
    assert EvidenceFile.objects.filter(request=footage_request, sha256=digest).exists()
    screenshot(page, tmp_path, "receipt-390.png")
    assert_accessible(page)
    widths = page_width(page)
    assert widths["scroll"] <= 390 and widths["body"] <= 390, widths
    # The digest's own box stays inside the receipt card.
    digest_box = page.locator("#upload-received code.sha256").bounding_box()
    card_box = receipt.bounding_box()
    assert digest_box["x"] + digest_box["width"] <= card_box["x"] + card_box["width"] + 0.5


def test_the_investigators_request_page_shows_the_staff_navigation_on_a_phone(demo_town, page_factory, tmp_path):
    from agencies.models import Agency
    from tests.staff_fixtures import make_staff

    maple = Agency.objects.get(slug="maple-falls")
    investigator = make_staff(maple, "investigator")
    footage_request = make_request(maple, owners_with_email(maple, 1)[0], investigator)
    page = page_factory(viewport=PHONE_390)
    sign_in_staff(page, demo_town, investigator)
    page.goto(f"{demo_town}/footage/staff/requests/{footage_request.pk}/")
    assert page.locator("nav.staff-nav").is_visible()
    assert page.locator("button[name=language]").count() == 0
    page.click("#back-to-case")
    page.wait_for_url(f"{demo_town}/staff/canvass/cases/{footage_request.case_id}/")
    screenshot(page, tmp_path, "case-390.png")


def test_one_click_from_the_urgent_list_opens_the_form_with_those_cameras_ticked(demo_town, page_factory, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from agencies.models import Agency
    from canvass.models import CanvassSearch
    from registrations.models import Camera
    from tests.footage.helpers import make_case
    from tests.staff_fixtures import make_staff

    maple = Agency.objects.get(slug="maple-falls")
    investigator = make_staff(maple, "investigator")
    urgent_owner, relaxed_owner = owners_with_email(maple, 2)
    case = make_case(maple, investigator, [urgent_owner, relaxed_owner], number="2025-URGENT-B")
    start = timezone.now() - timedelta(days=2)
    CanvassSearch.objects.create(
        case=case, latitude=0.0, longitude=0.0, window_start=start, window_end=start + timedelta(hours=1), radius_m=150
    )
    urgent = case.chosen_cameras.get(camera__registration=urgent_owner)
    relaxed = case.chosen_cameras.get(camera__registration=relaxed_owner)
    Camera.objects.filter(pk=urgent.camera_id).update(retention_days=3)
    Camera.objects.filter(pk=relaxed.camera_id).update(retention_days=30)

    page = page_factory()
    sign_in_staff(page, demo_town, investigator)
    page.goto(f"{demo_town}/staff/canvass/cases/{case.pk}/")
    assert urgent_owner.street_address in page.locator("#urgent-footage").inner_text()
    screenshot(page, tmp_path, "case-urgent.png")
    assert_accessible(page)
    page.click("#request-first")
    page.wait_for_url(f"{demo_town}/footage/staff/cases/{case.pk}/requests/?**")
    ticked = page.locator("input[name=cameras]:checked")
    assert ticked.count() == 1 and ticked.get_attribute("value") == str(urgent.pk)
    local_start = timezone.localtime(start)
    assert page.input_value("input[name=window_start]") == f"{local_start:%Y-%m-%dT%H:%M}"
    screenshot(page, tmp_path, "request-form.png")
    assert_accessible(page)


def test_the_investigators_table_pages_never_scroll_sideways_on_a_phone(demo_town, page_factory, tmp_path):
    """The case page (searches, chosen cameras), its footage requests and the registrations list have tables wider
    than 390 px: each scrolls inside its own box, the page does not, and every column is still there."""
    from agencies.models import Agency
    from tests.footage.helpers import make_case
    from tests.staff_fixtures import make_staff

    maple = Agency.objects.get(slug="maple-falls")
    investigator = make_staff(maple, "investigator")
    owners = owners_with_email(maple, 3)
    footage_request = make_request(maple, owners[0], investigator)
    case = make_case(maple, investigator, owners, number="2025-PHONE-TABLES")
    page = page_factory(viewport=PHONE_390)
    sign_in_staff(page, demo_town, investigator)
    for path, name in (
        (f"/staff/canvass/cases/{case.pk}/", "case"),
        (f"/footage/staff/cases/{footage_request.case_id}/requests/", "requests"),
        ("/staff/registrations/", "registrations"),
    ):
        page.goto(f"{demo_town}{path}")
        widths = page_width(page)
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 390.5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + e.getBoundingClientRect().right + ' ' + e.textContent.slice(0, 60))"""
        )
        assert widths["scroll"] <= 390 and widths["body"] <= 390, (path, widths, wide)
        tables = page.locator(".table-scroll > table")
        assert tables.count() >= 1, path
        assert page.locator("table").count() == tables.count(), f"{path}: a table outside .table-scroll"
        screenshot(page, tmp_path, f"{name}-390.png")
    assert_accessible(page)
