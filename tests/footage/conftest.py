"""The browser journey reuses the shared Playwright fixtures of tests/browser."""

from tests.browser.conftest import browser, page_factory  # noqa: F401
