from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PHONE_ALLOWED = re.compile(r"^[0-9+().\-\s/]*((x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:x|ext\.?)\s*(\d+)$", re.IGNORECASE)


def normalize_phone(value: str) -> str:
    """Accept the ways people write phone numbers; store one canonical form.

    '(708) 555-0100' -> '708-555-0100'; '+52 55 1234 5678' -> '+525512345678';
    '708.555.0100 ext 12' -> '708-555-0100 x12'.
    """
    text = value.strip()
    if not text:
        return ""
    if len(text) > 40 or not _PHONE_ALLOWED.match(text):
        raise ValidationError(_("Enter a phone number using digits, spaces, dashes or brackets only."), code="phone")
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    digits = re.sub(r"\D", "", text)
    international = text.strip().startswith("+")
    if not international and len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if international:
        if not 8 <= len(digits) <= 15:
            raise ValidationError(_("An international number has 8 to 15 digits after the +."), code="phone")
        formatted = f"+{digits}"
    else:
        if len(digits) != 10:
            raise ValidationError(_("Enter a 10-digit phone number, including the area code."), code="phone")
        formatted = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return f"{formatted} x{extension}" if extension else formatted
