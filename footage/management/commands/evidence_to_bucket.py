from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cameraregistry.progress import Progress
from footage.evidence_migration import evidence_to_bucket
from footage.models import EvidenceFile
from footage.upload_sinks import current_storage, uses_bucket


class Command(BaseCommand):
    help = (
        "Copy the evidence in the local folder (DATA_DIR/uploads) into the bucket STORAGE_URL names, verifying every "
        "SHA-256 after the upload. Resumable: objects already there with the right hash are skipped. Files that do "
        "not verify are reported and their local copy kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="source", default="", help="The local folder to copy from (default: DATA_DIR/uploads)."
        )
        parser.add_argument(
            "--remove-local",
            action="store_true",
            help="Delete each local file once the bucket holds it with the recorded SHA-256.",
        )

    def handle(self, *args, source: str, remove_local: bool, **options):
        if not uses_bucket():
            raise CommandError("STORAGE_URL does not name a bucket: set STORAGE_URL=s3://… first (see README).")
        folder = Path(source) if source else Path(settings.DATA_DIR) / "uploads"
        if not folder.is_dir():
            raise CommandError(f"The local folder {folder} does not exist.")
        storage = current_storage()
        total = EvidenceFile.objects.filter(purged_at__isnull=True).count()
        progress = Progress("Evidence to bucket", total, self.stderr._out)
        report = evidence_to_bucket(storage=storage, source=folder, remove_local=remove_local, progress=progress)
        self.stdout.write(
            f"Copied and verified: {len(report.copied)}. Already in the bucket: {len(report.already_there)}. "
            f"Local copies removed: {len(report.removed_local)}. Problems: {len(report.problems)}."
        )
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if report.problems:
            raise CommandError(f"{len(report.problems)} file(s) did not verify; their local copies were kept.")
