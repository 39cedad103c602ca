from django.core.management.base import BaseCommand

from webhooks.delivery import due_deliveries
from webhooks.tasks import delivery_run


class Command(BaseCommand):
    help = "Send every pending webhook delivery that is due (first tries a stopped worker missed, and retries)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="At most this many deliveries per run.")

    def handle(self, *args, limit: int, **options) -> None:
        outcomes: dict[str, int] = {}
        for delivery_id in due_deliveries(limit=max(1, limit)):
            outcome = delivery_run(delivery_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items())) or "nothing due"
        self.stdout.write(f"Webhook deliveries: {summary}")
