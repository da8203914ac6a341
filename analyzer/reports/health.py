"""``conduct report --rules``: each rule's precision from the verdicts, as text, CSV or JSON.

The figures come from :func:`analyzer.store.health.build_rule_health`; the
review app's 规则健康 page (``/rules``) shows the same rows. Every word is in
the reader's language (:mod:`analyzer.i18n`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from analyzer.i18n import N_, gettext
from analyzer.reports.columns import labels
from analyzer.reports.text import table
from analyzer.store.health import RuleHealth, RuleRow, Verdicts
from analyzer.tables import write_csv

#: A rule's state against the bar, as people read it.
STATUS_LABELS: dict[str, str] = {
    "ok": N_("trusted"), "below_bar": N_("below the bar: under review"),
    "too_few": N_("too few reviews to say: under review")}
#: Why inspectors dismissed a rule's findings.
REASON_LABELS: dict[str, str] = {
    "misheard": N_("misheard (recognition error)"), "wrong_speaker": N_("wrong speaker"),
    "said_otherwise": N_("done in other words"), "context": N_("no breach in context"),
    "other": N_("other reason"), "": N_("no reason given")}

CSV_COLUMNS: tuple[str, ...] = (
    "period", "hall", "article", "rule", "findings", "reviewed", "reviewed_share", "confirmed",
    "dismissed", "precision", "precision_low", "precision_high", "status", "reasons", "trend")
#: The columns of the terminal table.
TEXT_COLUMNS: tuple[str, ...] = (
    "article", "rule", "findings", "reviewed_share", "confirmed", "dismissed", "precision",
    "interval", "status", "reasons", "trend")


def percent(value: float | None) -> str:
    """A share as a percentage with no decimals; "–" for none."""
    return "–" if value is None else f"{100 * value:.0f}%"


def interval(v: Verdicts) -> str:
    """The 95 % interval as ``low–high %``; "–" when nothing was reviewed."""
    i = v.interval
    return "–" if i is None else f"{100 * i[0]:.0f}–{100 * i[1]:.0f}%"


def reasons(row: RuleRow) -> str:
    """The dismissals' reasons, most frequent first (``误报原因 ×n``)."""
    items = sorted(row.reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    return "、".join(f"{gettext(REASON_LABELS.get(k, k))} ×{n}" for k, n in items) or "–"


def trend(row: RuleRow) -> str:
    """Precision per month, oldest first (``–`` for a month without reviews)."""
    return " ".join(percent(v.precision) for _m, v in row.trend)


def status(row: RuleRow) -> str:
    """The row's state against the bar, in the reader's language."""
    return gettext(STATUS_LABELS[row.status])


def _cells(row: RuleRow) -> list[str]:
    v = row.figures
    return [str(row.article), row.rule or gettext("(article)"), str(v.findings),
            f"{percent(v.reviewed_share)} ({v.reviewed})", str(v.confirmed), str(v.dismissed),
            percent(v.precision), interval(v), status(row), reasons(row), trend(row)]


def heading(health: RuleHealth) -> list[str]:
    """The title line and the bar's line."""
    p, bar = health.period, health.rules
    where = health.hall or gettext("all halls")
    return [gettext("Rule health from verdicts · %(title)s %(period)s (%(since)s to %(until)s) "
                    "· %(where)s", title=p.title, period=p.label, since=p.since, until=p.until,
                    where=where),
            gettext("Bar: confirmed precision at least %(bar)s with at least %(n)s reviewed "
                    "findings; trend over %(first)s to %(last)s", bar=percent(bar.min_precision),
                    n=bar.min_reviewed, first=health.months[0], last=health.months[-1])]


def render_text(health: RuleHealth) -> str:
    """The rules (with their articles' totals) as an aligned table, then the rules under review."""
    out = heading(health)
    rows: list[list[str]] = []
    for article in health.articles:
        rows.append(_cells(article))
        rows += [_cells(r) for r in health.rows if r.article == article.article and not r.hall]
    split = [r for r in health.rows if r.hall]
    if not rows:
        return "\n".join([*out, "  " + gettext("(no findings in this period)")]) + "\n"
    out += table(labels(TEXT_COLUMNS), rows, indent="  ")
    if split:
        out += ["", gettext("Per hall")]
        out += table([labels(("hall",))[0], *labels(TEXT_COLUMNS)],
                     [[r.hall, *_cells(r)] for r in split], indent="  ")
    flagged = health.under_review()
    out.append("")
    out.append(gettext("Under review (marked on the red and black list): %(rules)s",
                       rules=", ".join(flagged) or "–"))
    return "\n".join(out) + "\n"


def _csv_row(health: RuleHealth, r: RuleRow) -> dict[str, object]:
    v, i = r.figures, r.figures.interval
    return {"period": health.period.label, "hall": r.hall or health.hall, "article": r.article,
            "rule": r.rule, "findings": v.findings, "reviewed": v.reviewed,
            "reviewed_share": None if v.reviewed_share is None else round(v.reviewed_share, 4),
            "confirmed": v.confirmed, "dismissed": v.dismissed,
            "precision": None if v.precision is None else round(v.precision, 4),
            "precision_low": round(i[0], 4) if i else None,
            "precision_high": round(i[1], 4) if i else None, "status": r.status,
            "reasons": " ".join(f"{k or 'none'}:{n}" for k, n in sorted(r.reasons.items())),
            "trend": " ".join(f"{m}:{x.confirmed}/{x.reviewed}" for m, x in r.trend)}


def render_csv(health: RuleHealth) -> str:
    """One CSV row per article total (``rule`` empty) and per rule; the header translated."""
    rows = [_csv_row(health, r) for r in [*health.articles, *health.rows]]
    return write_csv(CSV_COLUMNS, rows, bom=True, header=labels(CSV_COLUMNS))


def render_json(health: RuleHealth) -> str:
    """One JSON object: the period, the bar, the totals, every article and rule with its trend."""
    data = health.to_dict()
    data["under_review"] = sorted(health.under_review())
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


RENDERERS: dict[str, Callable[[RuleHealth], str]] = {
    "text": render_text, "csv": render_csv, "json": render_json}
