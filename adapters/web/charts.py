"""Small SVG charts drawn on the server: they work without JavaScript and print as they look."""

from __future__ import annotations

from html import escape

from markupsafe import Markup


def _lines(label: str, width: int = 24) -> list[str]:
    """A label on as many lines as it needs (words kept whole; a word longer than a line is split)."""
    lines: list[str] = []
    for word in label.split():
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def bar_chart(
    title: str,
    values: dict[str, float],
    *,
    unit: str = "",
    width: int = 420,
    money: bool = False,
    links: dict[str, str] | None = None,
    exact: bool = False,
) -> Markup:
    """Horizontal bars, one per label, with its value written beside it; `title` names the chart for screen
    readers. A label is never cut: a long one takes more lines. A bar with a link in `links` opens it (the
    matching list). `exact` writes a value as it is (credits in quarters: 12.5), not rounded to a whole number."""
    rows = [(label, value, _lines(label)) for label, value in values.items()]
    bar_h, gap, label_w, value_w, line_h = 18, 8, 170, 70, 15
    heights = [max(bar_h, len(lines) * line_h + 3) for _, _, lines in rows]
    height = sum(h + gap for h in heights) + gap if rows else bar_h + 2 * gap
    top = max([v for _, v, _ in rows] or [0]) or 1
    span = width - label_w - value_w
    # A chart of links is a group of them (an image's content is not read, so its links could not be reached);
    # each link is named by its own <title> ("Draft: 3"), not an aria-label that differs from the text shown.
    role = "group" if links else "img"
    parts = [
        f'<svg class="chart" role="{role}" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
    ]
    if not rows:
        parts.append(f'<text x="0" y="{gap + 12}" class="muted">nothing yet</text>')
    y = gap
    for (label, value, lines), h in zip(rows, heights, strict=True):
        w = round(span * value / top)
        shown = f"${value:,.0f}" if money else f"{value:,g}{unit}" if exact else f"{value:,.0f}{unit}"
        href = (links or {}).get(label)
        if href:
            parts.append(f'<a href="{escape(href)}"><title>{escape(label)}: {escape(shown)}</title>')
        text = "".join(
            f'<tspan x="{label_w - 6}" y="{y + 13 + n * line_h}">{escape(line)}</tspan>' for n, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end">{text}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" rx="2"></rect>')
        parts.append(f'<text x="{label_w + max(w, 1) + 6}" y="{y + 13}">{escape(shown)}</text>')
        if href:
            parts.append("</a>")
        y += h + gap
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
