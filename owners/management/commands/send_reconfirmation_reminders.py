from django.core.management.base import BaseCommand

from owners.services import reconfirmation_run


class Command(BaseCommand):
    help = "Email owners whose registration is due for its yearly re-confirmation; mark silent ones stale after the grace period."

    def handle(self, *args, **options):
        result = reconfirmation_run()
        self.stdout.write(f"Reminders queued: {result['reminded']}. Marked stale: {result['stale']}.")
