"""Charts drawn on the server as inline SVG: no script, no CDN, allowed by the CSP.

Horizontal bars keep long agency and category names readable on a 360 px phone; the trend
is a column chart with the attainment rate as a line. Every chart sits beside a table of
the same numbers, so the SVG is a picture and the table is the record.
"""
from __future__ import annotations

from typing import Callable

from markupsafe import Markup, escape

WIDTH = 320
ROW_HEIGHT = 36
BAR_HEIGHT = 12
LABEL_CHARS = 30


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


def bar_chart(rows: list[dict], *, label: str, value: str, title: str, fmt: Callable[[int], str],
              limit: int = 12, alt: bool = False) -> Markup:
    """One labelled horizontal bar per row (the first `limit` rows), scaled to the largest."""
    rows = rows[:limit]
    top = max((max(r[value] or 0, 0) for r in rows), default=0) or 1
    css = "chart-bar-alt" if alt else "chart-bar"
    body = []
    for i, row in enumerate(rows):
        y = i * ROW_HEIGHT
        amount = max(row[value] or 0, 0)
        width = round(WIDTH * amount / top, 1)
        shown = fmt(row[value])
        body.append(
            f'<g><title>{escape(row[label])}: {escape(shown)}</title>'
            f'<text class="chart-label" x="0" y="{y + 13}">{escape(_short(row[label]))}</text>'
            f'<text class="chart-label chart-value" x="{WIDTH}" y="{y + 13}" text-anchor="end">{escape(shown)}</text>'
            f'<rect class="chart-track" x="0" y="{y + 18}" width="{WIDTH}" height="{BAR_HEIGHT}" rx="3"/>'
            f'<rect class="{css}" x="0" y="{y + 18}" width="{width}" height="{BAR_HEIGHT}" rx="3"/></g>'
        )
    return _svg(max(len(rows), 1) * ROW_HEIGHT, title, body)


def trend_chart(rows: list[dict], *, label: Callable[[dict], str], value: str, rate: str, title: str,
                fmt: Callable[[int], str], rate_fmt: Callable[[int | None], str]) -> Markup:
    """Columns for `value` per month and a line for `rate` (basis points, 0–100 %)."""
    height, base, top_pad = 190, 160, 14
    plot = base - top_pad
    step = WIDTH / max(len(rows), 1)
    top = max((max(r[value] or 0, 0) for r in rows), default=0) or 1
    body = [f'<line class="chart-axis" x1="0" y1="{base}" x2="{WIDTH}" y2="{base}"/>']
    points = []
    # Every other month is labelled when they would crowd a phone; the table has them all.
    labelled = set(range(len(rows) - 1, -1, -2 if len(rows) > 6 else -1))
    for i, row in enumerate(rows):
        x = i * step
        amount = max(row[value] or 0, 0)
        h = round(plot * amount / top, 1)
        tip = f"{label(row)}: {fmt(row[value])} · {rate_fmt(row[rate])}"
        body.append(
            f'<g><title>{escape(tip)}</title>'
            f'<rect class="chart-bar" x="{x + step * 0.18:.1f}" y="{base - h}" width="{step * 0.64:.1f}" height="{h}" rx="2"/>'
            + (f'<text class="chart-label" x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle">'
               f'{escape(label(row))}</text>' if i in labelled else "")
            + "</g>"
        )
        if row[rate] is not None:
            points.append((x + step / 2, base - plot * min(row[rate], 10_000) / 10_000))
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="chart-line" points="{path}"/>')
        body.extend(f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in points)
    return _svg(height, title, body)
