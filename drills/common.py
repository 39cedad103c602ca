"""What every drill shares: a throwaway instance (DATA_DIR in a temp folder), gunicorn with the shipped
settings, `manage.py` commands against it, and the load loop with its per-kind figures.

A drill runs in its own process (`python -m drills.<name>`): the instance's environment is set before
Django starts, so the drill reads the instance's database through the real models afterwards.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SHORT = os.environ.get("DRILL_SCALE", "").strip().lower() == "short"
HIDDEN = re.compile(r"<input[^>]*>", re.I)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instance:
    """One registry on loopback: its own DATA_DIR, SQLite unless a DATABASE_URL is given."""

    def __init__(self, name: str, **extra: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"drill-{name}-"))
        self.env = {
            **os.environ,
            "DATA_DIR": str(self.dir),
            "SECRET_KEY": f"drill-{name}-secret-key-not-for-production-use-0123456789",
            # DEBUG and DEMO_MODE: plain http on loopback (production cookies are Secure-only) and demo data.
            "DEBUG": "true",
            "DEMO_MODE": "true",
            # Raised for the drill: every resident posts from 127.0.0.1, like one library's Wi-Fi.
            "REGISTRATION_POST_LIMIT_PER_HOUR": "100000",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
        self.servers: list[subprocess.Popen] = []
        atexit.register(self.stop)  # a drill that fails half-way leaves no server behind

    def activate(self) -> None:
        """Point this process's Django at the instance (call once, before django.setup())."""
        for key in ("DATA_DIR", "SECRET_KEY", "DEBUG", "DEMO_MODE", "REGISTRATION_POST_LIMIT_PER_HOUR"):
            os.environ[key] = self.env[key]
        for key in ("DATABASE_URL", "STORAGE_URL", "EMAIL_URL", "CACHE_URL", "REDIS_URL"):
            if key in self.env:
                os.environ[key] = self.env[key]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cameraregistry.settings")
        import django

        django.setup()

    def manage(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def manage_background(self, *args: str, log: str) -> subprocess.Popen:
        out = open(self.dir / log, "ab")  # noqa: SIM115 - closed with the process
        command = [PYTHON, "manage.py", *args]
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=out)  # noqa: S603 - manage.py

    def prepare(self, registrations: int = 200) -> None:
        self.manage("migrate", "--noinput")
        self.manage("seed_demo", "--registrations", str(registrations), "--if-empty")

    def gunicorn(self, log: str = "gunicorn.log", **env: str) -> tuple[subprocess.Popen, str]:
        port = free_port()
        out = open(self.dir / log, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
            cwd=ROOT,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}", **env},
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        self.servers.append(process)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, process)
        except RuntimeError:
            self.stop()  # never leave a server behind
            raise
        return process, url

    def log_text(self, log: str = "gunicorn.log") -> str:
        path = self.dir / log
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in self.servers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def remove(self) -> None:
        if not os.environ.get("DRILL_KEEP"):  # DRILL_KEEP=1 keeps the instance folders and logs to look at
            shutil.rmtree(self.dir, ignore_errors=True)


def wait_ready(url: str, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {process.returncode}")
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url}/healthz did not answer 200 within {seconds} s")


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (CSRF token, form nonce, terms version, …)."""
    fields = {}
    for tag in HIDDEN.findall(html):
        attrs = dict(ATTR.findall(tag))
        if attrs.get("type", "").lower() == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


class Load:
    """Requests per kind: latencies of the successes, failures counted by kind and reason."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.failures: Counter = Counter()

    def ok(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds)

    def fail(self, kind: str, reason: str) -> None:
        with self.lock:
            self.failures[(kind, reason)] += 1

    def timed(self, kind: str, call, *args, accept=lambda r: r.status_code < 400, **kwargs):
        """Call `call(*args, **kwargs)` (a requests method), timing it as `kind`; the response or None."""
        start = time.perf_counter()
        try:
            response = call(*args, timeout=60, **kwargs)
        except requests.RequestException as error:
            self.fail(kind, type(error).__name__)
            return None
        if accept(response):
            self.ok(kind, time.perf_counter() - start)
            return response
        self.fail(kind, f"HTTP {response.status_code}")
        return None

    def rows(self, seconds: float) -> list[str]:
        lines = ["| kind | ok | failed | per s | p50 ms | p95 ms |", "|---|---:|---:|---:|---:|---:|"]
        for kind in sorted(set(self.latency) | {k for k, _ in self.failures}):
            values = sorted(self.latency.get(kind, []))
            failed = sum(n for (k, _), n in self.failures.items() if k == kind)
            p50 = statistics.median(values) * 1000 if values else 0
            p95 = values[min(len(values) - 1, int(len(values) * 0.95))] * 1000 if values else 0
            lines.append(f"| {kind} | {len(values)} | {failed} | {len(values) / seconds:.1f} | {p50:.0f} | {p95:.0f} |")
        return lines

    def failure_lines(self) -> list[str]:
        return [f"- {kind}: {reason} × {n}" for (kind, reason), n in sorted(self.failures.items())]


def run_for(seconds: float, workers: list) -> None:
    """Run each callable `worker(stop_event)` in its own thread until `seconds` pass."""
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(stop,), daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(120)


def run_drill_module(name: str) -> tuple[int, str]:
    """Run one drill in its own process; returns its exit code and its printed Markdown."""
    command = [PYTHON, "-m", f"drills.{name}"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)  # noqa: S603 - our own module
    return result.returncode, result.stdout + (f"\n```\n{result.stderr[-3000:]}\n```\n" if result.returncode else "")
