"""Inline SVG charts generated in Python: a line chart and a bar chart, no library, no script."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 48
COLOURS = ("#0969da", "#cf222e", "#bf8700", "#1a7f37", "#8250df")


def _scale(peak: float) -> float:
    """Return a round upper bound for an axis whose largest value is peak."""
    if peak <= 0:
        return 1.0
    step = 1.0
    while step * 10 < peak:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= peak:
            return step * factor
    return peak


def _frame(title: str, top: float, body: list[str]) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    axis = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#57606a"/>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#57606a"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{top:g}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    return (
        f'<svg role="img" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">'
        f"<title>{escape(title)}</title>{''.join(axis)}{''.join(body)}</svg>"
    )


def lines(
    title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]]
) -> tuple[str, str]:
    """Return (caption, svg) of one polyline per series over the labels (e.g. days)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _scale(max((v for values in series.values() for v in values), default=0))
    step = plot_w / max(len(labels) - 1, 1)
    body: list[str] = []
    for index, (name, values) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(
            f"{LEFT + i * step:.1f},{TOP + plot_h - v / top * plot_h:.1f}"
            for i, v in enumerate(values)
        )
        if points:
            body.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                f'points="{points}"><title>{escape(name)}</title></polyline>'
            )
        body.append(
            f'<text x="{LEFT + index * 110}" y="{HEIGHT - 8}" fill="{colour}">'
            f"&#9632; {escape(name)}</text>"
        )
    if labels:
        body.append(_edge_labels(labels))
    return title, _frame(title, top, body)


def _edge_labels(labels: Sequence[str]) -> str:
    y = HEIGHT - BOTTOM + 16
    first = f'<text x="{LEFT}" y="{y}">{escape(labels[0])}</text>'
    last = f'<text x="{WIDTH - RIGHT}" y="{y}" text-anchor="end">{escape(labels[-1])}</text>'
    return first + (last if len(labels) > 1 else "")


def bars(title: str, values: Sequence[tuple[str, float]]) -> tuple[str, str]:
    """Return (caption, svg) of one vertical bar per (label, value)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _scale(max((v for _, v in values), default=0))
    slot = plot_w / max(len(values), 1)
    body: list[str] = []
    for index, (label, value) in enumerate(values):
        height = value / top * plot_h
        x = LEFT + index * slot + slot * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{height:.1f}" fill="{COLOURS[0]}"><title>{escape(label)}: {value:g}'
            "</title></rect>"
        )
        body.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{escape(label[:12])}</text>"
        )
    return title, _frame(title, top, body)
