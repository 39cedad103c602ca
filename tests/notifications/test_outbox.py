"""The one outbox, end to end through a real SMTP server: queued → sent once; SMTP down → kept and
retried; two workers on one row → one email; the recipient encrypted at rest."""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django_tasks_db.models import DBTaskResult

from notifications.models import OutboxEmail
from notifications.services import email_queue
from notifications.tasks import outbox_deliver
from tests.owners.helpers import committing, run_tasks
from tests.smtp_fixtures import Inbox, body_of, smtp_start

pytestmark = pytest.mark.django_db

CONTEXT = {"username": "dispatch.7", "full_name": "Dana Reyes", "agency_name": "Maple Falls", "auto_unlock_minutes": 30}


def _queue(to: str = "dana.reyes@example.org") -> OutboxEmail:
    return email_queue(to=to, template="staff_lockout", context=CONTEXT)


def _retry() -> None:
    with open("/dev/null", "w") as sink:
        call_command("retry_unsent_email", stdout=sink)


def test_a_queued_email_reaches_the_mail_server_once_and_is_then_forgotten(smtp):
    inbox, _controller = smtp
    with committing():
        message = _queue()
    assert OutboxEmail.objects.get(pk=message.pk).sent_at is None  # written first, sent by the task
    run_tasks()
    run_tasks()
    assert outbox_deliver(message.pk) == "already sent"
    [received] = inbox.messages
    assert received["To"] == "dana.reyes@example.org"
    assert "dispatch.7" in received["Subject"] and "dispatch.7" in body_of(received)
    message.refresh_from_db()
    assert message.sent_at is not None and message.recipient == "" and message.context == {}


def test_smtp_down_keeps_it_unsent_and_the_retry_command_sends_it_later_exactly_once(smtp, settings):
    inbox, controller = smtp
    controller.stop()
    with committing():
        message = _queue()
    run_tasks()
    assert inbox.messages == [] and DBTaskResult.objects.filter(status="FAILED").count() == 1
    message.refresh_from_db()
    assert message.sent_at is None and message.failures == 1 and message.recipient == "dana.reyes@example.org"

    restarted = smtp_start(settings, inbox)
    try:
        _retry()
        _retry()  # queued twice while unsent: still one email
        run_tasks()
        _retry()  # nothing left to queue
        run_tasks()
    finally:
        restarted.stop()
    assert [received["To"] for received in inbox.messages] == ["dana.reyes@example.org"]
    message.refresh_from_db()
    assert message.sent_at is not None and message.failures == 1


def test_the_retry_command_says_how_many_it_queued(smtp):
    with committing():
        _queue()
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("retry_unsent_email", stdout=Sink())
    run_tasks()
    call_command("retry_unsent_email", stdout=Sink())
    assert "".join(out).split("\n")[:2] == ["Queued again: 1 emails.", "Queued again: 0 emails."]


class GatedInbox(Inbox):
    """Holds the first message at DATA until released, so a second worker can arrive mid-send."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.entered.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 10)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_row_send_it_once(settings):
    inbox = GatedInbox()
    controller = smtp_start(settings, inbox)
    message = _queue()
    results: dict[str, str] = {}

    def first_worker() -> None:
        try:
            results["first"] = outbox_deliver(message.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        assert inbox.entered.wait(10), "the first worker never reached the mail server"
        # The first worker is mid-send and has not committed. Let it finish in a second, while
        # the second worker tries the same row: it waits for the first (PostgreSQL row lock,
        # SQLite write lock) or is refused by the lock, and never sends.
        threading.Timer(1.0, inbox.release.set).start()
        try:
            results["second"] = outbox_deliver(message.pk)
        except OperationalError as error:  # SQLite's in-memory test database refuses instead of waiting
            results["second"] = f"refused: {error}"
    finally:
        inbox.release.set()
        worker.join(15)
        controller.stop()
    assert results["first"] == "sent"
    assert results["second"] != "sent"
    assert outbox_deliver(message.pk) == "already sent"
    assert len(inbox.messages) == 1
    assert OutboxEmail.objects.get(pk=message.pk).sent_at is not None


def test_the_recipient_is_encrypted_in_the_table(smtp):
    address = "rosa.alvarez.private@example.net"
    with committing():
        message = _queue(address)
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient FROM notifications_outboxemail WHERE id = %s", [message.pk])
        [(raw,)] = cursor.fetchall()
    assert raw and address not in raw and "rosa" not in raw
    assert OutboxEmail.objects.get(pk=message.pk).recipient == address


def test_a_key_queues_an_email_once(smtp):
    inbox, _controller = smtp
    with committing():
        first = email_queue(to="a@example.org", template="staff_lockout", context=CONTEXT, key="lockout:1")
        again = email_queue(to="a@example.org", template="staff_lockout", context=CONTEXT, key="lockout:1")
    assert first.pk == again.pk and OutboxEmail.objects.count() == 1
    run_tasks()
    with committing():
        email_queue(to="a@example.org", template="staff_lockout", context=CONTEXT, key="lockout:1")
    run_tasks()
    assert len(inbox.messages) == 1
