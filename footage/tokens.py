"""Private links for footage requests, bound to one request.

The same approach as owners' links (registrations/tokens.py): 32 random bytes, only the
SHA-256 stored, the link signed with a timestamp. The link carries the request's public
id too, and the stored token must belong to that very request, so a link can never
open another request. It stays usable until the request expires, because owners come
back to upload after exporting from their recorder.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.utils import timezone

from footage.models import FootageRequest, FootageRequestToken
from registrations.tokens import LinkError

_SALT = "footage.request-link"
MAX_AGE = timedelta(days=366)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_link_issue(*, footage_request: FootageRequest) -> str:
    token = secrets.token_urlsafe(32)
    FootageRequestToken.objects.create(
        request=footage_request, token_hash=_hash(token), expires_at=footage_request.expires_at
    )
    return signing.TimestampSigner(salt=_SALT).sign(token)


def request_link_check(public_id: object, value: str) -> FootageRequest:
    try:
        token = signing.TimestampSigner(salt=_SALT).unsign(str(value)[:200], max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None
    stored = (
        FootageRequestToken.objects.select_related("request__agency", "request__case")
        .filter(token_hash=_hash(token))
        .first()
    )
    if stored is None or str(stored.request.public_id) != str(public_id):
        raise LinkError("invalid")
    if stored.expires_at <= timezone.now() or stored.request.status == "expired":
        raise LinkError("expired")
    return stored.request
