from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services import staff_inactivity_run


class Command(BaseCommand):
    help = (
        "Disable staff accounts nobody signed in to for STAFF_INACTIVE_DAYS and email a warning a week before "
        "(run daily, e.g. from a systemd timer)."
    )

    def handle(self, *args, **options):
        result = staff_inactivity_run()
        self.stdout.write(
            f"Inactive for {settings.STAFF_INACTIVE_DAYS} days: {result['disabled']} disabled, "
            f"{result['warned']} warned."
        )
