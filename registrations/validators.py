from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PHONE_ALLOWED = re.compile(r"^[0-9+().\-\s/]*$")
_EXTENSION = re.compile(r"[\s,;]*(?:x|ext|extn|extension|#)\s*[.:]?\s*(\d{1,6})$", re.IGNORECASE)
# Notes people add to a number: "(cell)", "Cell: ...", "... mobile", "h:".
_LABELS = r"cell|cellphone|cell phone|mobile|home|work|office|landline|main|day|evening|text|phone|tel|c|h|w|m"
_NOTE_IN_BRACKETS = re.compile(r"\(\s*[a-z][a-z .'/-]*\)", re.IGNORECASE)
_LEADING_LABEL = re.compile(rf"^\s*(?:{_LABELS})\b\s*(?:phone|number|#)?\s*[:.\-]?\s*", re.IGNORECASE)
_TRAILING_LABEL = re.compile(rf"[\s,;/\-]*\b(?:{_LABELS})\b\.?\s*$", re.IGNORECASE)
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})


def _without_notes(text: str) -> str:
    text = " ".join(text.translate(_DASHES).split()).rstrip(".")
    text = _NOTE_IN_BRACKETS.sub(" ", text)
    for _round in range(2):  # "Cell: 708-555-0100 (work)", "708-555-0100 x12 cell"
        text = _LEADING_LABEL.sub("", text, count=1)
        text = _TRAILING_LABEL.sub("", text, count=1)
    return text.strip()


def normalize_phone(value: str) -> str:
    """Accept the ways people write phone numbers; store one canonical form.

    '(708) 555-0100' -> '708-555-0100'; '+1 708 555 0100' -> '708-555-0100';
    '+52 55 1234 5678' -> '+525512345678'; '708.555.0100 ext 12' -> '708-555-0100 x12';
    '708-555-0100 (cell)' and 'Cell: 708-555-0100' -> '708-555-0100'.
    """
    text = value.strip()
    if not text:
        return ""
    if len(text) > 60:
        raise ValidationError(_("Enter a phone number using digits, spaces, dashes or brackets only."), code="phone")
    extension = ""
    if not _PHONE_ALLOWED.match(text):  # letters, '#' or typographic dashes: notes, labels, an extension
        text = _without_notes(text)
        match = _EXTENSION.search(text)
        if match:
            extension = match.group(1)
            text = _without_notes(text[: match.start()])
    if not _PHONE_ALLOWED.match(text):
        raise ValidationError(_("Enter a phone number using digits, spaces, dashes or brackets only."), code="phone")
    digits = re.sub(r"\D", "", text)
    international = text.strip().startswith("+")
    if len(digits) == 11 and digits.startswith("1"):  # "1-708-…" and "+1 708 …": a North American number
        digits, international = digits[1:], False
    if international:
        if not 8 <= len(digits) <= 15:
            raise ValidationError(_("An international number has 8 to 15 digits after the +."), code="phone")
        formatted = f"+{digits}"
    else:
        if len(digits) != 10:
            raise ValidationError(_("Enter a 10-digit phone number, including the area code."), code="phone")
        formatted = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return f"{formatted} x{extension}" if extension else formatted
