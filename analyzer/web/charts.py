"""Small inline SVG charts for the dashboard (no JavaScript, no CDN).

Each function returns an SVG element as a string, safe to insert into a page
(labels are escaped). Colours come from CSS classes ``s0`` .. ``s7`` defined
in ``static/style.css``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

_W, _H = 860, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 240, 26, 36
_SERIES = 8


def line_chart(
    days: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    y_max: float = 100.0,
    y_label: str = "",
) -> str:
    """A line per series over the days (None = no data that day).

    Args:
        days: X axis labels (``YYYY-MM-DD``), in order.
        series: Name -> one value per day.
        title: Accessible title of the chart.
        y_max: Top of the Y axis (bottom is 0).
        y_label: Unit shown at the top of the Y axis.
    """
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    parts = [_open(title), *_axes(days, y_max, y_label)]
    step = plot_w / max(len(days) - 1, 1)
    for k, (name, values) in enumerate(series.items()):
        points = [
            (_LEFT + i * step, _TOP + plot_h * (1 - min(v, y_max) / y_max))
            for i, v in enumerate(values)
            if v is not None
        ]
        cls = f"s{k % _SERIES}"
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline class="line {cls}" points="{path}"/>')
        for (x, y), v in zip(points, [v for v in values if v is not None], strict=True):
            parts.append(
                f'<circle class="dot {cls}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                f"<title>{escape(name)}: {v:g}</title></circle>"
            )
        parts.append(_legend(k, name))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    days: Sequence[str],
    stacks: Mapping[str, Sequence[int]],
    *,
    title: str,
    y_label: str = "",
) -> str:
    """Stacked bars per day, one colour per stack (e.g. per article).

    Args:
        days: X axis labels, in order.
        stacks: Name -> one count per day.
        title: Accessible title of the chart.
        y_label: Unit shown at the top of the Y axis.
    """
    totals = [sum(vals[i] for vals in stacks.values()) for i in range(len(days))]
    y_max = float(max(totals, default=0) or 1)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    parts = [_open(title), *_axes(days, y_max, y_label, bars=True)]
    slot = plot_w / max(len(days), 1)
    width = max(min(slot * 0.7, 40), 2)
    for i in range(len(days)):
        x = _LEFT + slot * i + (slot - width) / 2
        base = 0.0
        for k, (name, vals) in enumerate(stacks.items()):
            v = vals[i]
            if not v:
                continue
            h = plot_h * v / y_max
            y = _TOP + plot_h * (1 - base / y_max) - h
            parts.append(
                f'<rect class="bar s{k % _SERIES}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                f'height="{h:.1f}"><title>{escape(days[i])} {escape(name)}: {v}</title></rect>'
            )
            base += v
    for k, name in enumerate(stacks):
        parts.append(_legend(k, name))
    parts.append("</svg>")
    return "".join(parts)


def _open(title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )


def _axes(days: Sequence[str], y_max: float, y_label: str, bars: bool = False) -> list[str]:
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    out = [
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + plot_h}"/>',
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" '
        f'y2="{_TOP + plot_h}"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        y = _TOP + plot_h * (1 - frac)
        out.append(
            f'<text class="tick" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{y_max * frac:g}</text>"
        )
        if frac:
            out.append(f'<line class="grid" x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}"/>')
    if y_label:
        out.append(f'<text class="tick" x="{_LEFT - 6}" y="{_TOP - 12}" text-anchor="end">{escape(y_label)}</text>')
    n = len(days)
    every = max(1, (n + 7) // 8)
    for i, day in enumerate(days):
        if i % every:
            continue
        x = _LEFT + (plot_w / max(n, 1) * (i + 0.5) if bars else plot_w / max(n - 1, 1) * i)
        out.append(
            f'<text class="tick" x="{x:.1f}" y="{_TOP + plot_h + 16}" text-anchor="middle">'
            f"{escape(day[5:] if len(day) == 10 else day)}</text>"
        )
    return out


def _legend(k: int, name: str) -> str:
    x, y = _W - _RIGHT + 14, _TOP + 14 + 18 * k
    label = name if len(name) <= 20 else name[:19] + "…"
    return (
        f'<rect class="bar s{k % _SERIES}" x="{x}" y="{y - 9}" width="10" height="10"/>'
        f'<text class="legend" x="{x + 16}" y="{y}">{escape(label)}</text>'
    )
