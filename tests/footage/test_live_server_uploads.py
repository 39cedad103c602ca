"""Uploads against a real server process (manage.py runserver on a free loopback port, own DATA_DIR):
peak memory during a 1 GB upload, parallel uploads, and a client that hangs up half-way."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.footage.helpers import mp4_bytes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    """A port nobody listens on now, so parallel test workers and other checkouts never collide."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("FOOTAGE_TEST_PORT") or _free_port())
SETUP = """
from django.utils import timezone
from datetime import timedelta
from demo.town import build_town
from agencies.models import Agency
from registrations.models import Registration
from canvass.models import Case, CaseCamera
from footage.models import FootageRequest
from footage.tokens import request_link_issue
from accounts.models import User
import json
build_town(registrations=20, seed=3)
agency = Agency.objects.get(slug="maple-falls")
user = User.objects.create_user(username="detective", password="not-used-here-1234", agency=agency, role="investigator")
registration = Registration.objects.filter(agency=agency).exclude(owner_email="").first()
case = Case.objects.create(agency=agency, case_number="LIVE-1", offense_type=agency.offense_types.first(), created_by=user)
chosen = CaseCamera.objects.create(case=case, camera=registration.cameras.first(), chosen_by=user)
now = timezone.now()
links = []
for _ in range(10):
    request = FootageRequest.objects.create(case=case, agency=agency, registration=registration, case_camera=chosen,
        created_by=user, window_start=now - timedelta(hours=3), window_end=now - timedelta(hours=2),
        expires_at=now + timedelta(days=14))
    links.append([str(request.public_id), request_link_issue(footage_request=request)])
print("LINKS=" + json.dumps(links))
"""
COUNT = "from footage.models import EvidenceFile; print('COUNT=%d' % EvidenceFile.objects.count())"


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=True
    )
    return result.stdout


def wait_for_port(port: int) -> None:
    for _ in range(300):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the server did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("footage-live")
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DEBUG": "true",
        "DATABASE_URL": "",
        "EMAIL_URL": "console:",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage(env, "migrate", "--noinput", "-v", "0")
    links = json.loads(re.search(r"LINKS=(.*)", manage(env, "shell", "-c", SETUP)).group(1))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(PORT)
        yield {"process": process, "links": links, "env": env, "data_dir": data_dir}
    finally:
        process.terminate()
        process.wait(timeout=30)


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def open_session(public_id: str, value: str) -> tuple[str, str]:
    """GET the confirm page, POST it: returns (cookie header, csrf token) of an owner's session."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    connection.request("GET", f"/footage/r/{public_id}/{value}/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    connection.request(
        "POST",
        f"/footage/r/{public_id}/{value}/",
        body=f"csrfmiddlewaretoken={token}",
        headers={
            "Cookie": f"csrftoken={csrf_cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{PORT}/",
        },
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie")).group(1)
    connection.close()
    return f"csrftoken={csrf_cookie}; sessionid={session}", token


def send_upload(
    public_id: str, cookie: str, token: str, name: str, size: int, cut_at: int | None = None
) -> tuple[int, str]:
    """Stream a multipart body with one MP4 file of `size` bytes; optionally hang up after `cut_at` bytes."""
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    first = mp4_bytes(1024 * 1024 - 40)
    filler = bytes(range(256)) * 4096  # 1 MiB
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    connection.putrequest("POST", f"/footage/answer/{public_id}/upload/")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.putheader("Cookie", cookie)
    connection.putheader("Referer", f"http://127.0.0.1:{PORT}/")
    connection.endheaders()
    sent = 0

    def send(chunk: bytes) -> bool:
        nonlocal sent
        if cut_at is not None and sent + len(chunk) > cut_at:
            connection.send(chunk[: cut_at - sent])
            connection.sock.shutdown(socket.SHUT_RDWR)
            connection.close()
            return False
        connection.send(chunk)
        sent += len(chunk)
        return True

    if not send(head):
        return 0, ""
    remaining = size
    chunk = first[:remaining]
    while remaining > 0:
        if not send(chunk):
            return 0, ""
        remaining -= len(chunk)
        chunk = filler[:remaining]
    send(tail)
    response = connection.getresponse()
    return response.status, response.read().decode()


def evidence_count(server) -> int:
    return int(re.search(r"COUNT=(\d+)", manage(server["env"], "shell", "-c", COUNT)).group(1))


def test_peak_server_memory_during_a_1_gb_upload(server):
    public_id, value = server["links"][0]
    cookie, token = open_session(public_id, value)
    before = peak_rss_mb(server["process"].pid)
    status, page = send_upload(public_id, cookie, token, "one-gigabyte.mp4", 1024 * 1024 * 1024)
    peak = peak_rss_mb(server["process"].pid)
    print(f"\nserver peak RSS (VmHWM): {before:.1f} MB before, {peak:.1f} MB after a 1 GiB upload")
    assert status == 200, page[:2000]
    assert "one-gigabyte.mp4" in page and "1.0\xa0GB" in page
    assert peak <= 150


def test_parallel_uploads_are_all_recorded(server):
    before = evidence_count(server)
    sessions = [(public_id, *open_session(public_id, value)) for public_id, value in server["links"][1:9]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(
                lambda item: send_upload(item[0], item[1], item[2], f"clip-{item[0][:8]}.mp4", 3 * 1024 * 1024),
                sessions,
            )
        )
    assert [status for status, _page in results] == [200] * 8, [page[:500] for _s, page in results]
    assert evidence_count(server) == before + 8


def test_a_client_that_hangs_up_half_way_leaves_no_record_and_no_file(server):
    public_id, value = server["links"][9]
    cookie, token = open_session(public_id, value)
    before = evidence_count(server)
    send_upload(public_id, cookie, token, "dropped.mp4", 20 * 1024 * 1024, cut_at=10 * 1024 * 1024)
    incoming = Path(server["data_dir"]) / "uploads" / "evidence" / ".incoming"
    for _ in range(100):  # the server notices the hang-up on its next read
        if not any(incoming.glob("*")):
            break
        time.sleep(0.1)
    assert evidence_count(server) == before
    assert list(incoming.glob("*")) == []
    stored = [p for p in (Path(server["data_dir"]) / "uploads" / "evidence").rglob("*.bin")]
    assert len(stored) == evidence_count(server)
