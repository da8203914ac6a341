"""Summaries of a results database: per hall, per window, per article.

``conduct report`` renders them as text, CSV (one table, a ``section``
column naming the grouping) or one self-contained HTML page whose charts are
inline SVG (no scripts, no CDN: it opens offline and can be mailed).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from analyzer.store import Store, error_text, now
from analyzer.tables import write_csv

#: The sections of a summary, in print order: (key, title, group columns).
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("hall", "Per hall", ("hall",)),
    ("window", "Per window", ("hall", "window")),
    ("article", "Per article", ("article",)),
    ("rule", "Per rule", ("article", "rule", "kind")),
    ("day", "Per day", ("day",)),
)
_MEASURES = ("interactions", "flagged", "findings", "mean_score", "min_score", "hours",
             "points", "confirmed", "dismissed", "unreviewed")


@dataclass
class Summary:
    """Everything a report shows."""

    db: str
    filters: dict[str, Any]
    generated_at: str
    totals: dict[str, Any]
    errors: int
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: the inputs that still fail: run_id, path, kind, message (:meth:`Store.latest_errors`)
    error_rows: list[dict[str, Any]] = field(default_factory=list)


def build_summary(store: Store, filters: dict[str, Any] | None = None) -> Summary:
    """Collect the per-hall / window / article / rule / day aggregates.

    Args:
        store: The results database.
        filters: Interaction filters (``since``, ``until``, ``hall`` ... see
            :meth:`Store.interactions`).
    """
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    halls = store.summary("hall", filters)
    n = sum(r["interactions"] for r in halls)
    totals = {
        "interactions": n,
        "flagged": sum(r["flagged"] or 0 for r in halls),
        "findings": sum(r["findings"] or 0 for r in halls),
        "hours": round(sum(r["hours"] or 0 for r in halls), 3),
        "mean_score": round(sum((r["mean_score"] or 0) * r["interactions"] for r in halls) / n, 1)
        if n else None,
    }
    sections = {key: store.summary(key, filters) for key, _, _ in SECTIONS}
    error_rows = [{k: e[k] for k in ("run_id", "path", "kind", "message")}
                  for e in store.latest_errors()]
    return Summary(db=store.path, filters=filters, generated_at=now(), totals=totals,
                   errors=len(error_rows), sections=sections, error_rows=error_rows)


def _columns(key: str, rows: list[dict[str, Any]]) -> list[str]:
    group = next(cols for k, _, cols in SECTIONS if k == key)
    present = set(rows[0]) if rows else set()
    return [*group, *(m for m in _MEASURES if m in present)]


def render_text(summary: Summary) -> str:
    """Plain-text tables."""
    t = summary.totals
    out = [f"Conduct report: {summary.db} ({summary.generated_at})"]
    if summary.filters:
        out.append("filters: " + ", ".join(f"{k}={v}" for k, v in summary.filters.items()))
    out.append(f"{t['interactions']} interactions, {t['flagged']} flagged, {t['findings']} "
               f"findings, mean score {_fmt(t['mean_score']) or '–'}, {t['hours']} h of audio, "
               f"{summary.errors} input errors")
    for key, title, _ in SECTIONS:
        rows = summary.sections[key]
        out += ["", title]
        if not rows:
            out.append("  (none)")
            continue
        cols = _columns(key, rows)
        cells = [[_fmt(r.get(c)) for c in cols] for r in rows]
        widths = [max(len(c), *(_width(row[i]) for row in cells)) for i, c in enumerate(cols)]
        out.append("  " + "  ".join(_pad(c, w) for c, w in zip(cols, widths, strict=True)))
        out += ["  " + "  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True))
                for row in cells]
    if summary.error_rows:
        out += ["", "Input errors"]
        out += [f"  run {e['run_id']}  {e['kind']}  {error_text(e['path'], e['message'])}"
                for e in summary.error_rows]
    return "\n".join(out) + "\n"


def render_csv(summary: Summary) -> str:
    """One CSV table: ``section`` then the group and measure columns."""
    cols = ["section", "hall", "window", "day", "article", "rule", "kind", *_MEASURES,
            "path", "message"]
    rows = [{"section": "total", **summary.totals}]
    rows += [{"section": key, **row} for key, _, _ in SECTIONS for row in summary.sections[key]]
    rows += [{"section": "error", **row} for row in summary.error_rows]
    return write_csv(cols, rows)


def render_html(summary: Summary) -> str:
    """A self-contained HTML page: tables plus inline SVG bar charts."""
    t = summary.totals
    charts = [
        _bar_chart("Mean score per hall", [(r["hall"] or "—", r["mean_score"] or 0)
                                           for r in summary.sections["hall"]], 100),
        _bar_chart("Flagged interactions per window",
                   [(f"{r['hall']} #{r['window']}", r["flagged"] or 0)
                    for r in summary.sections["window"]]),
        _bar_chart("Findings per article", [(f"Article {r['article']}", r["findings"])
                                            for r in summary.sections["article"]]),
        _bar_chart("Interactions per day", [(r["day"] or "—", r["interactions"])
                                            for r in summary.sections["day"]]),
    ]
    tables = []
    for key, title, _ in SECTIONS:
        rows = summary.sections[key]
        cols = _columns(key, rows)
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols)
                       + "</tr>" for r in rows) or f"<tr><td colspan={len(cols)}>none</td></tr>"
        tables.append(f"<h2>{html.escape(title)}</h2><table><thead><tr>{head}</tr></thead>"
                      f"<tbody>{body}</tbody></table>")
    if summary.error_rows:
        body = "".join(f"<tr><td>{e['run_id']}</td><td>{html.escape(str(e['kind']))}</td>"
                       f"<td>{html.escape(error_text(e['path'], e['message']))}</td></tr>"
                       for e in summary.error_rows)
        tables.append("<h2>Input errors</h2><table><thead><tr><th>run</th><th>kind</th>"
                      f"<th>input and reason</th></tr></thead><tbody>{body}</tbody></table>")
    filt = ", ".join(f"{k}={v}" for k, v in summary.filters.items()) or "none"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Conduct report</title>
<style>
body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:.5em 0 1.5em}}td,th{{border:1px solid #ccc;padding:.2em .6em;
text-align:right}}th{{background:#f3f3f3}}td:first-child{{text-align:left}}
.charts{{display:flex;flex-wrap:wrap;gap:1.5em}}svg text{{font-size:11px}}
</style></head><body>
<h1>Conduct compliance report</h1>
<p>Database <code>{html.escape(summary.db)}</code>, generated {html.escape(summary.generated_at)},
filters: {html.escape(filt)}.</p>
<p><b>{t['interactions']}</b> interactions, <b>{t['flagged']}</b> flagged, <b>{t['findings']}</b>
findings, mean score <b>{_fmt(t['mean_score']) or '–'}</b>, {t['hours']} h of audio,
{summary.errors} input errors.</p>
<div class="charts">{''.join(charts)}</div>
{''.join(tables)}
</body></html>
"""


def _bar_chart(title: str, data: list[tuple[str, float]], top: float | None = None) -> str:
    """A horizontal bar chart as inline SVG."""
    data = data[:30]
    labels = [str(label)[:24] for label, _ in data]
    # wide enough for the longest label (CJK characters take two columns, ~6.5 px each)
    bar, plot_w = 16, 260
    label_w = max(60, 12 + int(6.5 * max((_width(s) for s in labels), default=0)))
    height = 30 + bar * max(1, len(data))
    top = top or max((v for _, v in data), default=1) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 50}" '
             f'height="{height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="0" y="14" font-weight="bold">{html.escape(title)}</text>']
    for i, (_label, value) in enumerate(data):
        y = 22 + i * bar
        w = plot_w * float(value) / top
        parts.append(f'<text x="{label_w - 4}" y="{y + 11}" text-anchor="end">'
                     f'{html.escape(labels[i])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar - 4}" '
                     f'fill="#3b7dd8"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 11}">{_fmt(value)}</text>')
    if not data:
        parts.append(f'<text x="{label_w}" y="36">no data</text>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


RENDERERS = {"text": render_text, "csv": render_csv, "html": render_html}
