"""JSON from people and files, parsed with bounded nesting and size.

Python's json module recurses once per nested array or object, so a value of a few thousand
`[` raises RecursionError (a 500) instead of a parse error. `loads` scans the text first —
brackets outside strings — and refuses it before json.loads sees it.
"""

from __future__ import annotations

import json
import re
from typing import Any

DEFAULT_MAX_DEPTH = 32
DEFAULT_MAX_CHARS = 20 * 1024 * 1024

# Everything that can stand between two brackets outside a string: skipped in one regex step.
_PLAIN = re.compile(r'[^\[\]{}"]+')
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class JSONInputError(ValueError):
    """The text is not JSON we accept; the message says why, for the person who sent it."""


class JSONTooDeep(JSONInputError):
    """Arrays or objects nested deeper than allowed."""


class JSONTooLong(JSONInputError):
    """More text than allowed."""


def loads(text: str | bytes, *, max_depth: int = DEFAULT_MAX_DEPTH, max_chars: int | None = DEFAULT_MAX_CHARS) -> Any:
    """json.loads, but a text longer than `max_chars` (None: any length) or nested deeper than
    `max_depth` is refused with JSONInputError (a ValueError, like json's own errors) before it is parsed."""
    if isinstance(text, bytes | bytearray):
        if max_chars is not None and len(text) > max_chars:
            raise JSONTooLong(_too_long(max_chars))
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JSONInputError("The text is not UTF-8 encoded.") from None
    if max_chars is not None and len(text) > max_chars:
        raise JSONTooLong(_too_long(max_chars))
    check_depth(text, max_depth)
    try:
        return json.loads(text)
    except ValueError as error:
        raise JSONInputError(f"This is not valid JSON ({error}).") from None


def check_depth(text: str, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Raise JSONTooDeep when arrays and objects in `text` nest deeper than `max_depth`."""
    depth = 0
    position, end = 0, len(text)
    while position < end:
        character = text[position]
        if character in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONTooDeep(f"The data is nested too deeply (more than {max_depth} levels of brackets).")
            position += 1
        elif character in "]}":
            depth = max(depth - 1, 0)
            position += 1
        elif character == '"':
            match = _STRING.match(text, position)
            # An unterminated string: json.loads will name the error; nothing more to count.
            if match is None:
                return
            position = match.end()
        else:
            position = _PLAIN.match(text, position).end()


def _too_long(max_chars: int) -> str:
    return f"The data is too long (more than {max_chars // 1024:,} KB)."
