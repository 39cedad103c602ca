from __future__ import annotations

from django.core.management.base import BaseCommand

from administration.models import PurgeRecord
from administration.services import purge_expired

AGENCY_KINDS = (
    (PurgeRecord.Kind.STALE_REGISTRATIONS, "registrations not re-confirmed"),
    (PurgeRecord.Kind.REJECTED_REGISTRATIONS, "registrations rejected as spam"),
    (PurgeRecord.Kind.FOOTAGE_FILES, "evidence files after case close"),
)


class Command(BaseCommand):
    help = (
        "Apply every agency's retention rules (stale and spam-rejected registrations, evidence files after "
        "case close, old audit entries) and print what was removed per agency. Safe to repeat."
    )

    def handle(self, *args, **options):
        report = purge_expired()
        for agency, counts in report.by_agency.items():
            removed = ", ".join(f"{counts[kind]:,} {label}" for kind, label in AGENCY_KINDS)
            self.stdout.write(f"{agency}: {removed}")
        self.stdout.write(f"Audit log entries past retention: {report.totals[PurgeRecord.Kind.AUDIT_ENTRIES]:,}")
        tombstones = report.totals["registration_tombstones"]
        self.stdout.write(f"Sync-feed tombstones past REGISTRATION_TOMBSTONE_DAYS: {tombstones:,}")
