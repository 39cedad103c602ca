"""The one task that sends an outbox email and marks it sent.

The claim is a conditional update (sent_at still empty → now) inside the sending transaction:
a second worker on the same row waits for the first to commit and then finds nothing to claim,
so two workers never send an email twice. A worker killed after the mail server accepted a message and
before this transaction commits leaves it unsent, and the retry sends it again: the one duplicate no
design can rule out without the mail server's help (the crash drill counts it). A failed SMTP send raises: the transaction rolls back (sent_at
empty again, no link issued), the failure is counted, and `manage.py retry_unsent_email` queues
it again later.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from cameraregistry.mail import send_templated_email
from notifications.composers import Prepared, composer_for
from notifications.models import OutboxEmail


def outbox_deliver(outbox_id: int) -> str:
    try:
        with transaction.atomic():
            now = timezone.now()
            if not OutboxEmail.objects.filter(pk=outbox_id, sent_at__isnull=True).update(sent_at=now):
                return "already sent" if OutboxEmail.objects.filter(pk=outbox_id).exists() else "gone"
            message = OutboxEmail.objects.select_related("registration__agency").get(pk=outbox_id)
            composer = composer_for(message.template)
            prepared = composer.prepare(message)
            if isinstance(prepared, Prepared):
                send_templated_email(
                    f"emails/{message.template}", to=prepared.to, context=prepared.context, language=message.language
                )
            OutboxEmail.objects.filter(pk=outbox_id).update(recipient="", context={})
            if not isinstance(prepared, Prepared):
                return prepared
            if composer.on_sent is not None:
                composer.on_sent(message, now)
            return "sent"
    except Exception:
        OutboxEmail.objects.filter(pk=outbox_id).update(failures=F("failures") + 1)
        raise


@task()
def deliver_outbox_email(outbox_id: int) -> str:
    return outbox_deliver(outbox_id)
