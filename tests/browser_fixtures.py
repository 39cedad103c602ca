"""Playwright fixtures for browser tests: one Chromium per test session, a fresh context per page.

Use `page_factory(viewport=..., javascript=..., language=...)` for a page with its own cookies,
or `page` for a plain desktop page. Tests using them should be marked `@pytest.mark.browser`
and request `live_server` (which needs `transactional_db`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API keeps an event loop in the test thread; Django would then refuse the
# test's own ORM calls as "async unsafe" although they never run concurrently with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests"
        print(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_factory(browser) -> Iterator[Callable]:
    """Open pages in isolated browser contexts (own cookies); all are closed after the test."""
    contexts = []

    def open_page(*, viewport: dict | None = None, javascript: bool = True, language: str = "en-US"):
        context = browser.new_context(
            viewport=viewport or DESKTOP, java_script_enabled=javascript, locale=language, service_workers="block"
        )
        # Nothing may come from the internet: map tiles fail fast instead of waiting for a timeout.
        context.route(lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), lambda r: r.abort())
        # The browser fetches /favicon.ico on its own, racing the test's database reads on the live server's
        # shared in-memory SQLite connection; the site has no favicon, so answer it here.
        context.route("**/favicon.ico", lambda r: r.fulfill(status=404, body=""))
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_factory):
    return page_factory()
