"""Queueing email. Every caller writes an outbox row; the task sends it once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction

from notifications.models import OutboxEmail
from notifications.tasks import deliver_outbox_email


def _enqueue_on_commit(message_id: int) -> None:
    transaction.on_commit(lambda: deliver_outbox_email.enqueue(message_id))


def email_queue(
    *,
    to: str = "",
    template: str,
    context: dict | None = None,
    language: str = "en",
    registration: models.Model | None = None,
    key: str | None = None,
) -> OutboxEmail:
    """Store the email and send it once the surrounding transaction commits.

    `to` may be empty when the template's composer finds the recipient at sending time (an owner's
    current address on `registration`). With a `key`, queueing the same email again returns the
    row already there (queued once more if still unsent) instead of writing a second one.
    """
    fields: dict[str, Any] = {"template": template, "registration": registration, "recipient": to}
    fields |= {"language": language, "context": context or {}}
    if key is None:
        message = OutboxEmail.objects.create(**fields)
    else:
        found = OutboxEmail.objects.filter(key=key).first()
        if found is not None:
            message = found
        else:
            try:
                with transaction.atomic():
                    message = OutboxEmail.objects.create(key=key, **fields)
            except IntegrityError:
                message = OutboxEmail.objects.get(key=key)
        if message.sent_at is not None:
            return message
    _enqueue_on_commit(message.pk)
    return message


def unsent_email_requeue() -> int:
    """Queue again every email the mail server has not accepted yet; the task never sends one twice."""
    unsent = list(OutboxEmail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True))
    for message_id in unsent:
        deliver_outbox_email.enqueue(message_id)
    return len(unsent)
