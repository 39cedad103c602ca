"""In a real browser: an owner who moved tells the program on a phone; on Monday the commander sees it.

The owner's report, with its note, is at the top of the verification queue as its own kind and on the
review page; the owner is no longer offered "Resume" or "My details are still correct". Axe on each page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency
from demo.town import build_town
from registrations.models import Registration, Status
from tests.browser.helpers import assert_accessible, collect_errors, open_owner_session, sign_in_staff, submit
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.browser

NOTE = "Sold the house on 3 May; the new owners (the Nguyens) may want to register their own cameras."


@pytest.fixture
def demo_town(transactional_db, live_server):
    build_town(registrations=12, seed=7)
    week_ago = timezone.now() - timedelta(days=7)
    Registration.objects.update(status=Status.ACTIVE, verified_at=week_ago, created_at=week_ago - timedelta(days=60))
    return live_server.url


def test_a_move_reported_on_a_phone_reaches_the_top_of_the_queue(demo_town, page_factory):
    maple = Agency.objects.get(slug="maple-falls")
    registration = Registration.objects.filter(agency=maple).exclude(owner_email="").order_by("pk").first()
    newest = Registration.objects.filter(agency=maple).exclude(pk=registration.pk).order_by("pk").last()
    Registration.objects.filter(pk=newest.pk).update(
        status=Status.PENDING, verified_at=None, created_at=timezone.now() - timedelta(hours=3)
    )

    phone = page_factory(viewport={"width": 390, "height": 844})
    errors = collect_errors(phone)
    open_owner_session(phone, demo_town, registration)
    submit(phone, phone.get_by_role("link", name="Report a change"))
    phone.get_by_label("I moved away from this address").check()
    phone.locator("textarea").fill(NOTE)
    submit(phone, "main form button[type=submit]")
    phone.goto(f"{demo_town}/manage/")
    notice = phone.locator("#departure-notice")
    assert "I moved away from this address" in notice.inner_text()
    assert phone.get_by_role("button", name="Resume participation").count() == 0
    assert phone.get_by_role("button", name="My details are still correct").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)

    desk = page_factory(viewport={"width": 1280, "height": 900})
    sign_in_staff(desk, demo_town, make_staff(maple, "administrator"))
    desk.goto(f"{demo_town}/staff/admin/queue/")
    rows = desk.locator("#queue tbody tr")
    assert rows.count() == 2  # the move report and the new registration, nothing else
    first = rows.nth(0).inner_text()
    assert registration.display_name in first and "Change reported by the owner" in first
    assert newest.display_name in rows.nth(1).inner_text() and "New registration" in rows.nth(1).inner_text()
    assert_accessible(desk)
    desk.locator("#queue-kind").select_option("reported")
    submit(desk, desk.get_by_role("button", name="Filter"))
    assert desk.locator("#queue tbody tr").count() == 1
    submit(desk, desk.get_by_role("link", name=registration.display_name))
    reports = desk.locator("#owner-reports").inner_text()
    assert "I moved away from this address" in reports and "the Nguyens" in reports
    assert_accessible(desk)
    assert errors == []
