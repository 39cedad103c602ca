"""Scale-out (reduced: no nginx, residents pick a live app server themselves): a PostgreSQL cluster, Redis and
SeaweedFS of the drill's own, two gunicorn app servers, two task workers. During the load one app server and
one worker are killed (SIGKILL) and PostgreSQL restarts once. Proves: every acknowledged registration exists
exactly once, every footage-request email reaches the SMTP server exactly once."""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from aiosmtpd.controller import Controller

from drills.common import SHORT, Instance, Load, free_port, run_for
from drills.embedded import check_saved, resident, setup_town
from scripts.seaweedfs import ACCESS_KEY, SECRET_KEY, seaweedfs_server

RESIDENTS = 30
SECONDS = 20 if SHORT else 60
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


class PostgreSQL:
    """A throwaway cluster (initdb as the postgres user, trust on loopback), so restarting it disturbs nobody."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="drill-pg-"))
        self.port = free_port()
        shutil.chown(self.dir, "postgres")
        self.run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust")

    def run(self, tool: str, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", str(PG_BIN / tool), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603 - fixed tools

    def ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self.run("pg_ctl", "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", action)

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/registry"

    def remove(self) -> None:
        try:
            self.ctl("stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class Inbox:
    def __init__(self) -> None:
        self.links: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        text = envelope.content.decode(errors="replace").replace("=\r\n", "")
        for public_id in set(re.findall(r"/footage/r/([0-9a-f-]{36})/", text)):
            self.links[public_id] += 1
        return "250 OK"


def footage_requester(created: list[str], load: Load):
    """An investigator asking owners for footage through the real service, one request every half second."""
    from django.db import close_old_connections
    from django.utils import timezone

    from accounts.models import User
    from canvass.models import Case, CaseCamera
    from footage.services import footage_request_create
    from registrations.models import Registration

    user = User.objects.filter(username__startswith="drill.investigator").order_by("id").first()
    user.is_verified = lambda: True  # as django-otp marks a session after the TOTP check
    owners = list(
        Registration.objects.filter(agency=user.agency, cameras__isnull=False).exclude(owner_email="").distinct()
    )

    def work(stop: threading.Event) -> None:
        for number in itertools.count():
            if stop.is_set() or number >= len(owners):
                return
            close_old_connections()  # what Django does at each request (CONN_HEALTH_CHECKS)
            start = time.perf_counter()
            try:
                case = Case.objects.create(
                    agency=user.agency,
                    case_number=f"SCALE-{number}",
                    offense_type=user.agency.offense_types.first(),
                    created_by=user,
                )
                chosen = CaseCamera.objects.create(case=case, camera=owners[number].cameras.first(), chosen_by=user)
                end = timezone.now() - timedelta(hours=2)
                made = footage_request_create(
                    user=user,
                    case=case,
                    case_camera_ids=[chosen.pk],
                    window_start=end - timedelta(hours=1),
                    window_end=end,
                    message="Drill",
                )
                created.extend(str(item.public_id) for item in made)
                load.ok("footage request (service)", time.perf_counter() - start)
            except Exception as error:  # noqa: BLE001 - counted: PostgreSQL restarts under it
                load.fail("footage request (service)", type(error).__name__)
            time.sleep(0.5)

    return work


def main() -> int:
    if PG_BIN is None or shutil.which("redis-server") is None or os.geteuid() != 0:
        reason = "needs PostgreSQL's server binaries, redis-server, and root to run initdb as the postgres user"
        print(f"### Scale-out: skipped ({reason})\n")
        return 1 if os.environ.get("REQUIRE_ALL_TESTS") == "1" else 0
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    postgres = PostgreSQL()
    postgres.ctl("start")
    postgres.run("createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "registry")
    redis_port = free_port()
    redis_command = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]
    redis = subprocess.Popen(redis_command, stdout=subprocess.DEVNULL)  # noqa: S603 - fixed flags
    with seaweedfs_server({"evidence": False}) as s3:
        instance = Instance(
            "scaleout",
            DATABASE_URL=postgres.url(),
            CACHE_URL=f"redis://127.0.0.1:{redis_port}/0",
            STORAGE_URL=f"s3://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{s3['port']}/evidence?secure=false",
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        )
        try:
            return drill(instance, postgres, inbox)
        finally:
            instance.stop()
            smtp.stop()
            redis.terminate()
            postgres.remove()
            instance.remove()


def drill(instance: Instance, postgres: PostgreSQL, inbox: Inbox) -> int:
    instance.activate()
    from django.db import close_old_connections

    from notifications.models import OutboxEmail

    instance.prepare()
    addresses, _codes, _search = setup_town()
    workers = [
        instance.manage_background("run_worker", "--interval", "0.5", "--no-reload", log=f"worker{n}.log")
        for n in (1, 2)
    ]
    servers = [instance.gunicorn(log=f"app{n}.log", GUNICORN_WORKERS="2") for n in (1, 2)]
    live = [url for _process, url in servers]
    lock, pool, turn = threading.Lock(), itertools.cycle(addresses), itertools.count()

    class Addresses:
        def __next__(self) -> str:
            with lock:
                return next(pool)

    def pick() -> str:
        with lock:
            return live[next(turn) % len(live)]

    load, acknowledged, created = Load(), [], []
    threads = [resident(pick, n, Addresses(), load, acknowledged) for n in range(RESIDENTS)]
    threads.append(footage_requester(created, load))
    drive = threading.Thread(target=run_for, args=(SECONDS, threads))
    started = time.monotonic()
    drive.start()
    events = []
    time.sleep(SECONDS / 4)
    with lock:
        live.remove(servers[0][1])
    os.killpg(servers[0][0].pid, signal.SIGKILL)
    events.append(f"{time.monotonic() - started:.0f} s: app server 1 killed")
    time.sleep(SECONDS / 4)
    os.kill(workers[0].pid, signal.SIGKILL)
    events.append(f"{time.monotonic() - started:.0f} s: worker 1 killed")
    time.sleep(SECONDS / 4)
    postgres.ctl("restart")
    events.append(f"{time.monotonic() - started:.0f} s: PostgreSQL restarted")
    drive.join()
    elapsed = time.monotonic() - started
    close_old_connections()
    for n, worker in enumerate(workers, start=1):
        if worker.poll() is not None and worker.returncode != -signal.SIGKILL:
            # Restart=always in deploy/systemd/cameraregistry-worker.service does this after 2 s.
            events.append(f"worker {n} had exited (exit {worker.returncode}) and was started again, as systemd does")
            workers[n - 1] = instance.manage_background(
                "run_worker", "--interval", "0.5", "--no-reload", log=f"worker{n}.log"
            )
    instance.manage("retry_unsent_email")  # what the timer runs; the killed worker's task is queued again
    deadline = time.monotonic() + 90
    while OutboxEmail.objects.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(3)
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    missing, duplicated = check_saved(acknowledged)
    lost_email = sum(1 for public_id in created if inbox.links[public_id] == 0)
    twice_email = sum(1 for public_id in created if inbox.links[public_id] > 1)
    print(f"### Scale-out, reduced ({RESIDENTS} residents over two app servers, {SECONDS} s, PostgreSQL)\n")
    print("Timeline: " + "; ".join(events) + ".\n")
    print("\n".join(load.rows(elapsed)))
    print("\n" + ("\n".join(load.failure_lines()) or "- no failed requests"))
    print("\n| check | result |\n|---|---|")
    print(f"| registrations acknowledged / missing / saved twice | {len(acknowledged)} / {missing} / {duplicated} |")
    print(
        f"| footage-request emails queued / never sent / sent twice | {len(created)} / {lost_email} / {twice_email} |\n"
    )
    good = acknowledged and created and not (missing or duplicated or lost_email or twice_email)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
