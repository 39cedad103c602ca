"""The investigator's footage pages are staff pages: staff navigation and footer, no language switch,
a way back to the case, and a request form that starts from the case's search window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from canvass.models import CanvassSearch
from tests.footage.helpers import make_case, make_request, owners_with_email
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

PUBLIC_FOOTER = "Police never get access to your cameras"


@pytest.fixture
def investigator(town):
    return make_staff(town["maple"], "investigator")


@pytest.fixture
def case(town, investigator):
    return make_case(town["maple"], investigator, owners_with_email(town["maple"], 2), number="2025-STAFF-7")


def staff_pages(case, investigator):
    footage_request = make_request(case.agency, case.chosen_cameras.first().camera.registration, investigator, case)
    return [f"/footage/staff/cases/{case.pk}/requests/", f"/footage/staff/requests/{footage_request.pk}/"]


def assert_staff_layout(html: str, case) -> None:
    assert 'class="staff-nav"' in html and "Staff home" in html and "Sign out" in html
    assert "Español" not in html and 'name="language"' not in html
    assert PUBLIC_FOOTER not in html and "Restricted system. Use is monitored and recorded." in html
    assert 'href="/static/accounts/staff.css"' in html or "accounts/staff" in html
    assert f'<a href="/staff/canvass/cases/{case.pk}/" id="back-to-case">Case {case.case_number}</a>' in html


def test_the_footage_pages_render_the_staff_layout_with_a_link_back_to_the_case(client, investigator, case):
    urls = staff_pages(case, investigator)
    staff_client(client, investigator)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_staff_layout(response.content.decode(), case)
        assert "staff/base.html" in [t.name for t in response.templates], url


def test_staff_footage_pages_write_times_as_the_canvass_pages_do(client, investigator, case):
    """2026-12-07 17:55, never "12/07/2026 5:55 p.m." (which a Spanish-speaking officer reads as 12 July)."""
    import re

    urls = staff_pages(case, investigator)
    staff_client(client, investigator)
    for url in urls:
        text = re.sub(r"<[^>]+>", " ", client.get(url).content.decode())
        assert not re.search(r"\d{2}/\d{2}/\d{4}|\b[ap]\.m\.", text), url
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text), url


def test_a_refused_request_form_keeps_the_staff_layout(client, investigator, case):
    staff_client(client, investigator)
    response = client.post(f"/footage/staff/cases/{case.pk}/requests/", {"cameras": [], "window_start": "soon"})
    assert response.status_code == 400
    html = response.content.decode()
    assert_staff_layout(html, case)
    assert "Pick at least one camera." in html


def test_the_request_form_window_is_prefilled_from_the_case_search(client, investigator, case):
    local = timezone.get_current_timezone()
    start = timezone.now().astimezone(local).replace(second=0, microsecond=0) - timedelta(hours=30)
    older = start - timedelta(days=1)
    for created, begins in ((timezone.now() - timedelta(hours=2), older), (timezone.now(), start)):
        CanvassSearch.objects.create(
            case=case,
            created_by=investigator,
            created_at=created,
            latitude=0.0,
            longitude=0.0,
            window_start=begins,
            window_end=begins + timedelta(hours=3),
            radius_m=150,
        )
    staff_client(client, investigator)
    html = client.get(f"/footage/staff/cases/{case.pk}/requests/").content.decode()
    # The latest search's window, in local time, in the datetime-local format the browser shows.
    assert f'name="window_start" value="{start:%Y-%m-%dT%H:%M}"' in html
    assert f'name="window_end" value="{start + timedelta(hours=3):%Y-%m-%dT%H:%M}"' in html


def test_without_a_search_the_window_is_left_empty(client, investigator, case):
    staff_client(client, investigator)
    html = client.get(f"/footage/staff/cases/{case.pk}/requests/").content.decode()
    assert 'name="window_start"' in html
    assert 'name="window_start" value=' not in html


def test_outsiders_get_404_or_the_sign_in(client, town, investigator, case):
    urls = staff_pages(case, investigator)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/staff/" in response["Location"], url
    staff_client(client, make_staff(town["cedar"], "investigator"))
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("value", ["<script>", "2025-13-45T99:99", "9" * 400, "\x00", "' OR 1=1 --"])
def test_hostile_window_values_get_a_message_not_a_500(client, investigator, case, value):
    staff_client(client, investigator)
    response = client.post(
        f"/footage/staff/cases/{case.pk}/requests/",
        {"cameras": [str(case.chosen_cameras.first().pk)], "window_start": value, "window_end": value},
    )
    assert response.status_code == 400
    assert "Enter a date and time" in response.content.decode()
    assert not case.footage_requests.exists()
