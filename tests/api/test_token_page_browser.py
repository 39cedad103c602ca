"""An administrator creates a token in a real browser, copies the secret once, and the page is accessible."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken
from tests.browser.helpers import assert_accessible, collect_errors, sign_in_staff, submit
from tests.staff_fixtures import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_an_administrator_creates_a_token_and_sees_the_secret_once(live_server, page):
    from demo.town import build_town

    build_town(registrations=10, seed=3)
    from agencies.models import Agency

    admin = make_staff(Agency.objects.get(slug="maple-falls"), "administrator")
    errors = collect_errors(page)
    sign_in_staff(page, live_server.url, admin)
    page.goto(f"{live_server.url}/staff/")
    submit(page, "nav.staff-nav >> text=API tokens")
    assert page.url.endswith("/staff/api-tokens/")
    assert_accessible(page)
    page.fill("#id_name", "County GIS")
    page.check("input[value='registrations:read']")
    page.fill("#id_expires_on", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.fill("#id_allowed_addresses", "not an address")
    submit(page, "button:has-text('Create token')")
    assert "is not an IP address" in page.inner_text(".error-summary")
    page.fill("#id_allowed_addresses", "127.0.0.1")
    submit(page, "button:has-text('Create token')")
    secret = page.inner_text("#token-secret").strip()
    assert secret.startswith("ccr_") and ApiToken.objects.get().name == "County GIS"
    assert_accessible(page)
    submit(page, "text=Back to API tokens")
    assert secret not in page.content() and "County GIS" in page.content()
    submit(page, "button:has-text('Revoke')")
    assert "revoked" in page.inner_text(".messages")
    assert ApiToken.objects.get().revoked_at is not None
    assert not [e for e in errors if e.startswith("uncaught")], errors
