"""The request body parser of the operations that take JSON: bounded size and nesting, errors named."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from api.problems import ProblemException
from cameraregistry import safe_json

MAX_BODY_BYTES = 512 * 1024
MAX_DEPTH = 8


class BoundedJSONParser(JSONParser):
    """JSON of at most MAX_BODY_BYTES, nested at most MAX_DEPTH deep; a larger body is a 413 problem.

    NaN and Infinity parse as numbers, so the field that holds one is the one the error names.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise ProblemException(
                413,
                f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.",
                errors=[{"field": None, "message": f"At most {MAX_BODY_BYTES // 1024} KiB of JSON."}],
            )
        try:
            return safe_json.loads(raw, max_depth=MAX_DEPTH, max_chars=None)
        except safe_json.JSONInputError as error:
            raise ParseError(f"The body is not JSON this API reads: {error}") from None
