"""Suite-wide rules.

In CI (REQUIRE_ALL_TESTS=1) a skipped test fails the run. Tests about one database's own
behaviour carry the marker `postgresql` or `sqlite` and are deselected (not skipped) when the
suite runs on the other database; CI runs the suite on both, so each runs somewhere.
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    kept, deselected = [], []
    for item in items:
        backends = {marker.name for marker in item.iter_markers()} & {"postgresql", "sqlite"}
        (deselected if backends and connection.vendor not in backends else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
