"""Upgrading a database that holds unsent mail: the old outbox (owners_outboxemail, `kind`) and a
footage request whose email never went out (email_sent_at empty, the old queue) both end up in
notifications' outbox, encrypted, and are delivered once through a real SMTP server."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tasks_db.models import DBTaskResult

from footage.models import FootageRequest
from notifications.models import OutboxEmail
from tests.footage.helpers import make_request, owners_with_email
from tests.owners.helpers import run_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [("owners", "0002_staff_notice_kinds"), ("footage", "0002_evidence_purged_at"), ("notifications", None)]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees what is applied now


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_unsent_mail_survives_the_upgrade_and_is_sent_once(town, smtp):
    inbox, _controller = smtp
    owner, other = owners_with_email(town["maple"], 2)
    maple = town["maple"]
    footage_request = make_request(maple, owner)  # queued at today's schema, then taken back below
    latest = _latest()
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state([target for target in BEFORE if target[1]]).apps
        assert "owners_outboxemail" in connection.introspection.table_names()
        DBTaskResult.objects.all().delete()  # tasks queued before the upgrade name rows that are renumbered
        footage_request.refresh_from_db()
        assert footage_request.email_sent_at is None  # the old queue: a waiting request with no email sent
        old_outbox = old.get_model("owners", "OutboxEmail")
        old_outbox.objects.create(kind="manage_link", registration_id=other.pk, language=other.language)
        old_outbox.objects.create(
            kind="status_report", registration_id=other.pk, recipient=maple.contact_email, context={"kind": "Moved"}
        )
    finally:
        _migrate(latest)

    assert "owners_outboxemail" not in connection.introspection.table_names()
    unsent = OutboxEmail.objects.filter(sent_at__isnull=True)
    assert sorted(unsent.values_list("template", flat=True)) == [
        "footage_request",
        "owner_manage_link",
        "owner_status_report",
    ]
    assert unsent.get(template="footage_request").key == f"footage_request:{footage_request.pk}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient FROM notifications_outboxemail WHERE template = 'owner_status_report'")
        [(raw,)] = cursor.fetchall()
    assert raw and maple.contact_email not in raw  # still encrypted at rest after the move
    assert unsent.get(template="owner_status_report").recipient == maple.contact_email

    call_command("retry_unsent_email", stdout=open("/dev/null", "w"))  # noqa: SIM115
    run_tasks()
    call_command("retry_unsent_email", stdout=open("/dev/null", "w"))  # noqa: SIM115 - nothing left to queue
    run_tasks()
    assert sorted(message["To"] for message in inbox.messages) == sorted(
        [owner.owner_email, other.owner_email, maple.contact_email]
    )
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
    footage_request.refresh_from_db()
    assert footage_request.email_sent_at is not None
    assert FootageRequest.objects.get(pk=footage_request.pk).events.filter(kind="email_sent").count() == 1
