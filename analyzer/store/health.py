"""Rule health from the inspectors' verdicts: how precise each rule is, per article, hall and month.

Inspectors confirm and dismiss findings every day; those verdicts measure the
analyzer on the halls' own audio. For each rule (and each article, each hall)
over a period this module gives:

* ``findings``: how many the rule raised;
* ``reviewed``: how many an inspector confirmed or dismissed, and their share;
* ``precision``: confirmed / reviewed, with its 95 % Wilson score interval
  (:func:`wilson`), which stays honest on small samples;
* the dismissals' reasons (``reviews.reason``, :data:`~analyzer.store.schema.DISMISS_REASONS`);
* the trend: the same figures per month, over the template's ``trend_months``;
* a status against the scoring template's ``[rule_health]`` bar
  (:class:`~analyzer.rules.score.HealthRules`): ``ok``, ``below_bar`` (precision
  under ``min_precision``) or ``too_few`` (fewer than ``min_reviewed``
  reviewed findings: too few to say). A rule that is not ``ok`` is *under
  review*: the 红黑榜 marks its findings (:mod:`analyzer.store.ranking`).

Every count is read from the verdict-keeping rollups (``rollup_months_findings``
per month, ``rollup_findings`` per day: a range of their primary key), and the
reasons from the dismissed findings' own index (``ix_findings_dismissed``;
both in :mod:`analyzer.store.verdicts`), so
the figures cost the same at 200,000 interactions as at 2,000. The report
layer renders them (:mod:`analyzer.reports.health`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from analyzer.rules.score import HealthRules, ScoringTemplate
from analyzer.store.core import Store
from analyzer.store.periods import Period
from analyzer.store.results import whole_months
from analyzer.store.verdicts import Verdicts, wilson

__all__ = ["HEALTH_STATES", "RuleHealth", "RuleRow", "Verdicts", "build_rule_health",
           "trend_months", "wilson"]
#: A rule's state against the template's bar.
HEALTH_STATES: tuple[str, ...] = ("ok", "below_bar", "too_few")


@dataclass
class RuleRow:
    """One rule's (or one article's: ``rule`` "") health, in one hall or all (``hall`` "")."""

    article: int
    rule: str
    hall: str
    figures: Verdicts
    status: str
    trend: list[tuple[str, Verdicts]] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def under_review(self) -> bool:
        """Below the bar, or too few reviews to say."""
        return self.status != "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"article": self.article, "rule": self.rule, "hall": self.hall,
                **self.figures.to_dict(), "status": self.status,
                "reasons": dict(sorted(self.reasons.items())),
                "trend": [{"month": m, **v.to_dict()} for m, v in self.trend]}


@dataclass
class RuleHealth:
    """Every rule's health over one period (:func:`build_rule_health`)."""

    db: str
    period: Period
    hall: str
    rules: HealthRules
    template_source: str
    template_version: str
    as_of: str
    months: list[str]
    rows: list[RuleRow]
    articles: list[RuleRow]
    total: Verdicts

    def rule(self, rule_id: str, hall: str = "") -> RuleRow | None:
        """The row of ``rule_id`` (in ``hall``; "" = the period's halls together)."""
        return next((r for r in self.rows if r.rule == rule_id and r.hall == hall), None)

    def under_review(self) -> dict[str, RuleRow]:
        """Rule id -> its row, for the rules below the bar or with too few reviews (all halls)."""
        return {r.rule: r for r in self.rows if not r.hall and r.under_review}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"db": self.db, "period": self.period.__dict__, "hall": self.hall,
                "bar": self.rules.__dict__,
                "template": {"source": self.template_source, "version": self.template_version},
                "as_of": self.as_of, "months": self.months, "total": self.total.to_dict(),
                "articles": [a.to_dict() for a in self.articles],
                "rules": [r.to_dict() for r in self.rows]}


def trend_months(period: Period, count: int) -> list[str]:
    """The ``count`` months (``YYYY-MM``) ending with the period's last month, oldest first."""
    last = date.fromisoformat(period.until)
    out = []
    y, m = last.year, last.month
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def build_rule_health(store: Store, period: Period, template: ScoringTemplate, *,
                      hall: str = "", by_hall: bool = False) -> RuleHealth:
    """Every rule's health over ``period`` under the template's ``[rule_health]`` bar.

    Args:
        store: The results database.
        period: A month, quarter, year or span of days.
        template: The scoring template (its ``rule_health`` bar and trend length).
        hall: Only this hall.
        by_hall: Also a row per hall and rule (after the rules of all halls).
    """
    rules = template.health
    months = trend_months(period, rules.trend_months)
    first = min(months[0] + "-01", period.since[:7] + "-01")
    last_month = date.fromisoformat(period.until)
    month_end = _month_end(last_month)
    monthly = store.verdict_counts(first, month_end, hall)
    if whole_months(period.since, period.until):
        now = {k: v for k, v in monthly.items() if period.since[:7] <= k[0] <= period.until[:7]}
    else:
        now = store.verdict_counts(period.since, period.until, hall)
    reasons = store.dismissal_reasons(period.since, period.until, hall)

    def rows_of(split: bool) -> list[RuleRow]:
        figures: dict[tuple[str, int, str], Verdicts] = defaultdict(Verdicts)
        for (_m, h, article, rule), v in now.items():
            figures[(h if split else "", article, rule)] += v
        series: dict[tuple[str, int, str], dict[str, Verdicts]] = defaultdict(
            lambda: defaultdict(Verdicts))
        for (m, h, article, rule), v in monthly.items():
            series[(h if split else "", article, rule)][m] += v
        out = []
        for (h, article, rule), v in sorted(figures.items(), key=lambda kv: (kv[0][1], kv[0][2],
                                                                             kv[0][0])):
            why: dict[str, int] = defaultdict(int)
            for (rh, rr), counts in reasons.items():
                if rr == rule and (not split or rh == h):
                    for reason, n in counts.items():
                        why[reason] += n
            trend = [(m, series[(h, article, rule)].get(m, Verdicts())) for m in months]
            out.append(RuleRow(article, rule, h, v, v.status(rules), trend, dict(why)))
        return out

    rows = rows_of(False) + (rows_of(True) if by_hall else [])
    articles: dict[int, RuleRow] = {}
    for r in rows:
        if r.hall:
            continue
        a = articles.setdefault(r.article, RuleRow(r.article, "", "", Verdicts(), "",
                                                   [(m, Verdicts()) for m in months]))
        a.figures += r.figures
        a.trend = [(m, x + y) for (m, x), (_, y) in zip(a.trend, r.trend, strict=True)]
        for reason, n in r.reasons.items():
            a.reasons[reason] = a.reasons.get(reason, 0) + n
    for a in articles.values():
        a.status = a.figures.status(rules)
    total = sum((r.figures for r in rows if not r.hall), Verdicts())
    return RuleHealth(store.path, period, hall, rules, template.source, template.version,
                      store.as_of(), months, rows, [articles[k] for k in sorted(articles)],
                      total)


def _month_end(day: date) -> str:
    """The last day of ``day``'s month."""
    nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1).isoformat()
