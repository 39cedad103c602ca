"""EMAIL_URL parsing: one variable describes where email goes.

smtp://user:password@mail.example.org:587?tls=true   (STARTTLS)
smtps://user:password@mail.example.org:465           (implicit TLS)
file:///var/lib/registry/outbox                      (one .eml file per message)
console://                                           (print to the terminal)
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def email_settings(url: str, default_outbox: Path) -> dict[str, object]:
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(default_outbox),
        }
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path) or str(default_outbox),
        }
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL needs a host name, e.g. smtp://mail.example.org:587")
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured("EMAIL_URL has a port that is not a number.") from None
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": scheme == "smtp" and query.get("tls") in {"1", "true", "yes"},
            "EMAIL_TIMEOUT": 20,
        }
    raise ImproperlyConfigured(f"EMAIL_URL scheme {scheme!r} is not supported; use smtp, smtps, file or console.")
