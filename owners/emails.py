"""What owners' emails need at sending time. Queued with notifications.services.email_queue;
registered from OwnersConfig.ready so the outbox task can call them."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from notifications.composers import Prepared, composer_register
from notifications.models import OutboxEmail
from registrations.tokens import owner_link_issue

MANAGE_LINK = "owner_manage_link"
RECONFIRM = "owner_reconfirm"
STATUS_REPORT = "owner_status_report"
WITHDRAWN = "owner_withdrawn"


def _owner_link(route: str):
    def prepare(message: OutboxEmail) -> Prepared | str:
        registration = message.registration
        if registration is None or not registration.owner_email:
            return "nobody to send to"
        # The token is issued at send time, inside the sending transaction, so a failed send leaves no live link.
        link = settings.SITE_URL + reverse(route, args=[owner_link_issue(registration=registration)])
        context = dict(message.context) | {
            "registration": registration,
            "agency": registration.agency,
            "link": link,
            "link_days": settings.OWNER_LINK_MAX_AGE_DAYS,
        }
        return Prepared(to=registration.owner_email, context=context)

    return prepare


def _status_report(message: OutboxEmail) -> Prepared | str:
    # Tied to the registration so that a withdrawal erases an unsent report with everything else.
    registration = message.registration
    if registration is None or not message.recipient:
        return "nobody to send to"
    staff_page = reverse("staff_registrations:detail", args=[registration.public_id])
    context = dict(message.context) | {
        "reference": str(registration.public_id),
        "address": registration.street_address,
        "staff_link": settings.SITE_URL + staff_page,
    }
    return Prepared(to=message.recipient, context=context)


def composers_register() -> None:
    composer_register(MANAGE_LINK, prepare=_owner_link("owners:link"))
    composer_register(RECONFIRM, prepare=_owner_link("owners:confirm_link"))
    composer_register(STATUS_REPORT, prepare=_status_report)
