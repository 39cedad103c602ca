"""Database ids from outside: the path converter `<id:case_id>` (instead of `<int:case_id>`)
and the form field `IdField`.

Django's `int` converter takes any run of digits, so `/cases/99999999999999999999/` reaches
the view and the database refuses the number ("Python int too large to convert to SQLite
INTEGER", a 500). This one matches only what a BigAutoField can hold, 1 to 2**63 - 1, without
leading zeros, so every other value is a plain 404 before any view runs. A form's hidden id
gets the same bounds from IdField and answers a form error.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1


def is_valid_id(value: object) -> bool:
    """True for an int (not a bool) that a database id column can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def parse_id(text: object) -> int | None:
    """The id that `text` spells (ASCII digits, no leading zero, 1 to 2**63 - 1), or None."""
    if not isinstance(text, str) or not re.fullmatch(IdConverter.regex, text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class IdConverter:
    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")  # Django answers "no match": a 404
        return number

    def to_url(self, value: object) -> str:
        number = int(value)  # type: ignore[call-overload]
        if not is_valid_id(number):
            raise ValueError(f"{value!r} is not a valid id")
        return str(number)


class IdField(forms.IntegerField):
    """A database id posted by a form (usually hidden): 1 to 2**63 - 1, else a form error."""

    widget = forms.HiddenInput
    default_error_messages = {
        "min_value": _("This form refers to a record that does not exist. Reload the page and try again."),
        "max_value": _("This form refers to a record that does not exist. Reload the page and try again."),
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
