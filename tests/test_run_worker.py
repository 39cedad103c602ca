"""`manage.py run_worker`, the real process, waits out the database going away under it and loses nothing.

The worker runs against the test database through a loopback relay (tests/tcp_relay.py); cutting the
relay is, for the worker, PostgreSQL restarting: its connection closed under it, then refused. Emails
go through notifications' outbox to a real SMTP server (aiosmtpd) in this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from notifications.models import OutboxEmail
from notifications.services import email_queue
from tests.tcp_relay import TcpRelay

pytestmark = [pytest.mark.slow, pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(django_settings.BASE_DIR)
CONTEXT = {"username": "dispatch.7", "full_name": "Dana Reyes", "agency_name": "Maple Falls", "auto_unlock_minutes": 30}


def _queue(to: str) -> OutboxEmail:
    with transaction.atomic():  # committed: the task is queued on commit, for the worker to see
        return email_queue(to=to, template="staff_lockout", context=CONTEXT)


def _wait_until(predicate, what: str, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"never happened: {what}; worker log:\n{log.read_text()[-3000:]}")


@pytest.fixture
def relay():
    relay = TcpRelay(connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
    yield relay.start()
    relay.cut()


def _start_worker(command: str, relay: TcpRelay, smtp_port: int, tmp_path: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": relay.url(connection.settings_dict["NAME"]),
        "DATABASE_CONN_MAX_AGE": "60",
        "DATA_DIR": str(tmp_path / "worker"),
        "SECRET_KEY": django_settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(django_settings.FIELD_ENCRYPTION_KEYS),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", command, "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def test_the_worker_survives_the_database_going_away_and_sends_each_email_once(smtp, relay, tmp_path):
    inbox, controller = smtp
    log = tmp_path / "worker.log"
    worker = _start_worker("run_worker", relay, controller.port, tmp_path, log)
    try:
        first = _queue("first@example.org")
        # Sent and recorded: an outage between the SMTP send and the outbox's commit is the one window in
        # which an email can go twice (notifications/tasks.py), and is not what this test is about.
        _wait_until(
            lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1, "the first email recorded", log
        )
        assert len(inbox.messages) == 1

        relay.cut()  # PostgreSQL "restarts": the worker's connection closes under it, new ones are refused
        _wait_until(lambda: "Database still unavailable" in log.read_text(), "the worker backing off", log)
        second = _queue("second@example.org")  # queued while the worker cannot reach the database
        assert worker.poll() is None, log.read_text()
        relay.restore()

        _wait_until(lambda: len(inbox.messages) == 2, "the second email sent", log)
        _wait_until(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2, "both tasks recorded", log)
        assert worker.poll() is None, log.read_text()
        assert sorted(message["To"] for message in inbox.messages) == ["first@example.org", "second@example.org"]
        assert OutboxEmail.objects.filter(pk__in=[first.pk, second.pk], sent_at__isnull=False).count() == 2
        assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
        text = log.read_text()
        assert "Database unavailable" in text and "Database reachable again" in text
        assert "Traceback" not in text

        worker.send_signal(signal.SIGTERM)  # stops promptly, and cleanly
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_the_stock_db_worker_exits_where_run_worker_waits(smtp, relay, tmp_path):
    """Why run_worker exists (and that the relay really takes the database away)."""
    _inbox, controller = smtp
    log = tmp_path / "db_worker.log"
    worker = _start_worker("db_worker", relay, controller.port, tmp_path, log)
    try:
        _wait_until(lambda: "Starting worker" in log.read_text(), "db_worker started", log)
        relay.cut()
        assert worker.wait(timeout=60) != 0
        assert "OperationalError" in log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_a_task_running_while_the_database_goes_away_is_recorded_once_it_is_back(smtp, relay, tmp_path):
    from tests.worker_tasks import run_until_released

    _inbox, controller = smtp
    log = tmp_path / "worker.log"
    folder = tmp_path / "task"
    folder.mkdir()
    worker = _start_worker("run_worker", relay, controller.port, tmp_path, log)
    try:
        result = run_until_released.enqueue(str(folder))
        _wait_until(lambda: (folder / "runs").exists(), "the task started", log)
        relay.cut()  # the database goes away while the task runs
        (folder / "release").touch()
        _wait_until(lambda: "finished but the database is unavailable" in log.read_text(), "the worker waiting", log)
        assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
        relay.restore()

        _wait_until(lambda: DBTaskResult.objects.get(pk=result.id).status != "RUNNING", "the outcome recorded", log)
        recorded = DBTaskResult.objects.get(pk=result.id)
        assert recorded.status == "SUCCESSFUL" and recorded.return_value == "released"
        assert (folder / "runs").read_text() == "run\n"  # ran once
        assert worker.poll() is None, log.read_text()

        relay.cut()  # and SIGTERM while it waits for the database stops it at once
        _wait_until(lambda: "Database unavailable (" in log.read_text(), "the worker waiting again", log)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
