"""STORAGE_URL parsing: one variable says where evidence and import uploads are kept.

(empty)                                   the local folder DATA_DIR/uploads (the default)
s3://KEY:SECRET@host:port/bucket?options  an S3-compatible bucket (AWS S3, MinIO, SeaweedFS, ...)

Options, all optional:
  region=us-east-1           the bucket's region (default us-east-1)
  secure=true|false          HTTPS to the endpoint (default true)
  addressing=path|virtual    path style (host/bucket/key, default) or virtual-host style (bucket.host/key)
  prefix=registry            keys are kept under this folder of the bucket
  object_lock_days=N         set WORM retention of N days on every evidence object (0 or absent: none)
  object_lock_mode=governance|compliance   the retention mode (default governance)

The key and secret are URL-encoded when they hold '/', '+', ':' or '@' (e.g. %2F for '/').
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

BUCKET_BACKEND = "cameraregistry.bucket_storage.BucketStorage"
_OPTIONS = {"region", "secure", "addressing", "prefix", "object_lock_days", "object_lock_mode"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def storage_settings(url: str, default_location) -> dict[str, object]:
    """The STORAGES["default"] entry that STORAGE_URL describes."""
    if not url.strip():
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": default_location}}
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "s3":
        raise ImproperlyConfigured(
            f"STORAGE_URL scheme {parts.scheme!r} is not supported; use s3://KEY:SECRET@host:port/bucket "
            "or leave STORAGE_URL empty for the local folder."
        )
    if not parts.hostname:
        raise ImproperlyConfigured("STORAGE_URL needs a host name, e.g. s3://KEY:SECRET@s3.example.org/evidence")
    if not parts.username or not parts.password:
        raise ImproperlyConfigured("STORAGE_URL needs an access key and a secret: s3://KEY:SECRET@host/bucket")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("STORAGE_URL has a port that is not a number.") from None
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise ImproperlyConfigured(
            "STORAGE_URL must name exactly one bucket after the host: s3://KEY:SECRET@host/bucket"
        )
    query = _query(parts.query)
    secure = _bool(query.get("secure", "true"), "secure")
    addressing = query.get("addressing", "path").lower()
    if addressing not in {"path", "virtual"}:
        raise ImproperlyConfigured(f"STORAGE_URL addressing must be path or virtual, not {addressing!r}.")
    mode = query.get("object_lock_mode", "governance").lower()
    if mode not in {"governance", "compliance"}:
        raise ImproperlyConfigured(f"STORAGE_URL object_lock_mode must be governance or compliance, not {mode!r}.")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    endpoint = f"{'https' if secure else 'http'}://{host}" + (f":{port}" if port else "")
    return {
        "BACKEND": BUCKET_BACKEND,
        "OPTIONS": {
            "access_key": unquote(parts.username),
            "secret_key": unquote(parts.password),
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": query.get("region", "us-east-1"),
            "addressing_style": addressing,
            "use_ssl": secure,
            "location": query.get("prefix", "").strip("/"),
            # Evidence names are generated and unique: never silently rename, never overwrite.
            "file_overwrite": False,
            "default_acl": None,
            "object_lock_days": _days(query.get("object_lock_days", "0")),
            "object_lock_mode": mode.upper(),
            # An unreachable store answers within seconds (the page says so) instead of hanging the request.
            "client_config": Config(
                connect_timeout=10, read_timeout=120, retries={"max_attempts": 3, "mode": "standard"}
            ),
        },
    }


def _query(raw: str) -> dict[str, str]:
    query = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
    unknown = sorted(set(query) - _OPTIONS)
    if unknown:
        raise ImproperlyConfigured(
            f"STORAGE_URL has unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(_OPTIONS))}."
        )
    return query


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"STORAGE_URL {name} must be true or false, not {value!r}.")


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"STORAGE_URL object_lock_days must be a whole number, not {value!r}.") from None
    if not 0 <= days <= 36500:
        raise ImproperlyConfigured(f"STORAGE_URL object_lock_days must be between 0 and 36500, not {days}.")
    return days
