"""Private one-use links: the one mechanism behind owners' links and footage-request links.

A link's secret is 32 random bytes; only its SHA-256 is stored beside the thing it opens.
The link carries the secret signed with a timestamp (a salt per kind of link), so an old or
altered link is refused before the database is asked. What the link opens, its stored expiry
and whether it was used are decided by the app that owns the model (registrations/tokens.py,
footage/tokens.py).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing

# Longer values are cut before unsigning: no link this product issues is near this long.
MAX_LINK_LENGTH = 200


class LinkError(Exception):
    """Why a link cannot be used: 'invalid', 'expired' or 'used'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def secret_hash(secret: str) -> str:
    """What is stored: the SHA-256 of the secret, never the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_link(salt: str) -> tuple[str, str]:
    """A fresh secret's stored hash and the signed value that goes into the email."""
    secret = secrets.token_urlsafe(32)
    return secret_hash(secret), signing.TimestampSigner(salt=salt).sign(secret)


def link_secret_hash(value: object, salt: str, max_age: timedelta) -> str:
    """The stored hash a link value points at, or LinkError('expired'/'invalid') from its signature alone."""
    try:
        secret = signing.TimestampSigner(salt=salt).unsign(str(value)[:MAX_LINK_LENGTH], max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None
    return secret_hash(secret)
