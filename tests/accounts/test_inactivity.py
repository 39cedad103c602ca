"""Staff accounts unused for STAFF_INACTIVE_DAYS are disabled, with a warning email a week before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from tests.staff_fixtures import make_staff, staff_client


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def staff(town, *, last_login_days: int | None, email: str, agency="maple", joined_days: int = 400):
    user = make_staff(town[agency], "investigator", email=email)
    user.last_login = days_ago(last_login_days) if last_login_days is not None else None
    user.date_joined = days_ago(joined_days)
    user.save(update_fields=["last_login", "date_joined"])
    return user


@pytest.mark.django_db
def test_it_disables_unused_accounts_and_warns_a_week_before(town, run_tasks, django_capture_on_commit_callbacks):
    stale = staff(town, last_login_days=91, email="stale@maple.example")
    session_client = staff_client(Client(), stale)  # force_login stamps last_login: set it back
    stale.last_login = days_ago(91)
    stale.save(update_fields=["last_login"])
    never = staff(town, last_login_days=None, email="never@maple.example", joined_days=120)
    recent_joiner = staff(town, last_login_days=None, email="newbie@maple.example", joined_days=10)
    soon = staff(town, last_login_days=85, email="soon@cedar.example", agency="cedar")
    active = staff(town, last_login_days=20, email="active@maple.example")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("staff_inactivity_run", verbosity=0)
    run_tasks()
    for user in (stale, never, recent_joiner, soon, active):
        user.refresh_from_db()
    assert not stale.is_active and not never.is_active
    assert recent_joiner.is_active and soon.is_active and active.is_active
    assert session_client.get("/staff/").status_code == 302
    disabled = AuditEntry.objects.filter(action="staff.inactivity_disable")
    assert sorted(entry.object_id for entry in disabled) == sorted([str(stale.pk), str(never.pk)])
    assert {entry.agency_id for entry in disabled} == {town["maple"].pk}
    assert [message.to for message in mail.outbox] == [["soon@cedar.example"]]
    assert "in 5 days" in mail.outbox[0].body
    warning = AuditEntry.objects.get(action="staff.inactivity_warning")
    assert warning.agency == town["cedar"] and warning.object_id == str(soon.pk)

    # A second run the same day warns nobody twice and disables nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("staff_inactivity_run", verbosity=0)
    run_tasks()
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="staff.inactivity_disable").count() == 2


@pytest.mark.django_db
def test_signing_in_again_after_a_warning_starts_over(town, run_tasks):
    user = staff(town, last_login_days=85, email="back@maple.example")
    call_command("staff_inactivity_run", verbosity=0)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    call_command("staff_inactivity_run", verbosity=0)
    user.refresh_from_db()
    assert user.is_active


@pytest.mark.django_db
def test_the_number_of_days_is_configurable(town, settings):
    settings.STAFF_INACTIVE_DAYS = 30
    user = staff(town, last_login_days=31, email="x@maple.example")
    call_command("staff_inactivity_run", verbosity=0)
    user.refresh_from_db()
    assert not user.is_active
