"""A results database's summary (``conduct report``) as text, one CSV table or an HTML page.

The figures come from :func:`analyzer.store.summaries.build_summary`; the
page's charts are inline SVG bar charts (``reports/templates/summary.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analyzer.i18n import gettext as _
from analyzer.i18n import ngettext
from analyzer.reports.columns import label, labels
from analyzer.reports.pages import render
from analyzer.reports.text import pad, table, width
from analyzer.store import error_text
from analyzer.store.rows import SummaryRow
from analyzer.store.summaries import MEASURES, SECTIONS, Summary
from analyzer.tables import write_csv


def columns(key: str, rows: list[SummaryRow]) -> list[str]:
    """The columns of section ``key``: its group columns, then the measures its rows have."""
    group = next(cols for k, _, cols in SECTIONS if k == key)
    present = set(rows[0]) if rows else set()
    return [*group, *(m for m in MEASURES if m in present)]


def headline(summary: Summary) -> str:
    """The totals in one sentence, plural forms right in the reader's language."""
    t = summary.totals
    parts = [ngettext("%(num)d interaction", "%(num)d interactions", t.interactions),
             _("%(n)d flagged", n=t.flagged),
             ngettext("%(num)d finding", "%(num)d findings", t.findings),
             _("mean score %(score)s", score=fmt(t.mean_score) or "–"),
             _("%(hours)s h of audio", hours=hours(t.hours)),
             ngettext("%(num)d input error", "%(num)d input errors", summary.errors)]
    return _(", ").join(parts)


def generated(summary: Summary) -> str:
    """When the report was made, on the halls' clock (the database's ``halls`` options)."""
    return summary.zones.show(summary.generated_at)


def render_text(summary: Summary) -> str:
    """Plain-text tables with labelled columns."""
    out = [_("Conduct report: %(db)s (made %(when)s)", db=summary.db, when=generated(summary))]
    if summary.filters.items():
        out.append(_("filters: %(filters)s", filters=", ".join(
            f"{label(k)}={v}" for k, v in summary.filters.items())))
    out.append(headline(summary))
    for key, title, _cols in SECTIONS:
        rows = summary.sections[key]
        out += ["", _(title)]
        if not rows:
            out.append("  " + _("(none)"))
            continue
        cols = columns(key, rows)
        out += table(labels(cols), [[fmt(r.get(c)) for c in cols] for r in rows], indent="  ")
    if summary.error_rows:
        out += ["", _("Input errors")]
        out += [f"  run {e['run_id']}  {e['kind']}  {error_text(e['path'], e['message'])}"
                for e in summary.error_rows]
    return "\n".join(out) + "\n"


def render_csv(summary: Summary) -> str:
    """One CSV table: ``section`` then the group and measure columns."""
    cols = ["section", "hall", "window", "day", "article", "rule", "kind", *MEASURES,
            "path", "message"]
    rows: list[dict[str, object]] = [{"section": "total", **summary.totals.as_row()}]
    rows += [{"section": key, **row} for key, _t, _c in SECTIONS for row in summary.sections[key]]
    rows += [{"section": "error", **row} for row in summary.error_rows]
    return write_csv(cols, rows, bom=True, header=labels(cols))


def render_html(summary: Summary) -> str:
    """A self-contained HTML page: tables plus inline SVG bar charts."""
    s = summary.sections
    charts = [
        bar_chart(_("Mean score per hall"), [(str(r["hall"] or "—"), _number(r["mean_score"]))
                                             for r in s["hall"]], 100),
        bar_chart(_("Flagged interactions per window"),
                  [(f"{r['hall']} #{r['window']}", _number(r["flagged"])) for r in s["window"]]),
        bar_chart(_("Findings per article"),
                  [(_("Art. %(n)s", n=r["article"]), _number(r["findings"]))
                   for r in s["article"]]),
        bar_chart(_("Interactions per day"), [(str(r["day"] or "—"), _number(r["interactions"]))
                                              for r in s["day"]]),
    ]
    tables = [(_(title), labels(columns(key, s[key])),
               [[fmt(r.get(c)) for c in columns(key, s[key])] for r in s[key]])
              for key, title, _c in SECTIONS]
    errors = [(e["run_id"], e["kind"], error_text(e["path"], e["message"]))
              for e in summary.error_rows]
    filters = ", ".join(f"{label(k)}={v}" for k, v in summary.filters.items())
    return render("summary.html", summary=summary, headline=headline(summary),
                  generated=generated(summary), charts=charts, tables=tables, errors=errors,
                  filters=filters or _("none"))


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


__all__ = ["RENDERERS", "bar_chart", "columns", "fmt", "hours", "pad", "render_csv",
           "render_html", "render_text", "width"]


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


RENDERERS: dict[str, Callable[[Summary], str]] = {
    "text": render_text, "csv": render_csv, "html": render_html}
