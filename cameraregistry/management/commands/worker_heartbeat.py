from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cameraregistry.readiness import HEARTBEAT_TASK_PATH
from cameraregistry.tasks import worker_heartbeat


class Command(BaseCommand):
    help = (
        "Queue the worker heartbeat task (a timer runs this every minute; /readyz checks a worker ran it) "
        "and remove heartbeat results older than a day."
    )

    def handle(self, *args, **options) -> None:
        worker_heartbeat.enqueue()
        old = timezone.now() - timedelta(days=1)
        removed, _ = DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK_PATH, enqueued_at__lt=old).delete()
        self.stdout.write(f"Heartbeat queued; {removed} old heartbeat results removed.")
