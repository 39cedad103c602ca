"""Small server-rendered SVG charts: no script, no external library, readable without colour."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_MONTH = re.compile(r"\d{4}-\d{2}")


def bar_chart(series: list[tuple[str, int]], title: str, width: int = 640, height: int = 200) -> SafeString:
    if not series:
        return mark_safe("")
    top = max((value for _label, value in series), default=0) or 1
    gap, left, bottom = 4, 36, 30
    bar_width = max(4, (width - left) // len(series) - gap)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#6b6b6b"/>',
        f'<text x="0" y="12" font-size="11" fill="#4a4a4a">{top}</text>',
    ]
    for index, (label, value) in enumerate(series):
        bar_height = round((height - bottom - 16) * value / top)
        x = left + index * (bar_width + gap)
        y = height - bottom - bar_height
        parts.append(
            f'<rect x="{x}" y="{y}" width="{bar_width}" height="{bar_height}" fill="#0b5394">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if value:
            parts.append(
                f'<text x="{x + bar_width / 2}" y="{y - 3}" font-size="10" text-anchor="middle" fill="#1a1a1a">{value}</text>'
            )
        parts.append(
            f'<text x="{x + bar_width / 2}" y="{height - bottom + 14}" font-size="10" text-anchor="middle" '
            f'fill="#4a4a4a">{escape(label[2:] if _MONTH.fullmatch(label) else label[:14])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above
