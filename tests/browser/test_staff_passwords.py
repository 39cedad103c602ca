"""In a real browser: an administrator resets a password; the holder signs in with it and must change it first."""

from __future__ import annotations

import time

import pytest

from agencies.models import Agency
from demo.town import build_town
from tests.browser.helpers import assert_accessible, collect_errors, sign_in_staff, submit
from tests.staff_fixtures import STAFF_PASSWORD, make_staff, totp_code

pytestmark = pytest.mark.browser

NEW_PASSWORD = "copper kettles sing at dawn"


@pytest.fixture
def demo_town(transactional_db, live_server):
    build_town(registrations=5, seed=7)
    return live_server.url


def _two_codes(device) -> tuple[str, str]:
    """The previous and the current code, read early enough in a 30-second step that both stay accepted.

    The sign-in takes the previous one; the change page, a little later, the current one (each code works once).
    """
    into_step = (time.time() - device.t0) % device.step
    if into_step > device.step - 10:
        time.sleep(device.step - into_step + 0.5)  # wait for a fresh step; not a timing assertion
    now = time.time()
    return totp_code(device, at=now - device.step), totp_code(device, at=now)


def test_a_reset_password_must_be_changed_before_anything_else(demo_town, page_factory):
    maple = Agency.objects.get(slug="maple-falls")
    admin = make_staff(maple, "administrator", username="chief.admin")
    member = make_staff(maple, "investigator", username="det.alvarez")

    admin_page = page_factory()
    admin_errors = collect_errors(admin_page)
    sign_in_staff(admin_page, demo_town, admin)
    admin_page.goto(f"{demo_town}/staff/accounts/{member.pk}/")
    submit(admin_page, "#password-reset")
    temporary = admin_page.locator("#temporary-password").inner_text().strip()
    assert len(temporary) >= 16
    assert_accessible(admin_page)

    page = page_factory()
    errors = collect_errors(page)
    page.goto(f"{demo_town}/staff/sign-in/")
    submit(page, "#forgot-password")
    assert "Administrator" in page.locator("main").inner_text()
    assert_accessible(page)
    page.go_back()
    page.check("#id_acknowledge")
    page.fill("#id_username", member.username)
    page.fill("#id_password", STAFF_PASSWORD)  # the old password no longer works
    submit(page, "main form button[type=submit]")
    assert "Sign-in failed" in page.locator(".error-summary").inner_text()

    page.check("#id_acknowledge")
    page.fill("#id_username", member.username)
    page.fill("#id_password", temporary)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{demo_town}/staff/sign-in/verify/")
    sign_in_code, change_code = _two_codes(member.test_totp_device)
    page.fill("#id_code", sign_in_code)
    page.locator("form", has=page.locator("#id_code")).locator("button[type=submit]").click()
    page.wait_for_url(f"{demo_town}/staff/password/")
    assert page.locator("#must-change").is_visible()
    assert_accessible(page)

    # Nothing else opens until the password is changed.
    submit(page, "nav.staff-nav >> text=Staff home")
    assert page.url == f"{demo_town}/staff/password/"
    page.goto(f"{demo_town}/staff/registrations/")
    assert page.url == f"{demo_town}/staff/password/"

    page.fill("#id_old_password", temporary)
    page.fill("#id_code", change_code)
    page.fill("#id_new_password1", "password123")
    page.fill("#id_new_password2", "password123")
    submit(page, "main form button[type=submit]")
    assert "too common" in page.locator("#error-summary").inner_text()
    assert_accessible(page)

    page.fill("#id_old_password", temporary)
    page.fill("#id_code", change_code)  # not used up by the refused attempt
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{demo_town}/staff/")
    assert "Your password is changed." in page.locator(".messages").inner_text()
    page.goto(f"{demo_town}/staff/registrations/")
    assert page.url == f"{demo_town}/staff/registrations/"
    member.refresh_from_db()
    assert not member.must_change_password and member.check_password(NEW_PASSWORD)
    assert errors == [] and admin_errors == []

    # An investigator on an administrator's page: the staff 403 page, with navigation and the role needed
    # (the browser logs the 403 status itself on the console, hence errors checked above).
    page.goto(f"{demo_town}/staff/accounts/")
    assert page.locator("nav.staff-nav").is_visible()
    assert "Administrator" in page.locator("#role-needed").inner_text()
    assert_accessible(page)
