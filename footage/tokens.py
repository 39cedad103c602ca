"""Private links for footage requests, bound to one request.

The mechanism is cameraregistry/signed_links.py, as for owners' links. The link carries the request's public
id too, and the stored token must belong to that very request, so a link can never
open another request. It stays usable until the request expires, because owners come
back to upload after exporting from their recorder.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cameraregistry.signed_links import LinkError, link_secret_hash, new_link
from footage.models import FootageRequest, FootageRequestToken

_SALT = "footage.request-link"
MAX_AGE = timedelta(days=366)


def request_link_issue(*, footage_request: FootageRequest) -> str:
    token_hash, value = new_link(_SALT)
    FootageRequestToken.objects.create(
        request=footage_request, token_hash=token_hash, expires_at=footage_request.expires_at
    )
    return value


def request_link_check(public_id: object, value: str) -> FootageRequest:
    token_hash = link_secret_hash(value, _SALT, MAX_AGE)
    stored = (
        FootageRequestToken.objects.select_related("request__agency", "request__case")
        .filter(token_hash=token_hash)
        .first()
    )
    if stored is None or str(stored.request.public_id) != str(public_id):
        raise LinkError("invalid")
    if stored.expires_at <= timezone.now() or stored.request.status == "expired":
        raise LinkError("expired")
    return stored.request
