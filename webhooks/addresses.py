"""Where a webhook may be sent: public https addresses only (no SSRF into the registry's own network).

Checked when an endpoint is saved and again, on the resolved address, before every delivery; the
connection then goes to exactly the address that was checked, so a DNS answer cannot change in between.
Plain http to 127.0.0.1 / localhost is allowed only with DEBUG or WEBHOOK_ALLOW_HTTP_LOOPBACK (tests).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_URL_LENGTH = 500
LOOPBACK_NAMES = ("localhost", "127.0.0.1")


class UnsafeAddress(ValueError):
    """The URL or the address it resolves to may not receive webhooks; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string


def loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOK_ALLOW_HTTP_LOOPBACK", False))


def address_allowed(address: str) -> bool:
    """Public unicast addresses; loopback only when allowed. Private, link-local, reserved: never."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if ip.is_loopback:
        return loopback_allowed()
    return ip.is_global and not ip.is_multicast


def target_parse(url: str) -> Target:
    """The URL's parts, or UnsafeAddress naming what is wrong (nothing is resolved here)."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeAddress(_("Enter the URL that will receive the webhooks."))
    url = url.strip()
    if len(url) > MAX_URL_LENGTH or any(ord(ch) < 33 for ch in url):
        raise UnsafeAddress(_("The URL must be at most 500 characters, without spaces."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeAddress(_("The URL is not valid.")) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise UnsafeAddress(_("The URL must start with https:// and name a host."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeAddress(_("The URL must not contain a user name or password."))
    if parts.fragment:
        raise UnsafeAddress(_("The URL must not contain a #fragment."))
    if parts.scheme == "http" and not (loopback_allowed() and host in LOOPBACK_NAMES):
        raise UnsafeAddress(_("The URL must use https://."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def target_resolve(target: Target) -> str:
    """The address to connect to: every address the host resolves to must be allowed (UnsafeAddress if not)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeAddress(_("The host %(host)s cannot be resolved.") % {"host": target.host[:100]}) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeAddress(_("The host %(host)s cannot be resolved.") % {"host": target.host[:100]})
    for address in addresses:
        if not address_allowed(address):
            raise UnsafeAddress(
                _(
                    "%(host)s resolves to %(address)s, a private, loopback or reserved address; webhooks go only to public addresses."
                )
                % {"host": target.host[:100], "address": address}
            )
    return addresses[0]


def url_check(url: str) -> tuple[str, Target, str]:
    """(the normalised URL, its parts, the checked address) or UnsafeAddress."""
    target = target_parse(url)
    return url.strip(), target, target_resolve(target)
