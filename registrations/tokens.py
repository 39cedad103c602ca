"""Owners' private links.

The token is 32 random bytes; only its SHA-256 is stored. The link carries the
token signed with a timestamp, so an old or altered link is refused before the
database is asked, and a stored expiry and a used-at time bound it further.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from registrations.models import OwnerAccessToken, Registration

_SALT = "registrations.owner-link"


class LinkError(Exception):
    """Why a link cannot be used: 'invalid', 'expired' or 'used'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def owner_link_issue(*, registration: Registration, purpose: str = OwnerAccessToken.Purpose.MANAGE) -> str:
    """Create a link value for the owner; the plaintext exists only in the email."""
    token = secrets.token_urlsafe(32)
    OwnerAccessToken.objects.create(
        registration=registration,
        purpose=purpose,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(days=settings.OWNER_LINK_MAX_AGE_DAYS),
    )
    return signing.TimestampSigner(salt=_SALT).sign(token)


def owner_link_check(value: str, purpose: str = OwnerAccessToken.Purpose.MANAGE) -> OwnerAccessToken:
    """Return the stored token for a link, or raise LinkError without consuming it."""
    max_age = timedelta(days=settings.OWNER_LINK_MAX_AGE_DAYS)
    try:
        token = signing.TimestampSigner(salt=_SALT).unsign(value[:200], max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None
    stored = (
        OwnerAccessToken.objects.select_related("registration").filter(token_hash=_hash(token), purpose=purpose).first()
    )
    if stored is None:
        raise LinkError("invalid")
    if stored.used_at is not None:
        raise LinkError("used")
    if stored.expires_at <= timezone.now():
        raise LinkError("expired")
    return stored


def owner_link_consume(value: str, purpose: str = OwnerAccessToken.Purpose.MANAGE) -> Registration:
    """Check and mark the link used, atomically, so it opens exactly one session."""
    stored = owner_link_check(value, purpose)
    updated = OwnerAccessToken.objects.filter(pk=stored.pk, used_at__isnull=True).update(used_at=timezone.now())
    if updated != 1:
        raise LinkError("used")
    return stored.registration
