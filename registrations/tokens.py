"""Owners' private links (the mechanism is cameraregistry/signed_links.py).

A stored expiry and a used-at time bound an owner's link beyond its signature.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cameraregistry.signed_links import LinkError, link_secret_hash, new_link
from registrations.models import OwnerAccessToken, Registration

_SALT = "registrations.owner-link"


def owner_link_issue(*, registration: Registration, purpose: str = OwnerAccessToken.Purpose.MANAGE) -> str:
    """Create a link value for the owner; the plaintext exists only in the email."""
    token_hash, value = new_link(_SALT)
    OwnerAccessToken.objects.create(
        registration=registration,
        purpose=purpose,
        token_hash=token_hash,
        expires_at=timezone.now() + timedelta(days=settings.OWNER_LINK_MAX_AGE_DAYS),
    )
    return value


def owner_link_check(value: str, purpose: str = OwnerAccessToken.Purpose.MANAGE) -> OwnerAccessToken:
    """Return the stored token for a link, or raise LinkError without consuming it."""
    max_age = timedelta(days=settings.OWNER_LINK_MAX_AGE_DAYS)
    token_hash = link_secret_hash(value, _SALT, max_age)
    stored = (
        OwnerAccessToken.objects.select_related("registration").filter(token_hash=token_hash, purpose=purpose).first()
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
