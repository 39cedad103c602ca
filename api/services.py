"""API token writes: create (the secret is returned once and never stored) and revoke. Both audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from api.scopes import SCOPES, scopes_grantable_by
from audit.services import audit_record

MAX_LIFETIME = dt.timedelta(days=365)
MAX_ALLOWED_ADDRESSES = 50
# What a secret starts with, so a leaked one is recognisable (e.g. by secret scanners).
SECRET_PREFIX = "ccr_"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_allowed_addresses(lines) -> list[str]:
    """Each IP address or CIDR network, normalised; ValidationError naming the first bad one."""
    addresses = []
    for raw in lines:
        value = str(raw).strip()
        if not value:
            continue
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not an IP address or a network such as 192.0.2.0/24."), params={"value": value[:60]}
            ) from None
        addresses.append(str(network))
    if len(addresses) > MAX_ALLOWED_ADDRESSES:
        raise ValidationError(_("At most %(count)s addresses or networks."), params={"count": MAX_ALLOWED_ADDRESSES})
    return sorted(set(addresses))


def _check(*, actor, name: str, scopes: list[str], expires_at: dt.datetime, now: dt.datetime) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the token a name, such as the system that will use it.")
    grantable = set(scopes_grantable_by(actor))
    if not scopes:
        errors["scopes"] = _("Choose at least one scope.")
    elif not set(scopes) <= set(SCOPES):
        errors["scopes"] = _("Unknown scope.")
    elif not set(scopes) <= grantable:
        errors["scopes"] = _("Your role cannot give these scopes: %(scopes)s.") % {
            "scopes": ", ".join(sorted(set(scopes) - grantable))
        }
    if expires_at <= now:
        errors["expires_at"] = _("The expiry must be in the future.")
    elif expires_at > now + MAX_LIFETIME:
        errors["expires_at"] = _("A token can be valid for one year at most.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def api_token_create(
    *,
    actor,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime,
    allowed_addresses: list[str] | None = None,
    request=None,
) -> tuple[ApiToken, str]:
    """A new token of the actor's agency and its integration account; returns (token, secret)."""
    now = timezone.now()
    if not getattr(actor, "agency_id", None):
        raise ValidationError(_("Only a member of an agency can create its API tokens."))
    scopes = sorted(set(scopes))
    _check(actor=actor, name=name, scopes=scopes, expires_at=expires_at, now=now)
    addresses = parse_allowed_addresses(allowed_addresses or [])
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    User = get_user_model()
    # No role: every staff page refuses it even if it could sign in; no usable password: it cannot.
    account = User(username=f"api-{secrets.token_hex(8)}", agency_id=actor.agency_id, role="", is_active=True)
    account.set_unusable_password()
    account.save()
    token = ApiToken.objects.create(
        agency_id=actor.agency_id,
        name=name.strip()[:100],
        account=account,
        scopes=scopes,
        token_hash=secret_hash(secret),
        prefix=secret[:8],
        expires_at=expires_at,
        allowed_addresses=addresses,
        created_by=actor,
        created_at=now,
    )
    audit_record(
        action="api_token.create",
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        parameters={
            "name": token.name,
            "prefix": token.prefix,
            "scopes": scopes,
            "expires_at": expires_at.isoformat(),
            "allowed_addresses": addresses,
            "account": account.username,
        },
        request=request,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken, request=None) -> ApiToken:
    """Stop the token at once; its integration account is disabled too. Revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("account").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    token.account.is_active = False
    token.account.save(update_fields=["is_active"])
    audit_record(
        action="api_token.revoke",
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        parameters={"name": token.name, "prefix": token.prefix},
        request=request,
    )
    return token


def api_token_touch(*, token: ApiToken, now: dt.datetime) -> None:
    """Record use, at most once a minute (no audit: every request is audited on its own)."""
    if token.last_used_at is not None and now - token.last_used_at < dt.timedelta(minutes=1):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    # Keeps the integration account "seen", so staff_inactivity_run disables only unused tokens' accounts.
    get_user_model().objects.filter(pk=token.account_id).update(last_login=now)
    token.last_used_at = now
