"""Owner emails: each one is an OutboxEmail row, sent by a task that marks it sent.

A failed SMTP send raises, so the task result is FAILED and the row stays unsent;
`manage.py retry_unsent_email` queues it again. The row lock and sent_at check
mean a retry racing a slow first attempt still sends once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from cameraregistry.mail import send_templated_email
from owners.models import OutboxEmail
from registrations.tokens import owner_link_issue


def _compose(message: OutboxEmail) -> tuple[str, str, dict] | None:
    """Template prefix, recipient and context; None when there is nobody left to write to."""
    kind = message.kind
    registration = message.registration
    context = dict(message.context)
    if kind in (OutboxEmail.Kind.MANAGE_LINK, OutboxEmail.Kind.RECONFIRM):
        if registration is None or not registration.owner_email:
            return None
        route = "owners:link" if kind == OutboxEmail.Kind.MANAGE_LINK else "owners:confirm_link"
        # The token is issued at send time, inside the sending transaction, so a failed send leaves no live link.
        link = settings.SITE_URL + reverse(route, args=[owner_link_issue(registration=registration)])
        context |= {
            "registration": registration,
            "agency": registration.agency,
            "link": link,
            "link_days": settings.OWNER_LINK_MAX_AGE_DAYS,
        }
        return f"emails/owner_{kind}", registration.owner_email, context
    if not message.recipient:
        return None
    if kind == OutboxEmail.Kind.STATUS_REPORT:
        # Tied to the registration so that a withdrawal erases an unsent report with everything else.
        if registration is None:
            return None
        staff_page = reverse("staff_registrations:detail", args=[registration.public_id])
        context |= {
            "reference": str(registration.public_id),
            "address": registration.street_address,
            "staff_link": settings.SITE_URL + staff_page,
        }
    prefix = f"emails/{kind}" if kind.startswith("staff_") else f"emails/owner_{kind}"
    return prefix, message.recipient, context


@task()
def deliver_outbox_email(outbox_id: int) -> str:
    try:
        with transaction.atomic():
            message = (
                OutboxEmail.objects.select_for_update(of=("self",))
                .select_related("registration__agency")
                .filter(pk=outbox_id)
                .first()
            )
            if message is None:
                return "gone"
            if message.sent_at is not None:
                return "already sent"
            composed = _compose(message)
            if composed is not None:
                prefix, recipient, context = composed
                send_templated_email(prefix, to=recipient, context=context, language=message.language)
            message.sent_at = timezone.now()
            message.recipient = ""
            message.context = {}
            message.save(update_fields=["sent_at", "recipient", "context"])
            return "sent" if composed is not None else "nobody to send to"
    except Exception:
        OutboxEmail.objects.filter(pk=outbox_id).update(failures=F("failures") + 1)
        raise


def outbox_queue(
    *, kind: str, language: str = "en", registration=None, recipient: str = "", context: dict | None = None
) -> OutboxEmail:
    """Store the email and send it once the surrounding transaction commits."""
    message = OutboxEmail.objects.create(
        kind=kind, registration=registration, recipient=recipient, language=language, context=context or {}
    )
    message_id = message.pk
    transaction.on_commit(lambda: deliver_outbox_email.enqueue(message_id))
    return message
