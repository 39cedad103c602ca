"""Owners' own writes: private link requests, status reports, yearly re-confirmation reminders.

Changes to the registration itself live in registrations.services.owner. Each one is atomic and writes its own audit entry.

Audit parameters never hold names, phones, emails or addresses: the audit log
outlives a withdrawal and must not keep what the withdrawal erased.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from cameraregistry.crypto import lookup_hash
from notifications.services import email_queue
from owners import emails
from owners.models import ReconfirmationReminder, StatusReport
from registrations.models import Registration, Status
from registrations.services.create import _clean_text
from registrations.services.owner import owner_action_audit


def owner_link_request(*, email: str, request: HttpRequest | None = None) -> int:
    """Queue a private link to every registration with this email. Returns how many (never shown to the visitor)."""
    email_hash = lookup_hash(email)
    if not email_hash:
        return 0
    registrations = list(Registration.objects.select_related("agency").filter(owner_email_hash=email_hash))
    with transaction.atomic():
        for registration in registrations:
            email_queue(template=emails.MANAGE_LINK, registration=registration, language=registration.language)
            owner_action_audit("owner.link_requested", registration, request)
    return len(registrations)


@transaction.atomic
def status_report_create(
    *, registration: Registration, kind: str, note: str = "", request: HttpRequest | None = None
) -> StatusReport:
    if kind not in StatusReport.Kind.values:
        raise ValidationError({"kind": _("Choose what changed.")})
    registration = Registration.objects.select_for_update(of=("self",)).select_related("agency").get(pk=registration.pk)
    report = StatusReport(registration=registration, kind=kind, note=_clean_text(note)[:2000])
    report.full_clean()
    report.save()
    if kind in (StatusReport.Kind.NO_CAMERAS, StatusReport.Kind.MOVED):
        # Investigators must not call about cameras that are gone; staff decide what happens next.
        registration.status = Status.PAUSED
        registration.save(update_fields=["status", "updated_at"])
    agency = registration.agency
    if agency.contact_email:
        email_queue(
            template=emails.STATUS_REPORT,
            registration=registration,
            to=agency.contact_email,
            language="en",
            context={
                "agency_name": agency.name,
                "kind": report.get_kind_display(),
                "note": report.note,
            },
        )
    owner_action_audit("owner.status_report", registration, request, kind=kind)
    return report


def _months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 - months, 12)
    target_year, target_month = moment.year + year, month + 1
    day = moment.day
    while True:
        try:
            return moment.replace(year=target_year, month=target_month, day=day)
        except ValueError:
            day -= 1  # 31 March minus one month is the end of February


def reconfirmation_run(*, now: datetime | None = None) -> dict[str, int]:
    """Remind owners whose last confirmation is older than the agency's interval, and mark
    stale those still silent after the grace period. Safe to run any number of times."""
    now = now or timezone.now()
    sent = staled = 0
    for agency in Agency.objects.all():
        due_before = _months_before(now, agency.reconfirm_interval_months)
        due = Registration.objects.filter(
            agency=agency, status__in=[Status.ACTIVE, Status.PENDING], last_confirmed_at__lte=due_before
        )
        for registration in due.iterator():
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        ReconfirmationReminder.objects.create(
                            registration=registration, cycle_confirmed_at=registration.last_confirmed_at, sent_at=now
                        )
                except IntegrityError:
                    continue  # reminded already in this cycle
                if registration.owner_email:
                    email_queue(template=emails.RECONFIRM, registration=registration, language=registration.language)
                    sent += 1
        grace_end = now - timedelta(days=agency.reconfirm_grace_days)
        overdue = ReconfirmationReminder.objects.filter(
            registration__agency=agency,
            registration__status__in=[Status.ACTIVE, Status.PENDING],
            registration__last_confirmed_at=F("cycle_confirmed_at"),
            sent_at__lte=grace_end,
        ).values_list("registration_id", flat=True)
        staled += Registration.objects.filter(pk__in=list(overdue)).update(status=Status.STALE)
    return {"reminded": sent, "stale": staled}
