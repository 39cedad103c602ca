"""`{{ moment|clock:"Y-m-d H:i" }}`: Django's date filter, plus the zone's abbreviation on the one night a local
time happens twice, so a window typed as 1:10 to 1:40 on that night reads 1:10 CDT to 1:40 CST (90 minutes)."""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def clock(moment, format_string: str = "DATETIME_FORMAT") -> str:
    if not isinstance(moment, datetime.datetime):
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    text = formats.date_format(local, format_string)
    if local.tzinfo is not None and local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        text = f"{text} {local.tzname()}"
    return text
