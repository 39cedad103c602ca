"""Scale-out: a PostgreSQL cluster, Redis and SeaweedFS of the drill's own, nginx (configured from
deploy/nginx/) in front of two gunicorn app servers, two task workers, and locust (drills/locustfile.py)
sending residents, owners, investigators and uploading owners through nginx. During the load one app server
and one worker are killed (SIGKILL) and PostgreSQL restarts once. The checks afterwards are in
drills/scaleout_checks.py."""

from __future__ import annotations

import email
import email.policy
import importlib.util
import io
import json
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiosmtpd.controller import Controller

from drills.common import PYTHON, ROOT, SHORT, Instance, free_port
from drills.embedded import PASSWORD, setup_town
from drills.nginx import NGINX, Nginx
from drills.pages import mailbox
from scripts.seaweedfs import ACCESS_KEY, SECRET_KEY, seaweedfs_server

SECONDS = 20 if SHORT else 60
# Locust runs this much longer: the kills begin once the investigators have signed in (or this has passed).
WARMUP_S = 10
USERS = {"resident": 10 if SHORT else 14, "owner": 4, "investigator": 3, "uploader": 3}
UPLOAD_BYTES = 3 << 20
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
# The task worker as systemd starts it (deploy/systemd/cameraregistry-worker.service): one place to change it.
WORKER_COMMAND = ["run_worker", "--interval", "0.5", "--no-reload"]


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
    """The SMTP server's side: counts footage-request links, drops each message's text where locust reads it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.links: Counter = Counter()
        self.count = 0
        for name in ("footage-links", "footage-claimed"):
            (folder / name).mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
        text = "\n".join(parts)
        self.count += 1
        for recipient in envelope.rcpt_tos:
            folder = mailbox(self.folder, recipient)
            folder.mkdir(exist_ok=True)
            (folder / f"{self.count:06d}.txt").write_text(text)
        for link in set(re.findall(r"/footage/r/[0-9a-f-]{36}/[^/\s\"'<>]+/", text)):
            public_id = link.split("/")[3]
            self.links[public_id] += 1
            spool = self.folder / "footage-links" / f"{public_id}.txt"
            if self.links[public_id] == 1:
                spool.write_text(link)
        return "250 OK"


def missing_tools() -> str | None:
    if PG_BIN is None or shutil.which("redis-server") is None or os.geteuid() != 0:
        return "needs PostgreSQL's server binaries, redis-server, and root to run initdb as the postgres user"
    if not Path(NGINX).exists():
        return "needs nginx (Debian's nginx-light)"
    if importlib.util.find_spec("locust") is None:  # never imported here: it monkey-patches the process (gevent)
        return "needs locust (requirements-dev.txt)"
    return None


BEGUN = [time.monotonic()]


def main() -> int:
    BEGUN[0] = time.monotonic()
    reason = missing_tools()
    if reason:
        print(f"### Scale-out: skipped ({reason})\n")
        return 1 if os.environ.get("REQUIRE_ALL_TESTS") == "1" else 0
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mail = Path(tempfile.mkdtemp(prefix="drill-mail-"))
    inbox = Inbox(mail)
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
            # nginx overwrites X-Forwarded-For with the visitor's address: the app takes the address from it.
            BEHIND_TLS_PROXY="true",
        )
        nginx = None
        try:
            nginx = Nginx(instance.dir / "static")  # its port first: the app's links name it (SITE_URL)
            instance.env["SITE_URL"] = nginx.url
            return drill(instance, nginx, postgres, inbox, s3["client"])
        finally:
            if nginx is not None:
                nginx.remove()
            instance.stop()
            smtp.stop()
            redis.terminate()
            postgres.remove()
            instance.remove()
            if not os.environ.get("DRILL_KEEP"):
                shutil.rmtree(mail, ignore_errors=True)


def start_worker(instance: Instance, number: int) -> subprocess.Popen:
    return instance.manage_background(*WORKER_COMMAND, log=f"worker{number}.log")


class Supervisor:
    """What systemd does for the worker unit (Restart=always, RestartSec=2): a worker that exits, however,
    is started again 2 s later. The app server the drill kills stays down: nginx must carry the load."""

    RESTART_S = 2.0

    def __init__(self, instance: Instance, started: float) -> None:
        self.instance, self.started = instance, started
        self.workers = [start_worker(instance, n) for n in (1, 2)]
        self.notes: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def watch(self) -> None:
        while not self.stop.wait(0.5):
            for index, worker in enumerate(self.workers):
                if worker.poll() is None:
                    continue
                at = time.time() - self.started
                how = "SIGKILL" if worker.returncode == -signal.SIGKILL else f"exit {worker.returncode}"
                if self.stop.wait(self.RESTART_S):
                    return
                self.workers[index] = start_worker(self.instance, index + 1)
                self.notes.append(f"worker {index + 1} ended ({how}) at {at:.0f} s, started again 2 s later")

    def end(self) -> None:
        self.stop.set()
        self.thread.join()
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(30)


def footage_asked_before(count: int) -> None:
    """Footage requests made before the load (through the service, as the old drill did), so the uploading
    owners have emailed links from the start even when the machine is too busy for the investigators' own
    requests to arrive in time; theirs follow during the load. Their emails are checked like all others."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from canvass.models import Case, CaseCamera
    from footage.services import footage_request_create
    from registrations.models import Registration, Status

    user = User.objects.filter(username__startswith="drill.investigator").order_by("id").first()
    user.is_verified = lambda: True  # as django-otp marks a session after the TOTP check
    owners = Registration.objects.filter(agency=user.agency, status=Status.ACTIVE, cameras__isnull=False)
    owners = owners.exclude(owner_email="").distinct().order_by("-id")[:count]
    case = Case.objects.create(
        agency=user.agency, case_number="SCALE-BEFORE", offense_type=user.agency.offense_types.first(), created_by=user
    )
    chosen = [CaseCamera.objects.create(case=case, camera=r.cameras.first(), chosen_by=user).pk for r in owners]
    end = timezone.now() - timedelta(hours=2)
    footage_request_create(
        user=user, case=case, case_camera_ids=chosen, window_start=end - timedelta(hours=1), window_end=end, message=""
    )


def write_plan(instance: Instance, nginx: Nginx, mail: Path) -> Path:
    """What locust needs: addresses, investigators' sign-in (password, authenticator key), owners' emails."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies.models import Agency
    from registrations.models import Registration, Status

    addresses, _codes, search = setup_town(USERS["investigator"])
    footage_asked_before(2 * USERS["uploader"])
    maple = Agency.objects.get(slug="maple-falls")
    places = [
        {"latitude": str(r.latitude), "longitude": str(r.longitude)}
        for r in Registration.objects.filter(agency=maple, cameras__isnull=False).distinct().order_by("id")[:20]
    ]
    owners = Counter(Registration.objects.exclude(owner_email_hash="").values_list("owner_email_hash", flat=True))
    emails = [
        r.owner_email
        for r in Registration.objects.filter(status=Status.ACTIVE).exclude(owner_email="").order_by("id")
        if owners[r.owner_email_hash] == 1
    ]
    devices = TOTPDevice.objects.filter(user__username__startswith="drill.investigator").select_related("user")
    investigators = [
        {"username": d.user.username, "password": PASSWORD, "key": d.bin_key.hex(), "step": d.step, "t0": d.t0}
        | {"digits": d.digits}
        for d in devices.order_by("user__username")
    ]
    plan = {
        "addresses": addresses,
        "search": {k: v for k, v in search.items() if k not in ("case_number", "latitude", "longitude")},
        "places": places,
        "owner_emails": emails,
        "investigators": investigators,
        "users": USERS,
        "upload_bytes": UPLOAD_BYTES,
        "mail_dir": str(mail),
        "mail_wait_s": 30,
        "acks": str(instance.dir / "acks.jsonl"),
        "requests": str(instance.dir / "requests.jsonl"),
    }
    path = instance.dir / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def locust(instance: Instance, nginx: Nginx, plan: Path) -> subprocess.Popen:
    users = sum(USERS.values())
    command = [PYTHON, "-m", "locust", "-f", str(ROOT / "drills" / "locustfile.py"), "--headless"]
    command += [
        "--host",
        nginx.url,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{SECONDS + WARMUP_S}s",
        "--stop-timeout",
        "5",
    ]
    command += ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    out = open(instance.dir / "locust.log", "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=ROOT, env={**instance.env, "DRILL_PLAN": str(plan)}, stdout=out, stderr=out)  # noqa: S603


def warmed_up(instance: Instance, began: float) -> tuple[float, int]:
    """(when, how many investigators had signed in): once all have (the code accepted), at most WARMUP_S after
    locust started."""
    log = instance.dir / "requests.jsonl"
    signed = 0
    while time.time() < began + WARMUP_S:
        lines = log.read_text().splitlines() if log.exists() else []
        signed = sum(1 for line in lines if '"staff sign-in code POST"' in line and '"cause": null' in line)
        if signed >= USERS["investigator"]:
            break
        time.sleep(0.5)
    return time.time(), signed


def drill(instance: Instance, nginx: Nginx, postgres: PostgreSQL, inbox: Inbox, s3) -> int:
    clock = BEGUN[0]
    steps = [("services", time.monotonic())]
    instance.activate()
    from django.core.management import call_command
    from django.db import close_old_connections

    from drills.scaleout_checks import report
    from notifications.models import OutboxEmail

    with ThreadPoolExecutor(2) as pool:  # both boot while the database is migrated: CI runs the short one
        starting = [pool.submit(instance.gunicorn, log=f"app{n}.log", GUNICORN_WORKERS="2") for n in (1, 2)]
        instance.prepare()
        steps.append(("database", time.monotonic()))
        supervisor = Supervisor(instance, time.time())
        plan = write_plan(instance, nginx, inbox.folder)
        steps.append(("plan", time.monotonic()))
        servers = [future.result() for future in starting]
    nginx.configure([url for _process, url in servers])
    nginx.start()
    steps.append(("servers", time.monotonic()))
    setup_s = time.monotonic() - clock
    spent = [
        f"{name} {end - start:.0f} s" for (name, end), (_n, start) in zip(steps, [("", clock), *steps], strict=False)
    ]
    began_load = time.time()
    load = locust(instance, nginx, plan)
    started, signed = warmed_up(instance, began_load)
    supervisor.started = started  # times count from here
    events: list[tuple[str, float, float]] = []  # (what, began, ended) in seconds since the load started
    time.sleep(SECONDS / 4)
    os.killpg(servers[0][0].pid, signal.SIGKILL)
    events.append(("app server 1 killed", time.time() - started, time.time() - started))
    time.sleep(SECONDS / 4)
    os.kill(supervisor.workers[0].pid, signal.SIGKILL)
    events.append(("worker 1 killed", time.time() - started, time.time() - started))
    time.sleep(SECONDS / 4)
    began = time.time() - started
    postgres.ctl("restart")
    events.append(("PostgreSQL restarted", began, time.time() - started))
    load.wait(SECONDS + WARMUP_S + 60)
    elapsed = time.time() - began_load
    close_old_connections()
    call_command(
        "retry_unsent_email", stdout=io.StringIO()
    )  # what the timer runs; the killed worker's task is queued again
    deadline = time.monotonic() + 90
    while OutboxEmail.objects.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1)
    supervisor.end()
    notes = list(supervisor.notes)
    notes.append(f"setup {setup_s:.0f} s ({', '.join(spent)}), load and mail {time.time() - began_load:.0f} s")
    notes.append(
        f"{signed} of {USERS['investigator']} investigators had signed in {started - began_load:.0f} s after locust"
        " started; the times above count from then"
    )
    return report(instance, inbox, s3, started, elapsed, events, notes, load.returncode, nginx)


if __name__ == "__main__":
    sys.exit(main())
