"""The worker heartbeat: `manage.py worker_heartbeat` (a timer, every minute) queues it, a worker runs it,
and /readyz looks for a recent successful run (cameraregistry/readiness.py)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def worker_heartbeat() -> str:
    return timezone.now().isoformat()
