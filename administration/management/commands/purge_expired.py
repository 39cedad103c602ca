from __future__ import annotations

from django.core.management.base import BaseCommand

from administration.services import purge_expired


class Command(BaseCommand):
    help = "Apply every agency's retention rules (stale registrations, footage after case close, old audit entries)."

    def handle(self, *args, **options):
        totals = purge_expired()
        for kind, count in totals.items():
            self.stdout.write(f"{kind.replace('_', ' ')}: {count:,} removed")
