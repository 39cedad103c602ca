"""Shared fixtures: a tiny demo town, and people inside and outside it."""

from __future__ import annotations

import pytest

from tests.browser_fixtures import browser, page, page_factory  # noqa: F401 - one Chromium for the whole run
from tests.smtp_fixtures import smtp  # noqa: F401 - a real SMTP server on loopback
from tests.town_snapshot import town_rows


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """`make quick` builds the test database from the models (`--nomigrations`): add what only a migration
    adds, the audit table's append-only triggers (audit/migrations/0003). `make test` and CI migrate."""
    from django.db import connections

    from audit import guards

    with django_db_blocker.unblock():
        for connection in connections.all():
            if not guards.installed(connection):
                guards.install(connection)


@pytest.fixture
def town(db):
    """Two agencies (Maple Falls and Cedar Grove), their terms, address points and 40 registrations."""
    town_rows(registrations=40, seed=7)
    from agencies.models import Agency

    return {
        "maple": Agency.objects.get(slug="maple-falls"),
        "cedar": Agency.objects.get(slug="cedar-grove"),
    }


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    """Each test writes outbox, uploads and audit anchors in its own folder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "uploads"},
        },
    }
    settings.DATA_DIR = tmp_path
    # Argon2 at full cost is 0.26 s a hash; tests/test_production_settings.py proves production uses it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()
    # A request in Spanish leaves Spanish active in this thread (LocaleMiddleware does not undo it): start
    # every test in the default language, so a test's words never depend on the one before it.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def run_queued_tasks() -> None:
    """Run every queued background task once, in this process, as the real worker would.

    The worker closes "obsolete" connections between tasks; inside a test's transaction
    on PostgreSQL that would close the test's own connection, so that step is skipped.
    """
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.fixture
def run_tasks():
    return run_queued_tasks


@pytest.fixture
def one_rate_window(monkeypatch):
    """Every rate-limit window stays the one open when the test starts, however long the test runs.

    The counters are per clock minute or hour: a test that uses up an allowance sees a fresh one if the clock rolls
    over midway (CI once crossed 23:00 UTC during the twelve-household drive, and the thirteenth was let in).
    """
    import datetime

    from django.utils import timezone

    from cameraregistry.ratelimit import Window

    started = timezone.now()

    def current(cls, seconds: int) -> Window:
        return cls(index=int(started.timestamp() // seconds), ends_at=started + datetime.timedelta(seconds=seconds))

    monkeypatch.setattr(Window, "current", classmethod(current))
