from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit chain, check it against the anchors and name the first broken entry (exit 1)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--anchors", type=Path, help="Anchor file to check (default: DATA_DIR/audit-anchors.log).")
        parser.add_argument("--chunk-size", type=int, default=2000, help="Entries fetched per database round trip.")

    def handle(self, *args, anchors: Path | None = None, chunk_size: int = 2000, **options) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        result = verify_chain(anchors_path=anchors, chunk_size=chunk_size)
        if not result.intact:
            raise CommandError(result.message, returncode=1)
        self.stdout.write(result.message)
