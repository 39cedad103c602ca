"""Pieces of the OpenAPI document shared by the operations: the problem+json body and its status codes."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

PROBLEM = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "errors": serializers.ListField(child=serializers.DictField(), required=False),
        "suggestions": serializers.ListField(
            child=serializers.DictField(), required=False, help_text="422 for an unknown address: the nearest ones"
        ),
    },
)
COMMON = (400, 401, 403, 404, 429, 503)


def problems(*codes: int) -> dict:
    """`responses` entries: each status answered as application/problem+json."""
    return {(code, "application/problem+json"): PROBLEM for code in sorted({*COMMON, *codes})}
