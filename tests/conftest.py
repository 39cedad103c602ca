"""Shared fixtures: a tiny demo town, and people inside and outside it."""

from __future__ import annotations

import pytest

from registrations.demo import build_town


@pytest.fixture
def town(db):
    """Two agencies (Maple Falls and Cedar Grove), their terms, address points and 40 registrations."""
    build_town(registrations=40, seed=7)
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
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "uploads"}},
    }
    settings.DATA_DIR = tmp_path
    from django.core.cache import cache

    cache.clear()
    yield
