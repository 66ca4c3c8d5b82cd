"""Small SVG charts drawn on the server: they work without JavaScript and print as they look."""

from __future__ import annotations

from html import escape

from markupsafe import Markup


def bar_chart(title: str, values: dict[str, float], *, unit: str = "", width: int = 420, money: bool = False) -> Markup:
    """Horizontal bars, one per label, with its value written beside it; `title` names the chart for screen readers."""
    rows = list(values.items())
    bar_h, gap, label_w, value_w = 18, 8, 170, 70
    height = max(1, len(rows)) * (bar_h + gap) + gap
    top = max([v for _, v in rows] or [0]) or 1
    span = width - label_w - value_w
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
    ]
    if not rows:
        parts.append(f'<text x="0" y="{gap + 12}" class="muted">nothing yet</text>')
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = round(span * value / top)
        shown = f"${value:,.0f}" if money else f"{value:,.0f}{unit}"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label[:26])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" rx="2"></rect>')
        parts.append(f'<text x="{label_w + max(w, 1) + 6}" y="{y + 13}">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def progress_ring(done: int, total: int, label: str) -> Markup:
    """A ring showing `done` of `total` steps."""
    r, c = 36, 2 * 3.14159 * 36
    share = done / total if total else 0
    return Markup(
        f'<svg class="ring" role="img" aria-label="{escape(label)}" viewBox="0 0 90 90" width="90" height="90"><title>{escape(label)}</title>'
        f'<circle cx="45" cy="45" r="{r}" class="ring-bg"></circle>'
        f'<circle cx="45" cy="45" r="{r}" class="ring-fg" stroke-dasharray="{c * share:.1f} {c:.1f}" transform="rotate(-90 45 45)"></circle>'
        f'<text x="45" y="50" text-anchor="middle">{done}/{total}</text></svg>'
    )
