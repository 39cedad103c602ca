"""The whole loop in a real browser: an investigator sends a request, the owner opens the
email's link and uploads a small video, the investigator downloads it and sees the verified hash."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from footage.models import EvidenceFile, FootageRequest
from tests.browser.helpers import run_task_worker, submit
from tests.footage.helpers import make_case, mp4_bytes, owners_with_email, window
from tests.staff_fixtures import make_staff, staff_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo_town(transactional_db, settings, live_server):
    from demo.town import build_town

    build_town(registrations=10, seed=3)
    settings.SITE_URL = live_server.url  # links in emails point at the server the browser talks to
    return live_server.url


def test_request_upload_download_with_verified_hash(demo_town, page_factory):
    from agencies.models import Agency

    maple = Agency.objects.get(slug="maple-falls")
    investigator = make_staff(maple, "investigator")
    owner_registration = owners_with_email(maple, 1)[0]
    case = make_case(maple, investigator, [owner_registration], number="2025-BROWSER-1")
    session = staff_client(Client(), investigator).cookies["sessionid"].value

    staff_page = page_factory()
    staff_page.context.add_cookies([{"name": "sessionid", "value": session, "url": demo_town}])
    staff_page.goto(f"{demo_town}/footage/staff/cases/{case.pk}/requests/")
    staff_page.locator("input[name=cameras]").first.check()
    start, end = window()
    staff_page.fill("input[name=window_start]", timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"))
    staff_page.fill("input[name=window_end]", timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"))
    staff_page.fill("textarea[name=message]", "A bicycle was stolen from the porch across the street.")
    submit(staff_page, "#send-requests")
    assert "Waiting for the owner" in staff_page.locator("main").inner_text()

    run_task_worker()
    [message] = mail.outbox
    assert message.to == [owner_registration.owner_email]
    link = re.search(r"https?://\S+/footage/r/\S+/", message.body).group(0)

    owner_page = page_factory()
    owner_page.goto(link)
    submit(owner_page, "#open-request")
    assert "2025-BROWSER-1" in owner_page.locator("main").inner_text()
    video = mp4_bytes(200_000)
    owner_page.set_input_files(
        "#id_files", files=[{"name": "porch camera.mp4", "mimeType": "video/mp4", "buffer": video}]
    )
    submit(owner_page, "#send-files")
    received = owner_page.locator("#upload-received").inner_text()
    expected = hashlib.sha256(video).hexdigest()
    assert "porch camera.mp4" in received and expected in received

    footage_request = FootageRequest.objects.get(case=case)
    evidence = EvidenceFile.objects.get(request=footage_request)
    staff_page.goto(f"{demo_town}/footage/staff/requests/{footage_request.pk}/")
    assert "Footage received" in staff_page.locator("#request-status").inner_text()
    with staff_page.expect_download() as download_info:
        staff_page.click(f"#download-{evidence.pk}")
    download = download_info.value
    assert download.suggested_filename == "porch camera.mp4"
    assert hashlib.sha256(open(download.path(), "rb").read()).hexdigest() == expected  # noqa: SIM115
    submit(staff_page, f"#verify-{evidence.pk}")
    verification = staff_page.locator("#verification").inner_text()
    assert "Integrity verified" in verification and expected in verification
