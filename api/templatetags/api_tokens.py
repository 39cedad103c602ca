from django import template

from accounts.access import has_permission
from api.staff_views import MANAGE

register = template.Library()


@register.filter
def manages_api_tokens(user) -> bool:
    """Whether the staff navigation shows the API tokens page to `user`."""
    return has_permission(user, MANAGE)
