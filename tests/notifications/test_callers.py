"""Every app's email goes through the one outbox: a row appears, and the task delivers it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.services import staff_inactivity_warn, staff_lockout_notify
from audit.alerts import audit_failure_alert
from notifications.models import OutboxEmail
from owners.services import owner_link_request, status_report_create
from registrations.models import Registration
from tests.footage.helpers import make_request, owners_with_email
from tests.owners.helpers import committing, run_tasks
from tests.registrations.helpers import form_data, post
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.django_db


def _delivered(template: str) -> list[list[str]]:
    """Run the queue; the recipients of what was sent, after checking every row is marked sent."""
    assert OutboxEmail.objects.filter(template=template, sent_at__isnull=True).exists()
    run_tasks()
    assert not OutboxEmail.objects.filter(template=template, sent_at__isnull=True).exists()
    return [message.to for message in mail.outbox]


def test_the_registration_confirmation(client, town):
    post(client, form_data(town["maple"].current_terms().pk))
    registration = Registration.objects.order_by("-id").first()
    assert OutboxEmail.objects.filter(template="registration_confirmation", registration=registration).count() == 1
    assert _delivered("registration_confirmation") == [[registration.owner_email]]


def test_the_owner_link(town):
    registration = owners_with_email(town["maple"], 1)[0]
    with committing():
        owner_link_request(email=registration.owner_email)
    assert OutboxEmail.objects.get(template="owner_manage_link").registration == registration
    assert _delivered("owner_manage_link") == [[registration.owner_email]]


def test_an_unknown_address_asking_for_a_link_writes_nothing(town):
    with committing():
        assert owner_link_request(email="nobody-registered@example.org") == 0
    run_tasks()
    assert not OutboxEmail.objects.exists() and mail.outbox == []


def test_the_owner_status_report_reaches_only_the_own_agency(town):
    registration = owners_with_email(town["maple"], 1)[0]
    with committing():
        status_report_create(registration=registration, kind="moved", note="Sold the house")
    row = OutboxEmail.objects.get(template="owner_status_report")
    assert row.recipient == town["maple"].contact_email
    assert _delivered("owner_status_report") == [[town["maple"].contact_email]]
    assert town["cedar"].contact_email not in {address for message in mail.outbox for address in message.to}


def test_the_footage_request(town):
    with committing():
        footage_request = make_request(town["maple"])
    row = OutboxEmail.objects.get(template="footage_request")
    assert row.key == f"footage_request:{footage_request.pk}"
    assert _delivered("footage_request") == [[footage_request.registration.owner_email]]
    footage_request.refresh_from_db()
    assert footage_request.email_sent_at is not None


def test_the_staff_lockout_notice(town):
    administrator = make_staff(town["maple"], "administrator", email="admin.maple@example.org")
    held = make_staff(town["maple"], "investigator", email="held.account@example.org")
    make_staff(town["cedar"], "administrator", email="admin.cedar@example.org")  # another agency: not told
    with committing():
        assert staff_lockout_notify(user=held) == 2
    assert OutboxEmail.objects.filter(template="staff_lockout").count() == 2
    assert sorted(_delivered("staff_lockout")) == [[administrator.email], [held.email]]


def test_the_staff_inactivity_warning(town):
    user = make_staff(town["maple"], "investigator", email="quiet.one@example.org")
    with committing():
        staff_inactivity_warn(user=user, disable_on=timezone.now() + timedelta(days=7))
    assert _delivered("staff_inactivity") == [[user.email]]


def test_the_audit_failure_alert_alone_bypasses_the_outbox(town, settings):
    # It reports that the database refused a write, so it cannot depend on writing a row.
    settings.ADMINS = [("ops", "ops@registry.example")]
    audit_failure_alert(action="staff.role_change", agency_id=town["maple"].pk, error=RuntimeError("disk full"))
    assert not OutboxEmail.objects.exists()
    assert ["ops@registry.example"] in [message.to for message in mail.outbox]
