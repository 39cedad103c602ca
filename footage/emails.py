"""Footage request emails, filled in at sending time (registered from FootageConfig.ready).

The outbox row (key footage_request:<id> or footage_reminder:<id>) is the queue; the request's
email_sent_at / reminder_sent_at record when its email was delivered, set in the same transaction
that marks the row sent, with a line in the request's history.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from accounts.access import Permission, agency_may_use
from footage.models import FootageRequest, RequestEvent, RequestStatus
from footage.tokens import request_link_issue
from notifications.composers import Prepared, composer_register
from notifications.models import OutboxEmail
from notifications.services import email_queue

REQUEST = "footage_request"
REMINDER = "footage_reminder"


def footage_email_queue(footage_request: FootageRequest, *, reminder: bool) -> OutboxEmail:
    template = REMINDER if reminder else REQUEST
    return email_queue(
        template=template,
        registration=footage_request.registration,
        language=footage_request.language,
        context={"request_id": footage_request.pk},
        key=f"{template}:{footage_request.pk}",
    )


def _request_of(message: OutboxEmail) -> FootageRequest | None:
    return (
        FootageRequest.objects.select_for_update(of=("self",))
        .select_related("registration", "agency", "case")
        .filter(pk=message.context.get("request_id"))
        .first()
    )


def _sent_field(message: OutboxEmail) -> str:
    return "reminder_sent_at" if message.template == REMINDER else "email_sent_at"


def _prepare(message: OutboxEmail) -> Prepared | str:
    footage_request = _request_of(message)
    if footage_request is None:
        return "gone"
    if getattr(footage_request, _sent_field(message)) is not None:
        return "already sent"
    registration = footage_request.registration
    if registration is None or not registration.owner_email or footage_request.status != RequestStatus.WAITING:
        return "nobody to send to"
    # Checked at sending time: the agreement may have ended since the email was queued.
    if not agency_may_use(footage_request.agency_id, registration, Permission.REQUEST_FOOTAGE):
        return "sharing ended"
    value = request_link_issue(footage_request=footage_request)
    link = settings.SITE_URL + reverse("footage:open_link", args=[footage_request.public_id, value])
    context = {
        "request": footage_request,
        "registration": registration,
        "agency": footage_request.agency,
        "case_number": footage_request.case.case_number,
        "link": link,
    }
    return Prepared(to=registration.owner_email, context=context)


def _on_sent(message: OutboxEmail, now: datetime) -> None:
    reminder = message.template == REMINDER
    FootageRequest.objects.filter(pk=message.context["request_id"]).update(**{_sent_field(message): now})
    RequestEvent.objects.create(
        request_id=message.context["request_id"],
        occurred_at=now,
        kind="reminder_sent" if reminder else "email_sent",
        description="Reminder email delivered to the mail server"
        if reminder
        else "Request email delivered to the mail server",
    )


def composers_register() -> None:
    composer_register(REQUEST, prepare=_prepare, on_sent=_on_sent)
    composer_register(REMINDER, prepare=_prepare, on_sent=_on_sent)
