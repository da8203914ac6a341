"""``conduct report --by staff|window``: per-staff (or per-window) results as text, CSV, JSON, HTML.

The figures come from :meth:`analyzer.store.Store.results`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from analyzer.reports.pages import render
from analyzer.store.periods import Period
from analyzer.store.results import GroupResult
from analyzer.tables import write_csv

CSV_COLUMNS: tuple[str, ...] = (
    "period", "group", "key", "name", "hall", "window", "interactions", "mean_score", "failing",
    "fail_share", "breaches", "confirmed", "previous_interactions", "previous_mean", "trend",
    "by_article", "by_rule", "best", "worst")  # fmt: skip


def _row(period: Period, r: GroupResult) -> dict[str, object]:
    return {
        "period": period.label, "group": r.group, "key": r.key, "name": r.name, "hall": r.hall,
        "window": r.window, "interactions": r.figures.interactions,
        "mean_score": r.figures.mean_score, "failing": r.figures.failing,
        "fail_share": r.figures.fail_share, "breaches": r.breaches, "confirmed": r.confirmed,
        "previous_interactions": r.previous.interactions, "previous_mean": r.previous.mean_score,
        "trend": r.trend,
        "by_article": " ".join(f"{a}:{n}" for a, n in sorted(r.by_article.items())),
        "by_rule": " ".join(f"{k}:{n}" for k, n in sorted(r.by_rule.items())),
        "best": " ".join(f"{x.interaction_id}({x.score})" for x in r.best),
        "worst": " ".join(f"{x.interaction_id}({x.score})" for x in r.worst),
    }


def render_text(period: Period, results: list[GroupResult]) -> str:
    """One line per group."""
    out = [f"Results per {results[0].group if results else 'staff'}, {period.label} "
           f"({period.since}..{period.until}; trend against {period.previous().label})"]
    if not results:
        return out[0] + "\n  (none)\n"
    for r in results:
        f = r.figures
        who = f"{r.key} {r.name}".strip()
        trend = "–" if r.trend is None else f"{r.trend:+.1f}"
        out.append(f"  {who:<24} {f.interactions:>6} interactions  mean {f.mean_score:>5}  "
                   f"failing {100 * (f.fail_share or 0):5.1f}%  breaches {r.breaches:>4}  "
                   f"trend {trend:>6}  worst {', '.join(x.interaction_id for x in r.worst)}")
    return "\n".join(out) + "\n"


def render_csv(period: Period, results: list[GroupResult]) -> str:
    """One CSV row per group."""
    return write_csv(CSV_COLUMNS, [_row(period, r) for r in results], bom=True)


def render_json(period: Period, results: list[GroupResult]) -> str:
    """One JSON object: the period and the results."""
    return json.dumps({"period": period.__dict__, "previous": period.previous().__dict__,
                       "results": [r.to_dict() for r in results]},
                      ensure_ascii=False, indent=1) + "\n"


def render_html(period: Period, results: list[GroupResult]) -> str:
    """A self-contained page with one table."""
    cols = ("key", "name", "hall", "interactions", "mean_score", "fail_share", "breaches",
            "previous_mean", "trend", "by_article", "worst")
    rows = [[str(_row(period, r)[c] or "") for c in cols] for r in results]
    return render("staff.html", period=period, columns=cols, rows=rows)


RENDERERS: dict[str, Callable[[Period, list[GroupResult]], str]] = {"text": render_text, "csv": render_csv, "json": render_json, "html": render_html}
