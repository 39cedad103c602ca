from django.core.management.base import BaseCommand

from webhooks.urgent import urgent_run


class Command(BaseCommand):
    help = "Send footage.urgent webhooks for chosen cameras whose footage will probably be overwritten within 72 hours."

    def handle(self, *args, **options) -> None:
        queued = urgent_run()
        self.stdout.write(f"footage.urgent deliveries queued: {queued}")
