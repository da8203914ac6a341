"""``conduct report --by staff|window``: per-staff (or per-window) results as text, CSV, JSON, HTML.

The figures come from :meth:`analyzer.store.Store.results`. Every column has
a label in the reader's language (:mod:`analyzer.reports.columns`); a zero is
written as ``0``, never left empty; only interactions below full marks are
listed as the worst.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from analyzer.i18n import gettext as _
from analyzer.i18n import ngettext
from analyzer.reports.columns import label, labels
from analyzer.reports.pages import render
from analyzer.reports.text import table
from analyzer.store.periods import Period
from analyzer.store.results import GroupResult
from analyzer.tables import write_csv

CSV_COLUMNS: tuple[str, ...] = (
    "period", "group", "key", "name", "hall", "window", "interactions", "mean_score", "failing",
    "fail_share", "breaches", "confirmed", "previous_interactions", "previous_mean", "trend",
    "by_article", "by_rule", "best", "worst")  # fmt: skip
#: The columns of the text and HTML tables.
TABLE_COLUMNS: tuple[str, ...] = (
    "key", "name", "hall", "interactions", "mean_score", "failing", "fail_share", "breaches",
    "confirmed", "previous_mean", "trend", "by_article", "worst")  # fmt: skip


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


def cells(r: GroupResult) -> dict[str, str]:
    """One result as the tables print it: every figure written, zeros as ``0``."""
    f = r.figures
    share = "–" if f.fail_share is None else f"{100 * f.fail_share:.1f}%"
    return {
        "key": r.key or _("(none)"), "name": r.name or "–", "hall": r.hall or "–",
        "interactions": str(f.interactions),
        "mean_score": "–" if f.mean_score is None else f"{f.mean_score:g}",
        "failing": str(f.failing), "fail_share": share, "breaches": str(r.breaches),
        "confirmed": str(r.confirmed),
        "previous_mean": "–" if r.previous.mean_score is None else f"{r.previous.mean_score:g}",
        "trend": "–" if r.trend is None else f"{r.trend:+.1f}",
        "by_article": "、".join(_("Art. %(n)s: %(count)s", n=a, count=n)
                               for a, n in sorted(r.by_article.items())) or "0",
        "worst": ", ".join(f"{x.interaction_id} ({x.score})" for x in r.worst) or "–",
    }


def title(period: Period, results: list[GroupResult]) -> str:
    """The report's heading."""
    group = results[0].group if results else "staff"
    what = _("Results per staff member") if group == "staff" else _("Results per window")
    return _("%(what)s, %(title)s %(period)s (%(since)s to %(until)s; trend against %(previous)s)",
             what=what, title=period.title, period=period.label, since=period.since,
             until=period.until, previous=period.previous().label)


def render_text(period: Period, results: list[GroupResult]) -> str:
    """A table with a labelled column per figure, then how many groups it lists."""
    out = [title(period, results)]
    if not results:
        return out[0] + "\n  " + _("(no interactions in this period)") + "\n"
    rows = [[cells(r)[c] for c in TABLE_COLUMNS] for r in results]
    out += table(labels(TABLE_COLUMNS), rows, indent="  ")
    n = len(results)
    if results[0].group == "staff":
        out.append(ngettext("%(num)d staff member", "%(num)d staff members", n) % {"num": n})
    else:
        out.append(ngettext("%(num)d window", "%(num)d windows", n) % {"num": n})
    return "\n".join(out) + "\n"


def render_csv(period: Period, results: list[GroupResult]) -> str:
    """One CSV row per group; the header in the reader's language."""
    return write_csv(CSV_COLUMNS, [_row(period, r) for r in results], bom=True,
                     header=labels(CSV_COLUMNS))


def render_json(period: Period, results: list[GroupResult]) -> str:
    """One JSON object: the period and the results."""
    return json.dumps({"period": period.__dict__, "previous": period.previous().__dict__,
                       "results": [r.to_dict() for r in results]},
                      ensure_ascii=False, indent=1) + "\n"


def render_html(period: Period, results: list[GroupResult]) -> str:
    """A self-contained page with one labelled table."""
    rows = [[cells(r)[c] for c in TABLE_COLUMNS] for r in results]
    return render("staff.html", period=period, heading=title(period, results),
                  columns=[(c, label(c)) for c in TABLE_COLUMNS], rows=rows)


RENDERERS: dict[str, Callable[[Period, list[GroupResult]], str]] = {
    "text": render_text, "csv": render_csv, "json": render_json, "html": render_html}
