"""Checks behind /readyz: can this app server do its work right now?

Each check does the smallest real operation on its component and returns None when it worked, or a
one-line reason. The worker check reads django_tasks_db's own table: the heartbeat task
(cameraregistry/tasks.py), queued every minute by a timer, must have finished within
READYZ_WORKER_MAX_AGE_SECONDS, which proves a worker is taking tasks off the queue.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cameraregistry.tasks import worker_heartbeat

HEARTBEAT_TASK_PATH = worker_heartbeat.module_path


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def _cache() -> str | None:
    key, value = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 30)
    read = cache.get(key)
    cache.delete(key)
    return None if read == value else "a value written to the cache could not be read back"


def _storage() -> str | None:
    content = secrets.token_bytes(16)
    name = default_storage.save(f"readyz/{secrets.token_hex(8)}.bin", ContentFile(content))
    try:
        with default_storage.open(name, "rb") as handle:
            read = handle.read()
    finally:
        default_storage.delete(name)
    return None if read == content else "an object written to storage read back different"


def _worker() -> str | None:
    max_age = settings.READYZ_WORKER_MAX_AGE_SECONDS
    recent = DBTaskResult.objects.filter(
        task_path=HEARTBEAT_TASK_PATH,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__gte=timezone.now() - timedelta(seconds=max_age),
    )
    if recent.exists():
        return None
    return f"no worker heartbeat finished in the last {max_age} s (is run_worker and the heartbeat timer running?)"


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": _database,
    "cache": _cache,
    "storage": _storage,
    "worker": _worker,
}


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{error.__class__.__name__}: {text[0][:200]}" if text else error.__class__.__name__


def readiness() -> dict[str, str]:
    """Each component's status: "ok" or "error: <reason>"."""
    statuses = {}
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as error:  # noqa: BLE001 - a probe reports every failure, it never raises
            problem = _first_line(error)
        statuses[name] = "ok" if problem is None else f"error: {problem}"
    return statuses
