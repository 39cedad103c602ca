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


COOKIE_PROBE = """
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory

request = RequestFactory().get("/", secure=True, HTTP_HOST="registry.example.org")
get_token(request)
response = CsrfViewMiddleware(lambda request: HttpResponse()).process_response(request, HttpResponse())
print("names", settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME)
print("paths", settings.SESSION_COOKIE_PATH, settings.CSRF_COOKIE_PATH, settings.LANGUAGE_COOKIE_PATH)
print("domains", settings.SESSION_COOKIE_DOMAIN, settings.CSRF_COOKIE_DOMAIN, settings.LANGUAGE_COOKIE_DOMAIN)
print("secure", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SECURE)
print("header", response.cookies.output())
"""


@pytest.mark.slow
def test_production_cookies_carry_the_host_prefix(tmp_path):
    """__Host- cookies are only valid Secure, with Path=/ and no Domain; the browser enforces the rest."""
    result = manage(tmp_path, "shell", "-c", COOKIE_PROBE)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines["names"] == "__Host-sessionid __Host-csrftoken __Host-django_language"
    assert lines["paths"] == "/ / /" and lines["domains"] == "None None None" and lines["secure"] == "True True True"
    header = lines["header"]
    assert header.startswith("Set-Cookie: __Host-csrftoken=") and "Path=/" in header and "Secure" in header
    assert "Domain" not in header


@pytest.mark.slow
def test_development_keeps_the_plain_cookie_names(tmp_path):
    result = manage(tmp_path, "shell", "-c", COOKIE_PROBE, SECURE_COOKIES="false", SECURE_SSL_REDIRECT="false")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "names sessionid csrftoken django_language" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_encryption_keys(tmp_path):
    result = manage(tmp_path, "check", FIELD_ENCRYPTION_KEYS="")

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


@pytest.mark.slow
def test_the_retired_registration_rate_limit_variable_stops_start_up_with_directions(tmp_path):
    result = manage(tmp_path, "check", REGISTRATION_RATE_LIMIT_PER_HOUR="10")

    assert result.returncode != 0
    assert "REGISTRATION_RATE_LIMIT_PER_HOUR is no longer used" in result.stderr
    assert "REGISTRATION_POST_LIMIT_PER_HOUR" in result.stderr
    assert manage(tmp_path, "check", REGISTRATION_POST_LIMIT_PER_HOUR="5").returncode != 0  # at least 10


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
