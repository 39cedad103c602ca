"""In a real browser: Maple Falls revokes its agreement while Cedar Grove's investigator has the case's
footage-request page open. The stale form cannot send, and the page no longer shows the owner's address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from footage.models import FootageRequest
from tests.browser.helpers import run_task_worker, submit
from tests.footage.helpers import make_case, owners_with_email, share, window
from tests.staff_fixtures import make_staff, staff_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo_town(transactional_db, settings, live_server):
    from demo.town import build_town

    build_town(registrations=10, seed=3)
    settings.SITE_URL = live_server.url
    return live_server.url


def test_a_share_revoked_mid_case_hides_the_address_and_sends_nothing(demo_town, page_factory):
    from agencies.models import Agency

    maple, cedar = Agency.objects.get(slug="maple-falls"), Agency.objects.get(slug="cedar-grove")
    agreement = share(maple, cedar)
    investigator = make_staff(cedar, "investigator")
    owner = owners_with_email(maple, 1)[0]
    case = make_case(cedar, investigator, [owner], number="CG-BROWSER-7")
    session = staff_client(Client(), investigator).cookies["sessionid"].value

    page = page_factory()
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": demo_town}])
    url = f"{demo_town}/footage/staff/cases/{case.pk}/requests/"
    page.goto(url)
    assert owner.street_address in page.locator("main").inner_text()
    page.locator("input[name=cameras]").first.check()
    start, end = window()
    page.fill("input[name=window_start]", timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=window_end]", timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"))

    # Maple's administrator revokes the agreement through the sharing page while the form is open.
    maple_admin = staff_client(Client(), make_staff(maple, "administrator"))
    assert maple_admin.post(f"/staff/sharing/{agreement.pk}/revoke/").status_code == 302

    submit(page, "#send-requests")
    assert owner.street_address not in page.content()
    assert "no longer shared" in page.locator("main").inner_text()
    page.goto(url)
    assert owner.street_address not in page.content()
    assert page.locator("#send-requests").count() == 0
    run_task_worker()
    assert not FootageRequest.objects.exists()
    assert mail.outbox == []
