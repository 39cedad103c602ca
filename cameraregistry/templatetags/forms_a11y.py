from django import template
from django.forms import BoundField

register = template.Library()


@register.simple_tag
def described_widget(field: BoundField, suppress_errors: bool = False) -> str:
    """Render a widget tied to its help text and errors for screen readers."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_help")
    attrs = {}
    if field.errors and not suppress_errors:
        ids.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)
