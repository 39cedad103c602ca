"""Production settings pass Django's deployment checks, and personal pages are never cached."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.staff_fixtures import make_staff, staff_client

PROJECT = Path(__file__).resolve().parent.parent


def production_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "registry.example.org",
        "FIELD_ENCRYPTION_KEYS": base64.b64encode(os.urandom(32)).decode(),
        "DATA_DIR": str(tmp_path / "data"),
    }
    environment.update(overrides)
    return environment


def manage(tmp_path: Path, *arguments: str, **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT,
        env=production_environment(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_passes_with_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_encryption_keys(tmp_path):
    result = manage(tmp_path, "check", FIELD_ENCRYPTION_KEYS="")

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


@pytest.mark.django_db
def test_a_page_with_owner_contact_details_is_never_cached(client, town):
    from registrations.models import Registration

    registration = Registration.objects.filter(agency=town["maple"]).exclude(owner_phone="").first()
    staff_client(client, make_staff(town["maple"], "investigator"))

    response = client.post(f"/staff/registrations/{registration.public_id}/contact/")

    assert response.status_code == 200
    assert registration.owner_phone in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert response.get("Cache-Control") != "no-store"


def test_production_hashes_passwords_with_argon2():
    """The suite swaps in a fast hasher; the settings module itself must keep Argon2 first."""
    import cameraregistry.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
