from __future__ import annotations

from rest_framework.permissions import BasePermission

from api.models import ApiToken


class HasScope(BasePermission):
    """The request came with a token holding the view's `required_scope`."""

    message = "This token's scopes do not include this operation."

    def has_permission(self, request, view) -> bool:
        token = getattr(request, "auth", None)
        required = getattr(view, "required_scope", None)
        if not isinstance(token, ApiToken) or not required:
            return False
        self.message = f"This operation needs the “{required}” scope, which this token does not have."
        return required in (token.scopes or [])
