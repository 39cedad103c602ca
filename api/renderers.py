"""The API's JSON: the bytes DRF's JSONRenderer writes, encoded by orjson.

A canvass answer is ~170 KB; the standard library's encoder took ~3 ms of a ~30 ms search, orjson ~0.2 ms
(bench/api_http.py). The output is DRF's: compact separators, UTF-8 without escapes, U+2028 and U+2029 escaped
(as DRF does for pasting into a script), and anything orjson does not write exactly as DRF's encoder would
(datetimes, Decimals, lazy translations, integers beyond 64 bits, non-text keys) is written by DRF's own
encoder, so no value changes form. Two differences: a number below 1e-4 in size may be written in another
notation (0.00001 and -3.5e-7 where DRF writes 1e-05 and -3.5e-07: the same numbers), and a float that is not a
number is written as null, where DRF's strict encoder would fail the request. A request that asks for
indentation gets DRF's renderer unchanged.
"""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer as DrfJSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()
# Subclasses of str, int, dict and list (choices, ReturnDict) are written as their base type, as json writes them.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class _NotPlain(Exception):
    """A value orjson would write differently from DRF's encoder: DRF writes the whole answer."""


def _not_plain(value: object) -> object:
    raise _NotPlain


class JSONRenderer(DrfJSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context) is not None or self.encoder_class is not JSONEncoder:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            content = orjson.dumps(data, default=_not_plain, option=_OPTIONS)
        except (_NotPlain, orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in content:  # the lead bytes of U+2028 and U+2029 (and of other punctuation)
            content = content.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return content
