from django.core.management.base import BaseCommand

from footage.services import footage_reminders_run


class Command(BaseCommand):
    help = "Queue reminder emails for unanswered footage requests and expire those past the agency's limit."

    def handle(self, *args, **options):
        result = footage_reminders_run()
        self.stdout.write(f"Reminders queued: {result['reminders']}. Expired: {result['expired']}.")
