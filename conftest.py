"""Suite-wide rules.

In CI (REQUIRE_ALL_TESTS=1) a skipped test fails the run. Tests about one database's own
behaviour carry the marker `postgresql` or `sqlite` and are deselected (not skipped) when the
suite runs on the other database; CI runs the suite on both, so each runs somewhere.

A browser test is also a slow one: `make quick` leaves out the tests marked slow (the loop while
coding); `make test` and CI run every test.
"""

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not os.environ.get("REQUIRE_ALL_TESTS"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"REQUIRE_ALL_TESTS is set and {len(skipped)} test(s) skipped: failing the run.", red=True)
        for report in skipped:
            reporter.write_line(f"  skipped: {report.nodeid}: {report.longrepr[-1] if report.longrepr else ''}")
        session.exitstatus = 1


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` is applied
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)

    kept, deselected = [], []
    for item in items:
        backends = {marker.name for marker in item.iter_markers()} & {"postgresql", "sqlite"}
        (deselected if backends and connection.vendor not in backends else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ARG001
    if "not slow" in (config.getoption("markexpr") or ""):
        terminalreporter.write_line(
            "Left out the tests marked slow (browser walks, live servers, the API contract test, backups): "
            "`make test` runs every test, as CI does."
        )
