"""Webhook-Signature: `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, one per valid secret, space-separated."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

ROTATION_GRACE = dt.timedelta(hours=24)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signing_secrets(endpoint, now: dt.datetime) -> list[str]:
    """The current secret, and for 24 hours after a rotation the previous one too."""
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.rotated_at and now - endpoint.rotated_at < ROTATION_GRACE:
        secrets.append(endpoint.previous_secret)
    return secrets


def signature_header(endpoint, timestamp: int, body: bytes, now: dt.datetime) -> str:
    return " ".join(f"v1={signature(secret, timestamp, body)}" for secret in signing_secrets(endpoint, now))


def signature_valid(secret: str, header: str, timestamp: int, body: bytes) -> bool:
    """What a receiver does: any v1= value matching (constant-time compare)."""
    expected = signature(secret, timestamp, body)
    return any(part.startswith("v1=") and hmac.compare_digest(part[3:], expected) for part in (header or "").split())
