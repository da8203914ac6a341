"""A results database's summary (``conduct report``) as text, one CSV table or an HTML page.

The figures come from :func:`analyzer.store.summaries.build_summary`; the
page's charts are inline SVG bar charts (``reports/templates/summary.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analyzer.reports.pages import render
from analyzer.store import error_text
from analyzer.store.rows import SummaryRow
from analyzer.store.summaries import MEASURES, SECTIONS, Summary
from analyzer.tables import write_csv


def columns(key: str, rows: list[SummaryRow]) -> list[str]:
    """The columns of section ``key``: its group columns, then the measures its rows have."""
    group = next(cols for k, _, cols in SECTIONS if k == key)
    present = set(rows[0]) if rows else set()
    return [*group, *(m for m in MEASURES if m in present)]


def render_text(summary: Summary) -> str:
    """Plain-text tables."""
    t = summary.totals
    out = [f"Conduct report: {summary.db} ({summary.generated_at})"]
    if summary.filters.items():
        out.append("filters: " + ", ".join(f"{k}={v}" for k, v in summary.filters.items()))
    out.append(f"{t.interactions} interactions, {t.flagged} flagged, {t.findings} "
               f"findings, mean score {fmt(t.mean_score) or '–'}, {hours(t.hours)} h of audio, "
               f"{summary.errors} input errors")
    for key, title, _ in SECTIONS:
        rows = summary.sections[key]
        out += ["", title]
        if not rows:
            out.append("  (none)")
            continue
        cols = columns(key, rows)
        cells = [[fmt(r.get(c)) for c in cols] for r in rows]
        widths = [max(len(c), *(width(row[i]) for row in cells)) for i, c in enumerate(cols)]
        out.append("  " + "  ".join(pad(c, w) for c, w in zip(cols, widths, strict=True)))
        out += ["  " + "  ".join(pad(v, w) for v, w in zip(row, widths, strict=True))
                for row in cells]
    if summary.error_rows:
        out += ["", "Input errors"]
        out += [f"  run {e['run_id']}  {e['kind']}  {error_text(e['path'], e['message'])}"
                for e in summary.error_rows]
    return "\n".join(out) + "\n"


def render_csv(summary: Summary) -> str:
    """One CSV table: ``section`` then the group and measure columns."""
    cols = ["section", "hall", "window", "day", "article", "rule", "kind", *MEASURES,
            "path", "message"]
    rows: list[dict[str, object]] = [{"section": "total", **summary.totals.as_row()}]
    rows += [{"section": key, **row} for key, _, _ in SECTIONS for row in summary.sections[key]]
    rows += [{"section": "error", **row} for row in summary.error_rows]
    return write_csv(cols, rows)


def render_html(summary: Summary) -> str:
    """A self-contained HTML page: tables plus inline SVG bar charts."""
    s = summary.sections
    charts = [
        bar_chart("Mean score per hall", [(str(r["hall"] or "—"), _number(r["mean_score"]))
                                          for r in s["hall"]], 100),
        bar_chart("Flagged interactions per window",
                  [(f"{r['hall']} #{r['window']}", _number(r["flagged"])) for r in s["window"]]),
        bar_chart("Findings per article", [(f"Article {r['article']}", _number(r["findings"]))
                                           for r in s["article"]]),
        bar_chart("Interactions per day", [(str(r["day"] or "—"), _number(r["interactions"]))
                                           for r in s["day"]]),
    ]
    tables = [(title, columns(key, s[key]), [[fmt(r.get(c)) for c in columns(key, s[key])]
                                             for r in s[key]])
              for key, title, _ in SECTIONS]
    errors = [(e["run_id"], e["kind"], error_text(e["path"], e["message"]))
              for e in summary.error_rows]
    return render("summary.html", summary=summary, totals=summary.totals, charts=charts,
                  tables=tables, errors=errors, fmt=fmt, hours=hours,
                  filters=", ".join(f"{k}={v}" for k, v in summary.filters.items()) or "none")


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, placed (pixels)."""

    label: str
    value: float
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart, laid out for ``reports/templates/_bars.svg``."""

    title: str
    bars: list[Bar]
    label_width: int
    plot_width: int
    bar_height: int
    height: int

    def svg(self) -> str:
        """The chart as an inline ``<svg>`` element."""
        return render("_bars.svg", chart=self, fmt=fmt)


def bar_chart(title: str, data: list[tuple[str, float]], top: float | None = None) -> BarChart:
    """A horizontal bar chart of (label, value), at most 30 bars, scaled to ``top``."""
    data = data[:30]
    labels = [label[:24] for label, _ in data]
    # wide enough for the longest label (CJK characters take two columns, ~6.5 px each)
    bar, plot_w = 16, 260
    label_w = max(60, 12 + int(6.5 * max((width(s) for s in labels), default=0)))
    scale = top or max((v for _, v in data), default=1) or 1
    bars = [Bar(labels[i], value, 22 + i * bar, plot_w * float(value) / scale)
            for i, (_label, value) in enumerate(data)]
    return BarChart(title, bars, label_w, plot_w, bar, 30 + bar * max(1, len(data)))


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def fmt(value: object) -> str:
    """A cell: "" for None, floats without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def hours(value: float) -> str:
    """Hours of audio: ``0`` when there is none, else as summed (to 3 decimals)."""
    return "0" if value == 0 else str(value)


def width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def pad(text: str, size: int) -> str:
    """``text`` padded with spaces to display width ``size``."""
    return text + " " * (size - width(text))


RENDERERS: dict[str, Callable[[Summary], str]] = {
    "text": render_text, "csv": render_csv, "html": render_html}
