from django.core.management.base import BaseCommand

from notifications.services import unsent_email_requeue


class Command(BaseCommand):
    help = (
        "Queue again every email not yet recorded as sent (run it every few minutes). Two workers never send one "
        "email twice; only an email the mail server accepted just as its worker was killed, before the outbox "
        "recorded it, is sent again."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Queued again: {unsent_email_requeue()} emails.")
