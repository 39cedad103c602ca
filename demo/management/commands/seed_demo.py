import time

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from demo.town import build_town


class Command(BaseCommand):
    help = "Build the fictional demo town (Maple Falls): streets, address points, agencies, terms and registrations."

    def add_arguments(self, parser):
        parser.add_argument("--registrations", type=int, default=2000, help="How many registrations (default 2,000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed builds the same town.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already has agencies."
        )

    def handle(self, *args, registrations: int, seed: int, if_empty: bool, **options):
        if not 0 <= registrations <= 2_000_000:
            raise CommandError("--registrations must be between 0 and 2,000,000.")
        if Agency.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; demo town not seeded again.")
                return
            raise CommandError("The database already has agencies; seed an empty database (or use --if-empty).")
        started = time.monotonic()
        counts = build_town(registrations=registrations, seed=seed, stdout=self.stderr._out)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo town built in {time.monotonic() - started:.1f}s: {counts['registrations']:,} registrations, "
                f"{counts['cameras']:,} cameras, {counts['address_points']:,} address points "
                f"({counts['grid']}×{counts['grid']} street grid)."
            )
        )
