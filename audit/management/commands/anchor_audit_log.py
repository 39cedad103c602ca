from django.core.management.base import BaseCommand

from audit.anchors import anchor_chain_head, anchor_path


class Command(BaseCommand):
    help = (
        "Write the audit chain head (UTC time, sequence, hash) to DATA_DIR/audit-anchors.log and, if enabled, syslog."
    )

    def handle(self, *args, **options) -> None:
        line = anchor_chain_head()
        if line is None:
            self.stdout.write("The audit log is empty: nothing to anchor.")
            return
        self.stdout.write(f"Anchored {line} in {anchor_path()}")
