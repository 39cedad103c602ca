"""Shared steps for browser tests: picking addresses in the demo town, keyboard moves, axe checks."""

from __future__ import annotations

from django.core.management import call_command

from agencies.models import Agency
from agencies.selectors import agency_for_point
from registrations.models import AddressPoint

SERIOUS = {"serious", "critical"}


def address_served_by(slug: str) -> AddressPoint:
    """The first address point of the demo town that the agency with this slug serves."""
    agency = Agency.objects.get(slug=slug)
    for point in AddressPoint.objects.order_by("id").iterator():
        found = agency_for_point(point.latitude, point.longitude)
        if found is not None and found.pk == agency.pk:
            return point
    raise AssertionError(f"the demo town has no address served by {slug}")


def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches the selector, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations on the current page, one readable line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def assert_accessible(page) -> None:
    found = axe_violations(page)
    assert not found, f"{page.url}:\n" + "\n".join(found)


def submit(page, target) -> None:
    """Press what sends the page's form, or follow a link, and wait until the answering page has loaded.

    Playwright's click returns once the click is done, not when the next page has arrived: a read right after it can
    see the old page, or the new one half parsed (CI once counted 0 cameras on a page that had 2).
    `target` is a selector or a locator.
    """
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()


def run_task_worker() -> None:
    """Run the queued background tasks (the confirmation email) once, in this process."""
    call_command("run_worker", "--batch", "--no-startup-delay")


def open_owner_session(page, base: str, registration) -> None:
    """Sign the browser in as the registration's owner, as the email's private link does."""
    from registrations.tokens import owner_link_issue

    page.goto(f"{base}/manage/link/{owner_link_issue(registration=registration)}/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/manage/")


def open_footage_request(page, base: str, footage_request) -> None:
    """Open a footage request's answer page through its private link, as the owner's email does."""
    from footage.tokens import request_link_issue

    page.goto(f"{base}/footage/r/{footage_request.public_id}/{request_link_issue(footage_request=footage_request)}/")
    page.click("#open-request")
    page.wait_for_url(f"{base}/footage/answer/{footage_request.public_id}/")


def sign_in_staff(page, base: str, user) -> None:
    """Give the browser the session of `user` signed in and MFA-verified (the sign-in flow has its own tests)."""
    from django.conf import settings
    from django.test import Client

    from tests.staff_fixtures import staff_client

    session = staff_client(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])


def collect_errors(page) -> list[str]:
    """Uncaught script errors and console errors of the page, as they happen."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    return errors
