from __future__ import annotations

from rest_framework.permissions import BasePermission

from api.models import ApiToken


def scopes_needed(view) -> tuple[str, ...]:
    """The view's `required_scope`: one scope name, or a tuple of names that are all needed."""
    required = getattr(view, "required_scope", None) or ()
    return (required,) if isinstance(required, str) else tuple(required)


class HasScope(BasePermission):
    """The request came with a token holding the view's `required_scope` (every one, when it names several)."""

    message = "This token's scopes do not include this operation."

    def has_permission(self, request, view) -> bool:
        token = getattr(request, "auth", None)
        needed = scopes_needed(view)
        if not isinstance(token, ApiToken) or not needed:
            return False
        if len(needed) == 1:
            self.message = f"This operation needs the “{needed[0]}” scope, which this token does not have."
        else:
            names = " and ".join(f"“{scope}”" for scope in needed)
            self.message = f"This operation needs the {names} scopes; this token lacks some of them."
        return set(needed) <= set(token.scopes or [])
