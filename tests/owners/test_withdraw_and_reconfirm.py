"""Withdrawal erases everything personal at once; yearly re-confirmation reminds once and then marks stale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from notifications.models import OutboxEmail
from owners.models import ReconfirmationReminder, WithdrawalCount
from owners.services import reconfirmation_run
from registrations.models import Camera, ConsentRecord, OwnerAccessToken, Registration
from tests.owners.helpers import a_registration_with_email, committing, link_in, owner_client, run_tasks

pytestmark = pytest.mark.django_db

SECRETS = {
    "owner_name": "Zebulon Quixote-Marchetti",
    "owner_phone": "312-555-0987",
    "owner_email": "zebulon.quixote@example.org",
    "street_address": "4242 Withdrawal Lane",
    "alternate_name": "Philippa Underhill-Jones",
    "alternate_phone": "312-555-0456",
}


def every_stored_text() -> str:
    """Every value of every row of every table, both as the ORM reads it and as stored on disk."""
    chunks = []
    for model in apps.get_models():
        try:
            for row in model.objects.values():
                chunks.append(repr(row))
        except Exception:  # noqa: BLE001 - an unreadable table is checked raw below
            pass
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks).lower()


def test_withdrawal_erases_every_trace_and_confirms_by_email(town):
    registration = a_registration_with_email(town["maple"])
    Registration.objects.filter(pk=registration.pk).update(street_address=SECRETS["street_address"])
    registration.refresh_from_db()
    for name, value in SECRETS.items():
        setattr(registration, name, value)
    registration.save()
    owner = owner_client(registration)
    owner.post("/manage/status/", {"kind": "locations_changed", "note": "moved the back camera"})
    assert owner.post("/manage/withdraw/", {}).status_code == 400  # must tick the box
    assert Registration.objects.filter(pk=registration.pk).exists()
    with committing():
        response = owner.post("/manage/withdraw/", {"confirm": "yes"})
    assert response.status_code == 200
    assert "erased" in response.content.decode()
    run_tasks()
    confirmation = [m for m in mail.outbox if m.to == [SECRETS["owner_email"]]]
    assert len(confirmation) == 1 and "erased" in confirmation[0].subject

    assert not Registration.objects.filter(pk=registration.pk).exists()
    for model in (Camera, ConsentRecord, OwnerAccessToken):
        assert not model.objects.filter(registration_id=registration.pk).exists()
    stored = every_stored_text()
    for name, value in SECRETS.items():
        assert value.lower() not in stored, f"{name} still stored"
    assert WithdrawalCount.objects.get(agency=town["maple"]).count == 1
    assert OutboxEmail.objects.filter(template="owner_withdrawn", sent_at__isnull=False, recipient="").count() == 1
    assert owner.get("/manage/edit/").status_code == 403  # the session ended with the data


def test_withdrawal_counts_accumulate_per_month(town):
    for registration in Registration.objects.filter(agency=town["cedar"])[:2]:
        owner_client(registration).post("/manage/withdraw/", {"confirm": "yes"})
    assert WithdrawalCount.objects.get(agency=town["cedar"]).count == 2


def _due(registration: Registration, months: int = 13) -> None:
    Registration.objects.filter(pk=registration.pk).update(
        status="active", last_confirmed_at=timezone.now() - timedelta(days=31 * months)
    )


def test_reminders_go_once_and_one_click_confirms(town):
    Registration.objects.update(last_confirmed_at=timezone.now())
    registration = a_registration_with_email(town["maple"])
    _due(registration)
    with committing():
        call_command("send_reconfirmation_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_reconfirmation_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    run_tasks()
    assert [m.to for m in mail.outbox] == [[registration.owner_email]]
    path = link_in(mail.outbox[0].body, "/manage/confirm/")
    from django.test import Client

    owner = Client()
    assert owner.get(path).status_code == 200
    registration.refresh_from_db()
    assert registration.last_confirmed_at < timezone.now() - timedelta(days=300)  # GET changed nothing
    assert owner.post(path).status_code == 200
    registration.refresh_from_db()
    assert registration.last_confirmed_at > timezone.now() - timedelta(minutes=5)
    assert owner.post(path).status_code == 410


def test_silent_owners_become_stale_after_the_grace_period_and_can_come_back(town):
    Registration.objects.update(last_confirmed_at=timezone.now())
    registration = a_registration_with_email(town["maple"])
    _due(registration)
    now = timezone.now()
    assert reconfirmation_run(now=now)["reminded"] == 1
    grace = town["maple"].reconfirm_grace_days
    assert reconfirmation_run(now=now + timedelta(days=grace - 1)) == {"reminded": 0, "stale": 0}
    assert reconfirmation_run(now=now + timedelta(days=grace + 1)) == {"reminded": 0, "stale": 1}
    registration.refresh_from_db()
    assert registration.status == "stale"
    assert reconfirmation_run(now=now + timedelta(days=grace + 2)) == {"reminded": 0, "stale": 0}
    owner = owner_client(registration)
    assert "not been re-confirmed" in owner.get("/manage/").content.decode()
    owner.post("/manage/reconfirm/")
    registration.refresh_from_db()
    assert registration.status != "stale"
    assert ReconfirmationReminder.objects.filter(registration=registration).count() == 1


def test_registrations_not_yet_due_or_paused_get_no_reminder(town):
    Registration.objects.update(last_confirmed_at=timezone.now() - timedelta(days=200))
    paused = a_registration_with_email(town["cedar"])
    _due(paused)
    Registration.objects.filter(pk=paused.pk).update(status="paused")
    assert reconfirmation_run() == {"reminded": 0, "stale": 0}
