from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cameraregistry.backups import BackupError
from cameraregistry.restore import restore_from


class Command(BaseCommand):
    help = (
        "Rebuild a fresh instance (empty database, empty DATA_DIR) from a backup folder: checks every hash in "
        "its manifest first, then restores and runs verify_audit_log. Needs the same FIELD_ENCRYPTION_KEYS."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("backup_dir", type=Path, help="A backup-<time>/ folder written by manage.py backup.")

    def handle(self, *args, backup_dir: Path, **options) -> None:
        try:
            result = restore_from(backup_dir)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored from {backup_dir}: {result['evidence_verified']} evidence files verified. {result['audit']}"
        )
