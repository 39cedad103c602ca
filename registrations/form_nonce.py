"""The one-time value each registration form carries, so that a double submit saves one registration.

The page hands out a signed random value, good for a day; the service stores it with the registration
(a unique column), so the same form sent again is recognised (`selectors.submission_saved`) and a race
between two sends is refused by the database.
"""

from __future__ import annotations

import secrets

from django.core import signing

SALT = "registrations.form-nonce"
MAX_AGE_SECONDS = 24 * 3600


def new_form_nonce() -> str:
    return signing.dumps(secrets.token_hex(16), salt=SALT)


def form_nonce_value(signed: str) -> str | None:
    """The form's one-time value, or None when it was tampered with or the form is older than a day."""
    try:
        return signing.loads(signed, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
