"""`make drill` runs in CI after the tests; this only makes sure the drills package imports cleanly.
(drills/locustfile.py is left out: importing locust monkey-patches the test process with gevent.)"""

import importlib

import pytest


@pytest.mark.parametrize(
    "name",
    [
        "drills",
        "drills.common",
        "drills.__main__",
        "drills.embedded",
        "drills.crash",
        "drills.crash_upload",
        "drills.restore",
        "drills.nginx",
        "drills.pages",
        "drills.scaleout",
        "drills.scaleout_checks",
    ],
)
def test_drill_modules_import(name):
    assert importlib.import_module(name) is not None
