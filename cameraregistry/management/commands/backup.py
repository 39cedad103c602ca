from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cameraregistry.backups import BackupError, backup_create, backups_prune
from cameraregistry.env import env_int, env_str


class Command(BaseCommand):
    help = (
        "Write a consistent backup (database, evidence files or object list, audit anchors, manifest with "
        "SHA-256) into a new folder under BACKUP_DIR while the app serves; never the keys. A timer runs it daily."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dest",
            type=Path,
            help="Folder that receives backup-<time>/ (default: BACKUP_DIR, else DATA_DIR/backups).",
        )
        parser.add_argument(
            "--keep", type=int, help="Keep only this many newest backups in the folder (default: BACKUP_KEEP, 0 = all)."
        )

    def handle(self, *args, dest: Path | None = None, keep: int | None = None, **options) -> None:
        destination = dest or Path(env_str("BACKUP_DIR") or Path(settings.DATA_DIR) / "backups")
        keep = env_int("BACKUP_KEEP", 0, 0) if keep is None else keep
        if keep < 0:
            raise CommandError("--keep must be 0 (keep all) or more.")
        try:
            folder = backup_create(destination)
        except (BackupError, OSError) as error:
            raise CommandError(f"Backup failed, nothing was kept: {error}") from None
        removed = backups_prune(destination, keep) if keep else []
        self.stdout.write(f"Backup written to {folder}" + (f"; {len(removed)} older removed." if removed else "."))
