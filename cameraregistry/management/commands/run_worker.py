"""`manage.py run_worker`: django-tasks' database worker (`db_worker`) that survives the database restarting.

The stock worker exits on the first connection error (PostgreSQL restarting refuses connections for
a few seconds). This one runs the same loop (django_tasks_db's Worker) and, when the database is
unavailable (cameraregistry/db_unavailable.py says which errors mean that), closes its connections,
logs a warning, waits 1, 2, 4 ... up to 30 s, and resumes once the database answers again.

What a task was doing stays as django-tasks guarantees: a task is claimed (READY → RUNNING) in one
transaction, so a claim the outage interrupted was rolled back and the task is still READY for the
next poll; a task that ran while the database went away keeps its outcome until it can be recorded
(SUCCESSFUL or FAILED), instead of being left RUNNING by a dead worker. SIGTERM stops it promptly,
also while it waits: between tasks at once, during a task after that task (django-tasks' own rule).
It takes db_worker's options, and never reloads on code changes (a production worker).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError
from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from cameraregistry.db_unavailable import is_database_unavailable

logger = logging.getLogger("cameraregistry.worker")

FIRST_WAIT_SECONDS = 1.0
MAX_WAIT_SECONDS = 30.0


def _first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0][:200]}"


def _close_connections() -> None:
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # noqa: BLE001, S110 - it is closed because it is broken
            pass


class ResilientWorker(Worker):
    """django_tasks_db's Worker, resumed after every database outage instead of exiting."""

    def _sleep(self, seconds: float) -> None:
        """Sleep, waking early when a signal asked the worker to stop (time.sleep resumes after a handler)."""
        until = time.monotonic() + seconds
        while self.running and time.monotonic() < until:
            time.sleep(min(0.25, until - time.monotonic()))

    def _database_answers(self) -> bool:
        try:
            with connections[DBTaskResult.objects.db].cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            return False
        return True

    def _wait_for_database(self, error: BaseException) -> None:
        wait = FIRST_WAIT_SECONDS
        logger.warning(
            "Database unavailable (%s); worker %s waits %g s and tries again", _first_line(error), self.worker_id, wait
        )
        while self.running:
            _close_connections()
            self._sleep(wait)
            if not self.running:
                return
            if self._database_answers():
                logger.warning("Database reachable again; worker %s resumes", self.worker_id)
                return
            wait = min(wait * 2, MAX_WAIT_SECONDS)
            logger.warning("Database still unavailable; worker %s waits %g s", self.worker_id, wait)

    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return
            except Exception as error:
                if not is_database_unavailable(error):
                    raise
                if not self.running:
                    break  # asked to stop: nothing to wait for
                self.startup_delay = False  # the random start-up delay is for the first start only
                self._wait_for_database(error)
        logger.info("Worker %s stopped", self.worker_id)

    def _recorded(self, record: Callable[[Any], None], db_task_result: DBTaskResult) -> Callable[[Any], None]:
        """`record` (set_successful or set_failed), retried with backoff while the database is unavailable."""

        def record_when_possible(value: Any) -> None:
            wait = FIRST_WAIT_SECONDS
            while True:
                try:
                    return record(value)
                except Exception as error:
                    if not is_database_unavailable(error):
                        raise
                    if not self.running:
                        logger.error("Task %s: stopped before its outcome could be recorded", db_task_result.id)
                        raise
                    logger.warning(
                        "Task %s finished but the database is unavailable (%s); recording it in %g s",
                        db_task_result.id,
                        _first_line(error),
                        wait,
                    )
                    _close_connections()
                    self._sleep(wait)
                    wait = min(wait * 2, MAX_WAIT_SECONDS)

        return record_when_possible

    def run_task(self, db_task_result: DBTaskResult) -> None:
        db_task_result.set_successful = self._recorded(db_task_result.set_successful, db_task_result)
        db_task_result.set_failed = self._recorded(db_task_result.set_failed, db_task_result)
        super().run_task(db_task_result)


class Command(DbWorkerCommand):
    help = "Run the background task worker (db_worker that waits out database restarts; for production)"

    def handle(self, *, verbosity: int, **options: Any) -> None:
        self.configure_logging(verbosity)
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
