"""Email through a real SMTP server on loopback (aiosmtpd): content, language, working links,
and an SMTP outage: the send fails, is retried later, and nothing is lost or sent twice."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from footage.models import FootageRequest
from notifications.models import OutboxEmail
from tests.footage.helpers import make_request, owners_with_email
from tests.owners.helpers import committing, link_in, owner_client, run_tasks
from tests.smtp_fixtures import body_of, free_port

pytestmark = pytest.mark.django_db


def test_a_request_email_arrives_in_spanish_with_a_link_that_works(town, smtp):
    inbox, _controller = smtp
    registration = owners_with_email(town["maple"], 1)[0]
    registration.language = "es"
    registration.save()
    with committing():
        footage_request = make_request(town["maple"], registration)
    run_tasks()
    [message] = inbox.messages
    assert message["To"] == registration.owner_email
    assert "le pide video" in message["Subject"]
    text, html = body_of(message), body_of(message, "html")
    assert footage_request.case.case_number in text and "Responder a la solicitud" in html
    path = link_in(text, "/footage/r/")
    owner = Client()
    assert owner.post(path).status_code == 302
    assert owner.get(f"/footage/answer/{footage_request.public_id}/").status_code == 200


def test_smtp_down_then_retried_without_loss_or_duplicates(town, smtp, settings):
    inbox, controller = smtp
    controller.stop()
    with committing():
        footage_request = make_request(town["maple"])
        owner_client(owners_with_email(town["cedar"], 1)[0]).post("/manage/status/", {"kind": "moved"})
    run_tasks()
    assert inbox.messages == []
    assert DBTaskResult.objects.filter(status="FAILED").count() == 2
    footage_request.refresh_from_db()
    assert footage_request.email_sent_at is None
    report = OutboxEmail.objects.get(template="owner_status_report")
    assert report.sent_at is None and report.failures == 1

    restarted = Controller(controller.handler, hostname="127.0.0.1", port=free_port())
    restarted.start()
    settings.EMAIL_PORT = restarted.port
    try:
        call_command("retry_unsent_email", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("retry_unsent_email", stdout=open("/dev/null", "w"))  # noqa: SIM115 - twice: still one each
        run_tasks()
        call_command("retry_unsent_email", stdout=open("/dev/null", "w"))  # noqa: SIM115 - nothing left to queue
        run_tasks()
    finally:
        restarted.stop()
    recipients = sorted(message["To"] for message in inbox.messages)
    assert recipients == sorted([footage_request.registration.owner_email, town["cedar"].contact_email])
    footage_request.refresh_from_db()
    assert footage_request.email_sent_at is not None
    assert FootageRequest.objects.filter(email_sent_at__isnull=True).count() == 0
    assert OutboxEmail.objects.get(template="owner_status_report").recipient == ""  # forgotten once sent
