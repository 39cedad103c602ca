"""`Authorization: Bearer <secret>` → the token's integration account, carrying the token's permissions."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.models import ApiToken
from api.scopes import permissions_for
from api.services import api_token_touch, secret_hash
from audit.services import audit_record
from cameraregistry.http import client_ip
from cameraregistry.ratelimit import Window, window_reserve

KEYWORD = b"bearer"
RATE_WINDOW_SECONDS = 60


class RateLimited(exceptions.Throttled):
    pass


def address_allowed(address: str, allowed: list[str]) -> bool:
    if not allowed:
        return True
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    if getattr(parsed, "ipv4_mapped", None) is not None:
        parsed = parsed.ipv4_mapped
    for entry in allowed:
        try:
            if parsed in ipaddress.ip_network(entry, strict=False):
                return True
        except (ValueError, TypeError):
            continue
    return False


class ApiTokenAuthentication(BaseAuthentication):
    """Refuses unknown, expired and revoked tokens, disabled accounts and addresses outside the allow-list."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as “Authorization: Bearer <token>”."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = (
            ApiToken.objects.select_related("account", "agency").filter(token_hash=secret_hash(secret)).first()
            if 20 <= len(secret) <= 200
            else None
        )
        now = timezone.now()
        if token is None or not token.account.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The token was revoked."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        address = client_ip(request._request)
        if not address_allowed(address, token.allowed_addresses):
            audit_record(
                action="api.address_refused",
                actor=token.account,
                object_type="api_token",
                object_id=token.pk,
                parameters={"token": {"name": token.name, "prefix": token.prefix}},
                outcome="refused",
                request=request._request,
            )
            raise exceptions.PermissionDenied(_("The token may not be used from this address."))
        self._rate_limit(token)
        api_token_touch(token=token, now=now)
        account = token.account
        if account.agency_id == token.agency_id:
            account.agency = token.agency  # read with the token; the views ask for it (limits, units)
        account.api_permissions = permissions_for(token.scopes)
        account.api_token = token
        return account, token

    def _rate_limit(self, token: ApiToken) -> None:
        window = Window.current(RATE_WINDOW_SECONDS)
        if not window_reserve("api-token", str(token.pk), settings.API_RATE_LIMIT_PER_MINUTE, window):
            wait = max(1, int((window.ends_at - timezone.now()).total_seconds()) + 1)
            raise RateLimited(wait=wait, detail=_("Too many requests for this token; try again in a minute."))

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
