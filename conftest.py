"""Suite-wide rules.

In CI (REQUIRE_ALL_TESTS=1) a skipped test fails the run. Tests about one database's own
behaviour carry the marker `postgresql` or `sqlite` and are deselected (not skipped) when the
suite runs on the other database; CI runs the suite on both, so each runs somewhere.

A browser test is also a slow one: `make quick` leaves out the tests marked slow (the loop while
coding); `make test` and CI run every test. So is a test that took longer than the limit in the last
`make durations` (tests/quick_durations.json, measured on the project's 2-core machine): the quick loop
keeps the tests that answer in milliseconds, and stays a loop of seconds as the suite grows.
"""

import json
import os
from pathlib import Path

import pytest

DURATIONS_FILE = Path(__file__).resolve().parent / "tests" / "quick_durations.json"
# Setup, call and teardown together, in seconds: above this a test is left out of `make quick`.
QUICK_LIMIT_S = 0.04
_durations: dict[str, float] = {}


def _recorded_slow() -> set[str]:
    if os.environ.get("RECORD_TEST_DURATIONS"):
        return set()  # recording: every test not marked slow by hand runs, and is timed
    try:
        recorded = json.loads(DURATIONS_FILE.read_text())
    except FileNotFoundError:
        return set()
    return {nodeid for nodeid, seconds in recorded["tests"].items() if seconds > recorded["limit_s"]}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get("RECORD_TEST_DURATIONS"):
        _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def _write_durations(config: pytest.Config) -> None:
    if not os.environ.get("RECORD_TEST_DURATIONS") or hasattr(config, "workerinput"):
        return  # under xdist the controller, which sees every worker's reports, writes the file
    slow = {nodeid: round(seconds, 3) for nodeid, seconds in sorted(_durations.items()) if seconds > QUICK_LIMIT_S}
    body = {"limit_s": QUICK_LIMIT_S, "timed": len(_durations), "tests": slow}
    DURATIONS_FILE.write_text(json.dumps(body, indent=1) + "\n")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _write_durations(session.config)
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

    recorded_slow = _recorded_slow()
    for item in items:
        if item.get_closest_marker("slow"):
            continue
        if item.get_closest_marker("browser") or item.nodeid in recorded_slow:
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
            "Left out the tests marked slow (browser walks, live servers, the API contract test, backups) and "
            f"those over {QUICK_LIMIT_S * 1000:.0f} ms in tests/quick_durations.json (`make durations` times them "
            "again): `make test` runs every test, as CI does."
        )
