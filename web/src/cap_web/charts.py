"""Charts drawn on the server as SVG (no script, no inline style: the CSP forbids both).

Each chart is drawn with presentation attributes only and carries a title; the page shows the
same figures in a table for screen readers and for print.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Axis:
    """One spoke of a radar: its short label and its value on the scale ``0..maximum``."""

    label: str
    value: float | None


def _point(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def radar(
    axes: Sequence[Axis],
    *,
    maximum: float = 1000,
    title: str = "Radar des scores",
    size: int = 320,
    rings: int = 4,
) -> Markup:
    """A radar (spider) chart of ``axes``: one spoke per axis, the scores as a polygon.

    Fewer than three axes make no polygon: the spokes and points are drawn alone. A missing
    value is drawn at the centre."""
    count = len(axes)
    if count == 0:
        return Markup("")
    pad = 70
    full = size + 2 * pad
    cx = cy = full / 2
    radius = size / 2
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full} {full}" '
        f'width="{full}" height="{full}" role="img" aria-label="{escape(title)}" '
        'focusable="false">',
        f"<title>{escape(title)}</title>",
    ]
    for ring in range(1, rings + 1):
        r = radius * ring / rings
        if count >= 3:
            points = " ".join(
                f"{_fmt(x)},{_fmt(y)}"
                for x, y in (_point(cx, cy, r, i, count) for i in range(count))
            )
            parts.append(f'<polygon points="{points}" fill="none" stroke="#c9c9c9"/>')
        else:
            parts.append(
                f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(r)}" fill="none" '
                'stroke="#c9c9c9"/>'
            )
    for i, axis in enumerate(axes):
        x, y = _point(cx, cy, radius, i, count)
        parts.append(
            f'<line x1="{_fmt(cx)}" y1="{_fmt(cy)}" x2="{_fmt(x)}" y2="{_fmt(y)}" '
            'stroke="#767676"/>'
        )
        lx, ly = _point(cx, cy, radius + 18, i, count)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        parts.append(
            f'<text x="{_fmt(lx)}" y="{_fmt(ly + 4)}" text-anchor="{anchor}" font-size="14" '
            f'fill="#161616">{escape(axis.label)}</text>'
        )
    values = [max(0.0, min(1.0, (axis.value or 0) / maximum)) if maximum else 0.0 for axis in axes]
    points_xy = [_point(cx, cy, radius * v, i, count) for i, v in enumerate(values)]
    if count >= 3:
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points_xy)
        parts.append(
            f'<polygon points="{points}" fill="#123a7a" fill-opacity="0.25" '
            'stroke="#123a7a" stroke-width="2"/>'
        )
    for x, y in points_xy:
        parts.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="#123a7a"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
