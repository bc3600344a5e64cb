"""Charts as server-rendered SVG: no script, no library, readable without colour.

Each chart is an accessible ``<svg role="img">`` with a title and a description, and the page puts the
same numbers in a table beside it (``<details>``), so a screen reader and a printout lose nothing.
Values are integer kilograms; the axes read tonnes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.units import kg_to_tonnes

# Colour-blind-safe (Okabe-Ito), each also told apart by its legend order and the table.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 48


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]  # kg, one per category


def _nice_ceiling(value: int) -> int:
    """A round number at or above ``value`` for the top of the axis (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1000
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _tonnes_label(kg: int) -> str:
    tonnes = kg_to_tonnes(kg)
    text = f"{tonnes.normalize():f}" if tonnes != tonnes.to_integral() else f"{int(tonnes):,}"
    return f"{text} t"


def _svg(title: str, description: str, body: list[str], *, height: int = HEIGHT) -> SafeString:
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{{id}}-t {{id}}-d" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{{id}}-t">{escape(title)}</title><desc id="{{id}}-d">{escape(description)}</desc>',
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308  every text above is escaped; numbers are ours


def _with_id(svg: SafeString, chart_id: str) -> SafeString:
    return mark_safe(svg.replace("{id}", escape(chart_id)))  # noqa: S308


def stacked_bars(
    *, chart_id: str, title: str, description: str, categories: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """Bars per category (months), each stacked from the series (scopes); zero is drawn as nothing."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top = _nice_ceiling(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    body = _axis(top, plot_w, plot_h)
    slot = plot_w / max(len(categories), 1)
    bar_w = max(slot * 0.62, 2)
    for index, category in enumerate(categories):
        x = LEFT + index * slot + (slot - bar_w) / 2
        y: float = TOP + plot_h
        for colour, one in zip(SERIES_COLOURS, series, strict=False):
            value = one.values[index]
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h  # float from here on
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(category)}: {escape(one.name)} {escape(_tonnes_label(value))}</title></rect>"
            )
        body.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" class="tick">'
            f"{escape(category)}</text>"
        )
    body += _legend([s.name for s in series])
    return _with_id(_svg(title, description, body), chart_id)


def line(
    *, chart_id: str, title: str, description: str, categories: Sequence[str], values: Sequence[int]
) -> SafeString:
    """One line over the categories; the axis includes zero, and a zero line is drawn when values go negative."""
    low, high = min([0, *values]), max([0, *values])
    top = _nice_ceiling(high) if high > 0 else 0
    bottom = -_nice_ceiling(-low) if low < 0 else 0
    if top == bottom:
        top = 1000
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: int) -> float:
        return TOP + plot_h * (top - value) / (top - bottom)

    body = [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}" class="zero"/>',
        f'<text x="{LEFT - 6}" y="{y_of(top) + 4:.1f}" text-anchor="end" class="tick">'
        f"{escape(_tonnes_label(top))}</text>",
        f'<text x="{LEFT - 6}" y="{y_of(0) + 4:.1f}" text-anchor="end" class="tick">0 t</text>',
    ]
    if bottom < 0:
        body.append(
            f'<text x="{LEFT - 6}" y="{y_of(bottom) + 4:.1f}" text-anchor="end" class="tick">'
            f"{escape(_tonnes_label(bottom))}</text>"
        )
    slot = plot_w / max(len(categories), 1)
    points = [(LEFT + slot * (i + 0.5), y_of(v)) for i, v in enumerate(values)]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{SERIES_COLOURS[0]}" stroke-width="2.5"/>')
    for (x, y), category, value in zip(points, categories, values, strict=True):
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{SERIES_COLOURS[0]}">'
            f"<title>{escape(category)}: {escape(_tonnes_label(value))}</title></circle>"
        )
        body.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" class="tick">{escape(category)}</text>'
        )
    return _with_id(_svg(title, description, body), chart_id)


def proportion_bar(*, chart_id: str, title: str, description: str, parts: Sequence[tuple[str, int]]) -> SafeString:
    """One horizontal bar split into parts (held / listed / retired), with a legend giving each in tonnes."""
    total = sum(value for _, value in parts)
    height = 96
    plot_w = WIDTH - 2 * RIGHT
    body = []
    x = float(RIGHT)
    for colour, (name, value) in zip(SERIES_COLOURS, parts, strict=False):
        if total <= 0 or value <= 0:
            continue
        w = plot_w * value / total
        body.append(
            f'<rect x="{x:.1f}" y="12" width="{w:.1f}" height="36" fill="{colour}">'
            f"<title>{escape(name)}: {escape(_tonnes_label(value))}</title></rect>"
        )
        x += w
    if total <= 0:
        body.append(f'<rect x="{RIGHT}" y="12" width="{plot_w}" height="36" class="empty"/>')
    body += _legend([f"{name}: {_tonnes_label(value)}" for name, value in parts], y=76)
    return _with_id(_svg(title, description, body, height=height), chart_id)


def _axis(top: int, plot_w: float, plot_h: float) -> list[str]:
    lines = []
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        value = int(top * fraction)
        y = TOP + plot_h * (1 - float(fraction))
        lines.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        lines.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{escape(_tonnes_label(value))}</text>'
        )
    return lines


def _legend(names: Sequence[str], *, y: int = HEIGHT - 10) -> list[str]:
    items, x = [], LEFT if y == HEIGHT - 10 else RIGHT
    for colour, name in zip(SERIES_COLOURS, names, strict=False):
        items.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        items.append(f'<text x="{x + 17}" y="{y}" class="legend">{escape(name)}</text>')
        x += 26 + 7 * len(name)
    return items
