"""/readyz: database, cache, storage and worker heartbeat, each broken in turn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cameraregistry.readiness import HEARTBEAT_TASK_PATH


@pytest.fixture
def heartbeat(db, run_tasks):
    call_command("worker_heartbeat", verbosity=0)
    run_tasks()


def _failed(response) -> list[str]:
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["status"] == "error"
    return body["failed"]


def test_all_ready_after_a_worker_ran_the_heartbeat(client, heartbeat):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "worker": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


def test_the_storage_probe_leaves_nothing_behind(client, heartbeat, tmp_path):
    client.get("/readyz")
    assert not any((tmp_path / "uploads").rglob("*.bin"))


@pytest.mark.django_db
def test_no_worker_heartbeat_is_named(client):
    assert _failed(client.get("/readyz")) == ["worker"]
    assert "no worker heartbeat" in client.get("/readyz").json()["checks"]["worker"]


def test_a_heartbeat_queued_but_never_run_is_not_ready(client, db):
    call_command("worker_heartbeat", verbosity=0)  # no worker takes it
    assert _failed(client.get("/readyz")) == ["worker"]


def test_a_stale_heartbeat_is_not_ready(client, heartbeat, settings):
    DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK_PATH).update(
        finished_at=timezone.now() - timedelta(seconds=settings.READYZ_WORKER_MAX_AGE_SECONDS + 5)
    )
    assert _failed(client.get("/readyz")) == ["worker"]


def test_the_heartbeat_command_removes_old_results(db):
    call_command("worker_heartbeat", verbosity=0)
    DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK_PATH).update(enqueued_at=timezone.now() - timedelta(days=2))
    call_command("worker_heartbeat", verbosity=0)
    assert DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK_PATH).count() == 1


def test_an_unreachable_database_is_named(client, heartbeat, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def unreachable(self, sql, params=None):
        raise OperationalError("could not connect to server: Connection refused")

    with monkeypatch.context() as patch:  # undone before the database teardown needs a cursor again
        patch.setattr(CursorWrapper, "execute", unreachable)
        response = client.get("/readyz")
    assert "database" in _failed(response)
    assert "Connection refused" in response.json()["checks"]["database"]
    assert response.json()["checks"]["cache"] == "ok"


def test_an_unreachable_cache_is_named(client, heartbeat, settings):
    # A Redis cache on a port nothing listens on: a real connection refusal.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/readyz")
    assert _failed(response) == ["cache"]
    assert response.json()["checks"]["cache"].startswith("error: ")


def test_unwritable_storage_is_named(client, heartbeat, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker / "uploads"},
        },
    }
    response = client.get("/readyz")
    assert _failed(response) == ["storage"]


def test_it_refuses_other_methods(client):
    assert client.post("/readyz").status_code == 405
