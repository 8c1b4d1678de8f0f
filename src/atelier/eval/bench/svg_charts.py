"""Plain SVG charts for bench reports: a radar chart and a bar chart, no plotting library.

Both take scores on the bench's 1–10 scale and return a self-contained `<svg>` string that a
browser shows inline in HTML and that Markdown viewers show from a file.
"""

from __future__ import annotations

import math
from html import escape

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
SCALE_MIN, SCALE_MAX = 1.0, 10.0


def _fraction(value: float | None) -> float:
    if value is None or not math.isfinite(value):
        return 0.0
    return min(max((value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN), 0.0), 1.0)


def radar_chart(axes: list[str], series: dict[str, list[float | None]], title: str, size: int = 360) -> str:
    """A radar chart on the 1–10 scale.

    Args:
        axes: axis names, clockwise from the top.
        series: name -> one value per axis (None is drawn at the centre).
        title: heading drawn above the chart.
        size: width and height of the plot area in pixels.

    Returns:
        an SVG document.
    """
    legend_height = 18 * len(series)
    centre, radius = size / 2, size / 2 - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 30 + legend_height}" font-family="sans-serif" font-size="12">',
        f'<text x="{centre}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
        '<g transform="translate(0,30)">',
    ]

    def point(axis: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * axis / len(axes)
        return centre + radius * fraction * math.cos(angle), centre + radius * fraction * math.sin(angle)

    for level in (2.5, 5.0, 7.5, 10.0):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, _fraction(level)) for i in range(len(axes))))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#ccc"/>')
    for index, name in enumerate(axes):
        x, y = point(index, 1.0)
        lx, ly = point(index, 1.18)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ccc"/>')
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" dominant-baseline="middle">{escape(name)}</text>')
    for number, (name, values) in enumerate(series.items()):
        colour = PALETTE[number % len(PALETTE)]
        outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, _fraction(v)) for i, v in enumerate(values)))
        parts.append(f'<polygon points="{outline}" fill="{colour}" fill-opacity="0.12" stroke="{colour}" stroke-width="2"/>')
        y = size + 4 + 18 * number
        parts.append(f'<rect x="10" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="28" y="{y}">{escape(name)}</text>')
    parts.append("</g></svg>")
    return "\n".join(parts)


def bar_chart(values: dict[str, float | None], title: str, width: int = 480, bar_height: int = 22) -> str:
    """Horizontal bars on the 1–10 scale, one per label, with the value written at the end.

    Args:
        values: label -> score (None draws no bar and writes "n/a").
        title: heading drawn above the bars.
        width: total width in pixels.
        bar_height: height of one bar's row.

    Returns:
        an SVG document.
    """
    label_width, top = 120, 30
    plot_width = width - label_width - 50
    height = top + bar_height * len(values) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for row, (label, value) in enumerate(values.items()):
        y = top + row * bar_height
        length = plot_width * _fraction(value)
        text = "n/a" if value is None or not math.isfinite(value) else f"{value:.2f}"
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.65:.1f}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{bar_height - 6}" fill="{PALETTE[0]}"/>')
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.65:.1f}">{text}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
