"""An investigator searches by clicking the map, sees ranked results with cones, and opens the sheet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from canvass.models import CanvassSearch
from demo.town import build_town
from tests.canvass.helpers import offense
from tests.staff_fixtures import make_staff, staff_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_an_investigator_searches_by_clicking_the_map(live_server, page_factory):  # noqa: F811
    build_town(registrations=40, seed=7)
    from agencies.models import Agency

    maple = Agency.objects.get(slug="maple-falls")
    investigator = make_staff(maple, "investigator")
    # Signed in as the real sign-in leaves the session (password + TOTP verified); that flow has its own tests.
    session_client = staff_client(Client(), investigator)
    page = page_factory()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/staff/canvass/")
    page.fill("#id_case_number", "2025-000777")
    page.select_option("#id_offense_type", str(offense(maple).pk))
    end = timezone.localtime() - timedelta(hours=1)
    page.fill("#id_window_start", (end - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_window_end", end.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_radius_m", "600")
    box = page.locator("#search-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "Incident placed at" in page.locator("#map-status").inner_text()
    assert page.locator("#id_latitude").input_value()
    page.click("button[type=submit]:has-text('Find cameras')")
    page.wait_for_url("**/staff/canvass/searches/*/")

    search = CanvassSearch.objects.get()
    assert search.result_count > 0
    # One row per address, its cameras inside: every camera of this small search is on the first page.
    results = page.locator(".result")
    assert page.locator(".result li.camera").count() == search.result_count
    assert 0 < results.count() <= search.result_count
    assert page.locator(".map-legend").is_visible()
    # Cones and markers are drawn as SVG paths on the map.
    assert page.locator("#results-map path").count() > search.result_count
    first = results.first
    first.click()
    assert "selected" in (first.get_attribute("class") or "")

    # The sheet button sends the chosen number of addresses (40 unless changed).
    page.fill("#id_addresses", "3")
    page.click("text=Printable canvass sheet")
    page.wait_for_url("**/sheet/?addresses=3")
    assert 0 < page.locator(".stop").count() <= 3
    assert page.locator(".stop").count() > 0
    assert page.locator("#print-sheet").is_visible()
