from django.core.management.base import BaseCommand

from notifications.services import unsent_email_requeue


class Command(BaseCommand):
    help = (
        "Queue again every email not yet accepted by the mail server (run it every few minutes; it never sends twice)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Queued again: {unsent_email_requeue()} emails.")
