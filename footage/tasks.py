"""Footage request emails. sent_at on the request is the truth: a task sends only while it
is empty and sets it in the same transaction; a failed send raises (task FAILED) and
leaves it empty for `manage.py retry_unsent_email`."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts.access import Permission, agency_may_use
from cameraregistry.mail import send_templated_email
from footage.models import FootageRequest, RequestEvent, RequestStatus
from footage.tokens import request_link_issue


def _send(request_id: int, *, reminder: bool) -> str:
    with transaction.atomic():
        footage_request = (
            FootageRequest.objects.select_for_update(of=("self",))
            .select_related("registration", "agency", "case")
            .filter(pk=request_id)
            .first()
        )
        if footage_request is None:
            return "gone"
        sent_field = "reminder_sent_at" if reminder else "email_sent_at"
        if getattr(footage_request, sent_field) is not None:
            return "already sent"
        registration = footage_request.registration
        if registration is None or not registration.owner_email or footage_request.status != RequestStatus.WAITING:
            return "nobody to send to"
        # Checked at sending time: the agreement may have ended since the email was queued.
        if not agency_may_use(footage_request.agency_id, registration, Permission.REQUEST_FOOTAGE):
            return "sharing ended"
        value = request_link_issue(footage_request=footage_request)
        link = settings.SITE_URL + reverse("footage:open_link", args=[footage_request.public_id, value])
        prefix = "emails/footage_reminder" if reminder else "emails/footage_request"
        send_templated_email(
            prefix,
            to=registration.owner_email,
            context={
                "request": footage_request,
                "registration": registration,
                "agency": footage_request.agency,
                "case_number": footage_request.case.case_number,
                "link": link,
            },
            language=footage_request.language,
        )
        now = timezone.now()
        setattr(footage_request, sent_field, now)
        footage_request.save(update_fields=[sent_field])
        RequestEvent.objects.create(
            request=footage_request,
            occurred_at=now,
            kind="reminder_sent" if reminder else "email_sent",
            description="Reminder email delivered to the mail server"
            if reminder
            else "Request email delivered to the mail server",
        )
        return "sent"


@task()
def send_footage_request_email(request_id: int) -> str:
    return _send(request_id, reminder=False)


@task()
def send_footage_reminder_email(request_id: int) -> str:
    return _send(request_id, reminder=True)
