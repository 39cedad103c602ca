"""The base of every API operation: token authentication, one scope, and one audit entry per request."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import IntegerField, Serializer
from rest_framework.views import APIView

from api.authentication import ApiTokenAuthentication
from api.models import ApiToken
from api.parsers import BoundedJSONParser
from api.permissions import HasScope
from audit.services import AuditWriteFailed, audit_record
from cameraregistry.db_unavailable import is_database_unavailable


def token_parameters(token: ApiToken) -> dict[str, str]:
    """How the audit log names a token: its name and the prefix shown on the tokens page, never the secret."""
    return {"name": token.name, "prefix": token.prefix}


class ApiView(APIView):
    """Subclasses set `operation` (audited as `api.<operation>` unless `audit_action` says otherwise)
    and `required_scope`, and call `self.audit(...)` once, before answering with data."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasScope]
    operation: str = ""
    required_scope: str = ""
    audit_action: str = ""
    # No OPTIONS metadata: it would answer without an audit entry; OPTIONS is a 405 like any other method.
    metadata_class = None

    def audit(
        self,
        request,
        *,
        object_type: str = "",
        object_id: str | int = "",
        parameters: dict[str, Any] | None = None,
        outcome: str = "success",
    ) -> None:
        audit_record(
            action=self.audit_action or f"api.{self.operation}",
            actor=request.user,
            object_type=object_type,
            object_id=object_id,
            parameters={"token": token_parameters(request.auth), **(parameters or {})},
            outcome=outcome,
            request=request._request,
        )
        self._audited = True

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if is_database_unavailable(exc):
            return response  # the refusal could not be written either (and request.auth would query again)
        request = self.request
        token = getattr(request, "auth", None)
        if (
            isinstance(token, ApiToken)
            and not getattr(self, "_audited", False)
            and not isinstance(exc, AuditWriteFailed)
        ):
            try:
                self.audit(request, parameters={"status": response.status_code}, outcome="refused")
            except AuditWriteFailed as failed:
                return super().handle_exception(failed)
        return response


def service_errors(error: DjangoValidationError, fields: dict[str, str] | None = None) -> ValidationError:
    """A service's ValidationError as the API's 400: each of its keys renamed to the request field it is about."""
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        return ValidationError({"non_field_errors": error.messages})
    detail: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        name = "non_field_errors" if key == "__all__" else fields.get(key, key)
        detail.setdefault(name, []).extend(messages)
    return ValidationError(detail)


class JsonApiView(ApiView):
    """An operation that reads a JSON body: bounded size and nesting (api.parsers)."""

    parser_classes = [BoundedJSONParser]


class QueryInteger(IntegerField):
    """A whole number in a query string, written in digits only ("1.0", " 1" and "1e3" are refused)."""

    def to_internal_value(self, data):
        if not (isinstance(data, str) and data.isascii() and data.isdigit()):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryInput(Serializer):
    """Query parameters: one given empty (`?page=`) is an error, not taken as left out."""

    def to_internal_value(self, data):
        blank = {
            name: ["Give a value, or leave the parameter out."]
            for name in self.fields
            if hasattr(data, "getlist") and any(value == "" for value in data.getlist(name))
        }
        if blank:
            raise ValidationError(blank)
        return super().to_internal_value(data)
