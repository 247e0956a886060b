"""Bar charts drawn on the server as SVG: no JavaScript, readable by screen readers (a title, a
description and every figure written as text), and legible on a phone (the drawing scales to
the screen's width; each label sits on its own line above its bar)."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

# One unit of the drawing is one CSS pixel on a 360-pixel-wide phone; wider screens stop at 32rem.
WIDTH = 360
ROW_HEIGHT = 40
BAR_HEIGHT = 14
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    total: int  # the whole bar (unique persons)
    part: int  # the darker part of it (persons who completed)
    text: str  # the figures as a reader hears them, e.g. "120 persons, 80 completed"


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """An SVG with one bar per row, scaled to the largest; every string is escaped."""
    largest = max((bar.total for bar in bars), default=0) or 1
    height = TOP + ROW_HEIGHT * max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" width="100%" style="max-width:32rem" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for position, bar in enumerate(bars):
        y = TOP + position * ROW_HEIGHT
        total_width = round(WIDTH * bar.total / largest, 1)
        part_width = round(WIDTH * bar.part / largest, 1)
        parts.append(
            f'<g><text x="0" y="{y + 12}" font-size="13" fill="#212529">{escape(bar.label)} — {escape(bar.text)}</text>'
            f'<rect x="0" y="{y + 18}" width="{total_width}" height="{BAR_HEIGHT}" fill="#9ec5fe"/>'
            f'<rect x="0" y="{y + 18}" width="{part_width}" height="{BAR_HEIGHT}" fill="#0b5ed7"/></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — built from escaped text and numbers only
