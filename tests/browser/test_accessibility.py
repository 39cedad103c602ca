"""axe-core on every public page, in both languages, on a phone and on a desktop: no serious or critical violations."""

from __future__ import annotations

import pytest

from registrations.models import Registration
from registrations.tokens import owner_link_issue
from tests.browser.helpers import address_served_by, assert_accessible, open_footage_request, open_owner_session, submit
from tests.browser_fixtures import DESKTOP, PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_town(transactional_db, live_server):
    from demo.town import build_town

    build_town(registrations=10, seed=3)
    return live_server.url


def _open(page_factory, base: str, language: str, viewport: dict):
    page = page_factory(viewport=viewport)
    host = base.split("//", 1)[1].split(":")[0]
    page.context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])
    return page


def _fill_valid_form(page, address: str) -> None:
    page.fill("#id_street_address", address)
    page.fill("#id_owner_name", "Maria Garcia")
    page.fill("#id_owner_phone", "708-555-0123")
    page.check("#id_cameras-0-locations_0")
    page.check("#id_cameras-0-records_street_0")
    page.fill("#id_cameras-0-retention_days", "14")
    page.check("#id_consent")


@pytest.mark.parametrize(("language", "viewport"), [("en", PHONE), ("es", DESKTOP)])
def test_public_pages_have_no_serious_accessibility_violations(
    demo_town, page_factory, settings, language, viewport, one_rate_window
):
    page = _open(page_factory, demo_town, language, viewport)
    checked = []

    def check(path: str | None = None) -> None:
        if path is not None:
            page.goto(demo_town + path)
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)
        checked.append(page.url)

    check("/")
    check("/register/")
    page.fill("#id_street_address", address_served_by("maple-falls").address)
    page.click("#find-address")
    page.locator("#map .leaflet-marker-icon").wait_for()
    page.click("#add-camera")
    check()  # map shown, two cameras

    page.goto(demo_town + "/register/")
    page.check("#id_exterior_1")
    page.locator("#not-eligible").wait_for()
    check()  # the inline "not eligible" explanation
    page.goto(demo_town + "/register/")
    page.check("#id_exterior_0")
    page.check("#id_records_0")
    submit(page, "#submit-registration")
    assert page.locator("#error-summary").is_visible()
    check()  # errors summarised and tied to fields (an ineligible answer gets the explanation page instead)

    page.goto(demo_town + "/register/")
    page.check("#id_exterior_1")
    page.check("#id_records_0")
    _fill_valid_form(page, address_served_by("maple-falls").address)
    submit(page, "#submit-registration")
    assert page.locator("#error-summary").count() == 0
    check()  # not eligible page
    check("/register/thanks/")

    registration = Registration.objects.order_by("id").first()
    link = f"/manage/link/{owner_link_issue(registration=registration)}/"
    check(link)  # confirm button
    submit(page, "main form button[type=submit]")
    check()  # the owner's registration
    check(link)  # link already used
    check("/manage/link/not-a-real-link/")
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "domain": page.url.split("//")[1].split(":")[0], "path": "/"}]
    )
    check("/manage/")  # no session
    check("/no-such-page/")

    from agencies.models import Agency

    Agency.objects.filter(slug="maple-falls").update(registrations_per_hour_per_network=1)
    for _ in range(2):  # the limit may already be reached if this browser registered above
        page.goto(demo_town + "/register/")
        page.check("#id_exterior_0")
        page.check("#id_records_0")
        _fill_valid_form(page, address_served_by("maple-falls").address)
        submit(page, "#submit-registration")
        if page.locator("#limit-title").count():
            break
    assert page.locator("#limit-title").is_visible()
    assert page.locator("#id_owner_name").input_value() == "Maria Garcia"  # the answers are kept
    check()  # limit reached: the form, filled in, with when to send it
    assert len(checked) == 14


def test_the_accessibility_check_reports_a_broken_page(page):
    page.set_content('<html lang="en"><body><main><img src="photo.png"><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def _wait_for_focus_on_error_summary(page) -> None:
    """After a refused form, keyboard and screen reader users start at the list of what to fix."""
    # Browsers apply autofocus at their next rendering step, which may come just after the load event.
    page.wait_for_function("() => document.activeElement.classList.contains('error-summary')", timeout=5_000)


def _checker(page, base: str, language: str, checked: list):
    def check(path: str | None = None) -> None:
        if path is not None:
            page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)
        checked.append(page.url)

    return check


@pytest.mark.parametrize(("language", "viewport"), [("en", PHONE), ("es", DESKTOP), ("es", PHONE)])
def test_owner_pages_have_no_serious_accessibility_violations(demo_town, page_factory, language, viewport):
    page = _open(page_factory, demo_town, language, viewport)
    checked: list[str] = []
    check = _checker(page, demo_town, language, checked)

    check("/manage/")  # ask for a private link
    assert (
        page.locator("label[for=id_email]").inner_text()
        == {"en": "Your email address", "es": "Su correo electrónico"}[language]
    )
    submit(page, "main form button[type=submit]")
    _wait_for_focus_on_error_summary(page)
    check()  # the email is missing
    registration = Registration.objects.exclude(owner_email="").order_by("id").first()
    page.fill("#id_email", registration.owner_email)
    submit(page, "main form button[type=submit]")
    check()  # "check your email"

    open_owner_session(page, demo_town, registration)
    check("/manage/edit/")
    page.fill("#id_owner_name", "")
    submit(page, "main form button.primary[type=submit]")
    _wait_for_focus_on_error_summary(page)
    check()  # errors summarised and tied to fields

    check("/manage/status/")
    submit(page, "main form button.primary[type=submit]")
    _wait_for_focus_on_error_summary(page)
    check()  # nothing chosen
    page.locator("input[name=kind]").first.check()
    submit(page, "main form button.primary[type=submit]")
    check()  # thank you

    check("/manage/withdraw/")
    submit(page, "main form button.primary[type=submit]")
    _wait_for_focus_on_error_summary(page)
    assert page.get_attribute("#confirm-withdraw", "aria-describedby") == "confirm-withdraw_error"
    check()  # box not ticked
    assert len(checked) == 10


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("es", PHONE)])
def test_owner_footage_pages_have_no_serious_accessibility_violations(demo_town, page_factory, language, viewport):
    from agencies.models import Agency
    from footage.tokens import request_link_issue
    from tests.footage.helpers import make_request, mp4_bytes

    footage_request = make_request(Agency.objects.get(slug="maple-falls"))
    page = _open(page_factory, demo_town, language, viewport)
    checked: list[str] = []
    check = _checker(page, demo_town, language, checked)

    check(f"/footage/r/{footage_request.public_id}/{request_link_issue(footage_request=footage_request)}/")
    submit(page, "#open-request")
    check()  # the request, with both ways to answer
    expected_heading = {"en": "Send footage", "es": "Enviar video"}[language]
    assert page.locator("#upload-title").inner_text() == expected_heading
    submit(page, "#answer-title ~ form button[type=submit]")
    _wait_for_focus_on_error_summary(page)
    check()  # no answer chosen
    page.set_input_files("#id_files", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    submit(page, "#send-files")
    _wait_for_focus_on_error_summary(page)
    assert page.locator("#upload-errors").is_visible()
    assert page.get_attribute("#id_files", "aria-invalid") == "true"
    check()  # the file was refused
    page.set_input_files("#id_files", files=[{"name": "porch.mp4", "mimeType": "video/mp4", "buffer": mp4_bytes()}])
    submit(page, "#send-files")
    assert page.locator("#upload-received").is_visible()
    check()  # received, with its fingerprint
    check(f"/footage/r/{footage_request.public_id}/not-a-real-link/")
    assert len(checked) == 6


@pytest.mark.parametrize("language", ["en", "es"])
def test_owner_footage_decline_page_is_accessible(demo_town, page_factory, language):
    from agencies.models import Agency
    from tests.footage.helpers import make_request

    footage_request = make_request(Agency.objects.get(slug="maple-falls"))
    page = _open(page_factory, demo_town, language, PHONE)
    check = _checker(page, demo_town, language, [])
    open_footage_request(page, demo_town, footage_request)
    page.locator("input[name=answer]").last.check()
    page.fill("#id_reason", "Not comfortable sharing.")
    submit(page, "#answer-title ~ form button[type=submit]")
    check()  # thank you
    footage_request.refresh_from_db()
    assert footage_request.status == "declined"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP])
def test_the_coverage_maps_have_no_serious_accessibility_violations(demo_town, page_factory, monkeypatch, viewport):
    from administration import selectors
    from agencies.models import Agency
    from tests.browser.helpers import sign_in_staff
    from tests.staff_fixtures import make_staff

    monkeypatch.setattr(selectors, "PUBLIC_CELL_MINIMUM", 1)  # so the public map draws cells too
    page = _open(page_factory, demo_town, "en", viewport)
    checked: list[str] = []
    check = _checker(page, demo_town, "en", checked)
    for path in ("/transparency/", "/transparency/?agency=maple-falls"):
        page.goto(demo_town + path)
        page.locator("#coverage-map path.coverage-cell").first.wait_for()
        check()
    sign_in_staff(page, demo_town, make_staff(Agency.objects.get(slug="maple-falls"), "administrator"))
    page.goto(demo_town + "/staff/admin/dashboard/")
    page.locator("#coverage-map path.coverage-cell").first.wait_for()
    check()
    page.goto(demo_town + "/staff/admin/settings/")
    page.locator("#boundary-map.leaflet-container").wait_for()
    check()
    assert len(checked) == 4
