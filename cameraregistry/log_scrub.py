"""A logging filter that keeps usable secrets out of every log line.

Django logs the request path on a CSRF failure, a 404 or a 400, and an owner's private
link carries its token in the path: a log reader could open the registration. This filter,
installed on every handler in settings.LOGGING, rewrites each record before it is written:
link tokens in paths, anything in django.core.signing's format, session ids and CSRF tokens
become "[redacted]", in the message, its arguments, the traceback and the attached request.
"""

from __future__ import annotations

import copy
import functools
import logging
import re

from django.conf import settings
from django.http import HttpRequest

REDACTED = "[redacted]"

# The URL patterns that carry a secret in the path (owners/urls.py, footage/urls.py).
# tests/test_log_scrub.py fails if a new pattern takes a `value` without being listed here.
TOKEN_PATHS = re.compile(r"(/manage/(?:link|confirm)/|/footage/r/[^/\s]+/)([^/\s?#\"'<>]+)")
# django.core.signing: value[:timestamp]:signature, the signature an HMAC in URL-safe base64
# (43 characters for SHA-256, 27 for the legacy SHA-1). The colon may arrive percent-encoded.
# The value is matched only from the start of its run of characters and possessively (`++`): a
# long hostile run with no colon is read once, not once per position (which was quadratic and
# took minutes on a 64 KB request line).
SIGNED_VALUE = re.compile(r"(?<![\w.\-])[\w.\-]++(?::|%3[Aa])(?:[0-9A-Za-z]{1,13}(?::|%3[Aa]))?[\w\-]{27,}")
# No log line needs more than this; anything longer is cut (and says so) before it is scrubbed.
MAX_TEXT = 64 * 1024
TRUNCATED = " [cut: longer than 64 KB]"
_SECRET_NAMES = ("sessionid", "csrftoken", "csrfmiddlewaretoken", "x-csrftoken", "http_x_csrftoken", "csrf_cookie")


@functools.cache
def _named_secrets(session_cookie: str, csrf_cookie: str) -> re.Pattern:
    names = {*_SECRET_NAMES, session_cookie.lower(), csrf_cookie.lower()}
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    # name=value (cookies, query strings), 'name': 'value' (dict reprs), name: value (headers).
    return re.compile(rf"((?:{alternatives})['\"]?\s*[=:]\s*['\"]?)([^\s;,&'\"]+)", re.IGNORECASE)


def scrub(text: str, exact: tuple[str, ...] = ()) -> str:
    """`text` with every token, signed value, session id and CSRF token replaced by [redacted]."""
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + TRUNCATED
    for secret in exact:
        text = text.replace(secret, REDACTED)
    text = TOKEN_PATHS.sub(rf"\1{REDACTED}", text)
    text = SIGNED_VALUE.sub(REDACTED, text)
    return _named_secrets(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME).sub(rf"\1{REDACTED}", text)


def _request_secrets(request: HttpRequest) -> tuple[str, ...]:
    """The exact secret values this request carries, found even where no pattern would match them."""
    values = [
        getattr(getattr(request, "session", None), "session_key", None),
        request.COOKIES.get(settings.SESSION_COOKIE_NAME),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME),
        request.META.get("CSRF_COOKIE"),
        # An API token (api.authentication): `Bearer <secret>`, so a logged request never carries it.
        *request.META.get("HTTP_AUTHORIZATION", "").split()[1:2],
    ]
    match = getattr(request, "resolver_match", None)
    if match is not None:
        values.append(match.kwargs.get("value"))
    # Short strings could be ordinary words; every real secret here is far longer.
    return tuple(value for value in values if isinstance(value, str) and len(value) >= 16)


def _scrubbed_request(request: HttpRequest, exact: tuple[str, ...]) -> HttpRequest:
    """A shallow copy whose path, headers and cookies are scrubbed; the live request is left alone."""
    clean = copy.copy(request)
    for attribute in ("path", "path_info"):
        if isinstance(getattr(request, attribute, None), str):
            setattr(clean, attribute, scrub(getattr(request, attribute), exact))
    if isinstance(getattr(request, "META", None), dict):
        clean.META = {
            key: scrub(value, exact) if isinstance(value, str) else value for key, value in request.META.items()
        }
        for key in ("HTTP_COOKIE", "CSRF_COOKIE", "HTTP_X_CSRFTOKEN"):
            if key in clean.META:
                clean.META[key] = REDACTED
    if "COOKIES" in getattr(request, "__dict__", {}):
        clean.COOKIES = {name: REDACTED for name in request.COOKIES}
    return clean


class ScrubSecretsFilter(logging.Filter):
    """Rewrites the record in place (so every later handler sees the clean one) and keeps it."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request and django.security attach the HttpRequest; django.server attaches a socket.
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):
            request = None
        exact = _request_secrets(request) if request is not None else ()
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is logging's to report, not ours
            message = str(record.msg)
        # Formatting here once means no argument can bring a secret back in later.
        record.msg, record.args = scrub(message, exact), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, exact)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, exact)
        if request is not None and not getattr(record, "_secrets_scrubbed", False):
            record.request = _scrubbed_request(request, exact)
            record._secrets_scrubbed = True
        return True
