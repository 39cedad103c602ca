"""The registration confirmation, filled in at sending time (registered from RegistrationsConfig.ready)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from notifications.composers import Prepared, composer_register
from notifications.models import OutboxEmail
from registrations.tokens import owner_link_issue

CONFIRMATION = "registration_confirmation"


def _confirmation(message: OutboxEmail) -> Prepared | str:
    registration = message.registration
    if registration is None or not registration.owner_email:
        return "nobody to send to"  # withdrawn before the email went out
    link = settings.SITE_URL + reverse("owners:link", args=[owner_link_issue(registration=registration)])
    context = {
        "registration": registration,
        "agency": registration.agency,
        "link": link,
        "link_days": settings.OWNER_LINK_MAX_AGE_DAYS,
        "cameras": list(registration.cameras.all()),
    }
    return Prepared(to=registration.owner_email, context=context)


def composers_register() -> None:
    composer_register(CONFIRMATION, prepare=_confirmation)
