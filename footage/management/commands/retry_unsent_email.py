from django.core.management.base import BaseCommand

from footage.services import unsent_email_requeue


class Command(BaseCommand):
    help = (
        "Queue again every email not yet accepted by the mail server (run it every few minutes; it never sends twice)."
    )

    def handle(self, *args, **options):
        result = unsent_email_requeue()
        self.stdout.write(
            f"Queued again: {result['footage_requests']} footage requests, {result['owner_emails']} owner emails."
        )
