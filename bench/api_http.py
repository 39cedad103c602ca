"""The integration API under gunicorn (issue targets: list >= 50% of a bare view; search p95 <= in-process + 15 ms;
incident intake p95 < 1 s).

`run(scale)` returns result lines (a Markdown table). For each backend a child process builds a scratch instance
(a temp DATA_DIR with SQLite, or a fresh PostgreSQL database `registry_bench_api_http` on BENCH_POSTGRES_URL),
seeds the demo town (small: 2,000 registrations, full: 10,000), creates a token with every scope through
api.services.api_token_create and times the in-process ranked search (canvass.services.run_ranked, 500 m) at
the same places the API is asked about. Then gunicorn serves `cameraregistry.wsgi:application` (2 workers x 4
threads, DEBUG off, a SECRET_KEY and encryption key made for the run, ALLOWED_HOSTS=127.0.0.1) with
DJANGO_SETTINGS_MODULE=bench.bare_settings, which only adds the bare baseline view of bench/bare_urls.py.
API_RATE_LIMIT_PER_MINUTE is raised to 100,000 for the run (the default, 120 a minute, would refuse the load).
A standard-library load generator (threads + keep-alive http.client, X-Forwarded-Proto: https as nginx sends)
measures, after a warm-up: (a) requests/s of GET /api/v1/registrations/?page_size=100 and of the bare view, with
8 concurrent clients; (b) p50/p95 of POST /api/v1/searches/ (radius 500 m) one request at a time; (c) p50/p95
of POST /api/v1/incidents/ (a new case each), one at a time. For information, in the seeding process: (b″) the same
search through canvass_search_run and the view's own answer builders, without the API around them, and (b′) the same
POST through Django's handler without HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.scratch import child_environment, fresh_postgres_database, run_child

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "registry_bench_api_http"
TOWN_SEED = 2025
RADIUS_M = 500
PLACES = 20
PAGE_SIZE = 100
CONCURRENCY = 8
TARGET_RATIO = 0.5
TARGET_SEARCH_EXTRA_MS = 15.0
TARGET_INCIDENT_P95_MS = 1000.0


def plan_for(scale: str) -> dict:
    if scale in ("quick", "small", "smoke"):
        return {"registrations": 2000, "list_requests": 300, "searches": 60, "incidents": 40}
    return {"registrations": 10000, "list_requests": 1000, "searches": 150, "incidents": 100}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---- the load generator ---------------------------------------------------------------------


class Client:
    """One keep-alive connection; request() returns (status, body, milliseconds)."""

    def __init__(self, port: int, secret: str | None):
        self.port = port
        self.headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
        if secret:
            self.headers["Authorization"] = f"Bearer {secret}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):  # the server closed a kept-alive connection: once more
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        return response.status, content, (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.connection.close()


def _throughput(port: int, secret: str | None, path: str, requests: int) -> float:
    """Requests/s of `requests` GETs of `path` from CONCURRENCY keep-alive clients (after a warm-up each)."""
    clients = [Client(port, secret) for _ in range(CONCURRENCY)]
    for client in clients:
        for _ in range(3):
            status, content, _ms = client.request("GET", path)
            if status != 200:
                raise SystemExit(f"GET {path}: HTTP {status}: {content[:300]!r}")
    remaining = [requests]
    lock = threading.Lock()
    failures = []

    def work(client: Client) -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            status, _content, _ms = client.request("GET", path)
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    if failures:
        raise SystemExit(f"GET {path}: {len(failures)} failures, e.g. HTTP {failures[0]}")
    return requests / elapsed


def _latencies(port: int, secret: str, path: str, bodies: list[dict], warm: int = 5) -> list[float]:
    """Milliseconds of each POST (one at a time, one keep-alive connection); the first `warm` are not counted."""
    client = Client(port, secret)
    timings = []
    for index, body in enumerate(bodies):
        status, content, ms = client.request("POST", path, body)
        if status not in (200, 201):
            raise SystemExit(f"POST {path}: HTTP {status}: {content[:500]!r}")
        if index >= warm:
            timings.append(ms)
    client.close()
    return timings


def _same_rows(port: int, secret: str) -> bool:
    api = json.loads(Client(port, secret).request("GET", f"/api/v1/registrations/?page_size={PAGE_SIZE}")[1])
    bare = json.loads(Client(port, None).request("GET", f"/bench-bare/registrations/?page_size={PAGE_SIZE}")[1])
    return [row["id"] for row in api["results"]] == [row["id"] for row in bare["results"]]


# ---- one backend ----------------------------------------------------------------------------


def _environment(data_dir: str, database_url: str | None) -> dict:
    return child_environment(
        data_dir,
        database_url,
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="bench.bare_settings",
        API_RATE_LIMIT_PER_MINUTE="100000",
        BEHIND_TLS_PROXY="true",
    )


def _wait_for(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _bodies(setup: dict, count: int, kind: str) -> list[dict]:
    places = setup["places"]
    bodies = []
    for index in range(count):
        latitude, longitude = places[index % len(places)]
        body = {
            "offense_type": "Burglary",
            "place": {"latitude": latitude, "longitude": longitude},
        }
        if kind == "search":
            body.update(
                case_number="2025-BENCH",
                window_start=setup["window_start"],
                window_end=setup["window_end"],
                radius_m=RADIUS_M,
            )
        else:
            body.update(case_number=f"2025-CAD-{index:05d}", occurred_at=setup["window_start"])
        bodies.append(body)
    return bodies


def _measure(plan: dict, database_url: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-api-http-") as data_dir:
        env = _environment(data_dir, database_url)
        setup = run_child("bench.api_http", [str(plan["registrations"])], env)
        if isinstance(setup, str):
            raise SystemExit(setup)
        env["BENCH_BARE_AGENCY_IDS"] = ",".join(str(agency_id) for agency_id in setup["agency_ids"])
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                "--access-logfile", os.devnull, "--max-requests", "0",
                "cameraregistry.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            _wait_for(port, server)
            secret = setup["secret"]
            list_path = f"/api/v1/registrations/?page_size={PAGE_SIZE}"
            bare_path = f"/bench-bare/registrations/?page_size={PAGE_SIZE}"
            same = _same_rows(port, secret)
            api_rps = _throughput(port, secret, list_path, plan["list_requests"])
            bare_rps = _throughput(port, None, bare_path, plan["list_requests"])
            searches = _latencies(port, secret, "/api/v1/searches/", _bodies(setup, plan["searches"], "search"))
            incidents = _latencies(port, secret, "/api/v1/incidents/", _bodies(setup, plan["incidents"], "incident"))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    return {
        "same_rows": same,
        "api_rps": api_rps,
        "bare_rps": bare_rps,
        "search_p50": _percentile(searches, 0.5),
        "search_p95": _percentile(searches, 0.95),
        "inprocess_p50": setup["inprocess_p50"],
        "inprocess_p95": setup["inprocess_p95"],
        "service_p50": setup["service_p50"],
        "service_p95": setup["service_p95"],
        "view_p50": setup["view_p50"],
        "view_p95": setup["view_p95"],
        "incident_p50": _percentile(incidents, 0.5),
        "incident_p95": _percentile(incidents, 0.95),
        "cameras": setup["cameras_p50"],
    }


def _rows(backend: str, plan: dict, cell: dict) -> list[str]:
    ratio = cell["api_rps"] / cell["bare_rps"]
    extra = cell["search_p95"] - cell["inprocess_p95"]
    town = f"{plan['registrations']:,} registrations"
    rows_note = "" if cell["same_rows"] else " (rows differ!)"
    return [
        f"| (a) registrations list, page of {PAGE_SIZE}, {CONCURRENCY} clients | {backend} | {town} | "
        f"API {cell['api_rps']:.0f} req/s vs bare {cell['bare_rps']:.0f} req/s{rows_note} | ratio {ratio:.0%} | "
        f"{'ok' if ratio >= TARGET_RATIO and cell['same_rows'] else 'BELOW TARGET'} (≥ 50%) |",
        f"| (b) POST /api/v1/searches/ {RADIUS_M} m (~{cell['cameras']} cameras), one at a time | {backend} | {town} | "
        f"API p50 {cell['search_p50']:.0f} ms, p95 {cell['search_p95']:.0f} ms; in-process run_ranked "
        f"p50 {cell['inprocess_p50']:.1f} ms, p95 {cell['inprocess_p95']:.1f} ms | +{extra:.0f} ms | "
        f"{'ok' if extra <= TARGET_SEARCH_EXTRA_MS else 'ABOVE TARGET'} (≤ +15 ms) |",
        f"| (b″) the same search in-process without the API (canvass_search_run + the first page as the view "
        f"words it; no token, DRF, API audit entry, JSON or HTTP) | {backend} | {town} | "
        f"p50 {cell['service_p50']:.0f} ms, p95 {cell['service_p95']:.0f} ms | "
        f"API +{cell['search_p95'] - cell['service_p95']:.0f} ms at p95 | (information) |",
        f"| (b′) the same POST through the view in-process (token, DRF, save, audit, whole answer; no HTTP) | "
        f"{backend} | {town} | p50 {cell['view_p50']:.0f} ms, p95 {cell['view_p95']:.0f} ms | "
        f"HTTP + server +{cell['search_p95'] - cell['view_p95']:.0f} ms at p95 | (information) |",
        f"| (c) POST /api/v1/incidents/, one at a time | {backend} | {town} | "
        f"p50 {cell['incident_p50']:.0f} ms, p95 {cell['incident_p95']:.0f} ms | | "
        f"{'ok' if cell['incident_p95'] < TARGET_INCIDENT_P95_MS else 'ABOVE TARGET'} (< 1 s) |",
    ]


def run(scale: str) -> list[str]:
    plan = plan_for(scale)
    backends = [b for b in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
    lines = [
        "| API under gunicorn (2 workers × 4 threads) | backend | demo town | figures | margin | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for backend in backends:
        url = None
        if backend == "postgresql":
            url = fresh_postgres_database(PG_DATABASE, "bench.api_http")
            if url is None:
                lines.append("| API | postgresql | | | | skipped (no server) |")
                continue
        started = time.perf_counter()
        try:
            cell = _measure(plan, url)
        except SystemExit as error:
            lines.append(f"| API | {backend} | | | | failed: {error} |")
            continue
        print(f"bench.api_http: {backend} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        lines.extend(_rows(backend, plan, cell))
    return lines


# ---- the child process: seed, token, in-process ranked search -------------------------------


def _child(registrations: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from datetime import UTC, timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from accounts.access import Permission, agencies_visible_to
    from agencies.models import Agency
    from api.scopes import SCOPES, permissions_for
    from api.services import api_token_create
    from canvass import ranking
    from canvass.services import run_ranked
    from demo.town import build_town
    from registrations.models import Registration, Status
    from tests.staff_fixtures import make_staff

    call_command("migrate", verbosity=0)
    build_town(registrations=registrations, seed=TOWN_SEED, stdout=open(os.devnull, "w"))  # noqa: SIM115
    maple = Agency.objects.get(slug="maple-falls")
    token, secret = api_token_create(
        actor=make_staff(maple, "administrator"),
        name="bench",
        scopes=sorted(SCOPES),
        expires_at=timezone.now() + timedelta(days=1),
        allowed_addresses=[],
    )
    points = list(
        Registration.objects.filter(agency=maple, status=Status.ACTIVE, cameras__isnull=False)
        .order_by()
        .values_list("latitude", "longitude")
        .distinct()
    )
    places = random.Random(TOWN_SEED).sample(sorted(points), PLACES)
    # The integration account as api.authentication hands it to the views: its token's scopes, nothing more.
    account = token.account
    account.api_permissions = permissions_for(token.scopes)
    end = timezone.now().astimezone(UTC).replace(microsecond=0) - timedelta(hours=2)
    start = end - timedelta(hours=3)
    timings, cameras = [], []
    for round_ in range(4):  # the first round warms caches and is not counted
        for latitude, longitude in places:
            area = ranking.SearchArea(kind=ranking.RADIUS, place=(latitude, longitude), radius_m=float(RADIUS_M))
            started = time.perf_counter()
            result = run_ranked(account, area, start)
            if round_:
                timings.append((time.perf_counter() - started) * 1000)
                cameras.append(len(result.ranked))
    service_timings = _inprocess_service(account, places, start, end)
    view_timings = _inprocess_view(secret, places, start, end)
    print(
        json.dumps(
            {
                "service_p50": _percentile(service_timings, 0.5),
                "service_p95": _percentile(service_timings, 0.95),
                "view_p50": _percentile(view_timings, 0.5),
                "view_p95": _percentile(view_timings, 0.95),
                "secret": secret,
                "agency_ids": sorted(agencies_visible_to(account, Permission.VIEW_REGISTRATIONS)),
                "places": places,
                "window_start": start.isoformat(),
                "window_end": end.isoformat(),
                "inprocess_p50": _percentile(timings, 0.5),
                "inprocess_p95": _percentile(timings, 0.95),
                "cameras_p50": int(_percentile(cameras, 0.5)),
            }
        )
    )


def _inprocess_service(account, places: list, start, end) -> list[float]:
    """The search the API runs, in-process without the API: canvass_search_run (checks, case, ranking, saving,
    audit) and the first page of the answer as the view words it (details, rows, reasons, notes, output builders),
    without token, DRF, the API's own audit entry, JSON or HTTP."""
    from django.db import transaction

    from api.canvass_serializers import search_output
    from api.canvass_views import search_answer
    from api.case_selectors import offense_type_reference
    from cameraregistry.gc_pause import cyclic_gc_paused
    from canvass import services

    timings = []
    for index in range(PLACES * 3):
        latitude, longitude = places[index % len(places)]
        started = time.perf_counter()
        with cyclic_gc_paused():
            with transaction.atomic():
                result = services.canvass_search_run(
                    user=account,
                    case_number="2025-BENCH-SERVICE",
                    offense_type_id=offense_type_reference(account, "Burglary"),
                    place=services.Place(latitude, longitude),
                    window=(start, end),
                    area=services.AreaRequest(radius_m=RADIUS_M),
                )
            search_output(search_answer(account, result, 1))
        if index >= 5:  # the first few warm caches
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _inprocess_view(secret: str, places: list, start, end) -> list[float]:
    """The same POST /api/v1/searches/ through Django's handler in this process (token, DRF, saving, audit and
    the whole answer, without HTTP or gunicorn): how much of the API's time is the answer itself."""
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_X_FORWARDED_PROTO="https")
    setup = {"places": places, "window_start": start.isoformat(), "window_end": end.isoformat()}
    bodies = _bodies(setup, PLACES * 3, "search")
    timings = []
    for index, body in enumerate(bodies):
        started = time.perf_counter()
        response = client.post("/api/v1/searches/", body, content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"in-process search answered {response.status_code}: {response.content[:300]!r}")
        if index >= 5:  # the first few warm caches
            timings.append((time.perf_counter() - started) * 1000)
    return timings


if __name__ == "__main__":
    _child(int(sys.argv[1]))
