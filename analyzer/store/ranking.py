"""The 红黑榜: the period's red list (best) and black list (worst), per staff and per window.

Article 23 asks for a monthly red and black list (每月发布"好差评"红黑榜) and
Article 25 for 月通报、季考评、年考核: :func:`build_ranking` makes all of them
from one results database, for a month, a quarter or a year
(:mod:`analyzer.store.periods`), under the rules of the scoring template's
``[ranking]`` table (:class:`analyzer.rules.score.RankingRules`): the
minimum interactions to be ranked, the list size, the score bounds of each
list, whether unreviewed findings count, and the tie-breaks.

A rule the inspectors' verdicts do not yet support (rule health,
:mod:`analyzer.store.health`: below the template's ``[rule_health]`` bar, or
too few reviews to say) is named on the list, and each entry says how many of
its breaches are that rule's findings: *under review*.

The list is reproducible: it depends only on the database's rows and the
template (no clock; "as of" is the database's latest analysis or review),
and :attr:`Ranking.fingerprint` hashes what it ranks, so two runs can be
compared at a glance. The report layer renders it
(:mod:`analyzer.reports.ranking`: JSON, CSV, and the printable page a hall posts).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from analyzer.rules.score import RankingRules, ScoringTemplate
from analyzer.store.appeals import Rectification
from analyzer.store.core import Store
from analyzer.store.filters import Filter
from analyzer.store.health import build_rule_health
from analyzer.store.periods import Period
from analyzer.store.results import GroupResult

#: The two lists, and the groups each ranks.
LISTS: tuple[str, ...] = ("red", "black")
GROUPS: tuple[str, ...] = ("staff", "window")


@dataclass(frozen=True)
class RankEntry:
    """One place on a list.

    Attributes:
        rank: 1 = first on the list.
        result: The group's results over the period.
        rectification: The corrective action set for this period (black
            list, staff), if any.
        earlier: The rectification set in the previous period, if any, and
            its state as of the period's end (``done``, ``overdue``, ``open``).
        under_review: How many of its breaches are findings of rules under
            review (:attr:`Ranking.under_review`).
    """

    rank: int
    result: GroupResult
    rectification: Rectification | None = None
    earlier: tuple[Rectification, str] | None = None
    under_review: int = 0


@dataclass
class Ranking:
    """A 红黑榜 (or 季考评 / 年考核) of one period."""

    db: str
    period: Period
    rules: RankingRules
    template_source: str
    template_version: str
    template_sha256: str
    as_of: str
    lists: dict[str, dict[str, list[RankEntry]]] = field(default_factory=dict)
    ranked: dict[str, int] = field(default_factory=dict)
    unranked: dict[str, int] = field(default_factory=dict)
    #: every rectification set in the previous period, with its state at this period's end
    follow_ups: list[tuple[Rectification, str]] = field(default_factory=list)
    #: rules whose findings are under review (rule health: below the template's
    #: ``[rule_health]`` bar, or too few reviews to say) -> that state
    under_review: dict[str, str] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """SHA-256 (first 16 hex digits) of the lists, the rules and the template."""
        data = {"period": self.period.label, "template": self.template_sha256,
                "rules": self.rules.__dict__,
                "lists": {k: {g: [(e.rank, e.result.key, e.result.figures.mean_score)
                                  for e in v] for g, v in groups.items()}
                          for k, groups in self.lists.items()}}
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        def entry(e: RankEntry) -> dict[str, Any]:
            d = {"rank": e.rank, **e.result.to_dict()}
            d["rectification"] = e.rectification.__dict__ if e.rectification else None
            d["earlier_rectification"] = ({**e.earlier[0].__dict__, "state": e.earlier[1]}
                                          if e.earlier else None)
            d["under_review_breaches"] = e.under_review
            return d

        return {
            "db": self.db, "period": self.period.__dict__, "title": self.period.title,
            "rules": {**self.rules.__dict__, "tie_breaks": list(self.rules.tie_breaks)},
            "template": {"source": self.template_source, "version": self.template_version,
                         "sha256": self.template_sha256},
            "as_of": self.as_of, "fingerprint": self.fingerprint,
            "ranked": self.ranked, "unranked": self.unranked,
            "lists": {k: {g: [entry(e) for e in v] for g, v in groups.items()}
                      for k, groups in self.lists.items()},
            "follow_ups": [{**r.__dict__, "state": s} for r, s in self.follow_ups],
            "under_review": dict(sorted(self.under_review.items())),
        }


def _sort_key(result: GroupResult, which: str, ties: tuple[str, ...]) -> tuple[Any, ...]:
    """Best first for the red list, worst first for the black list."""
    sign = 1 if which == "black" else -1
    f = result.figures
    values: dict[str, Any] = {
        "fail_share": -sign * (f.fail_share or 0.0),
        "breaches": -sign * (result.breaches / f.interactions if f.interactions else 0.0),
        "interactions": -f.interactions,
        "key": result.key,
    }
    return (sign * (f.mean_score or 0.0), *(values[t] for t in ties))


def rank(results: list[GroupResult], rules: RankingRules) -> tuple[dict[str, list[RankEntry]], int]:
    """Red and black lists of one group's results; returns them and how many were ranked."""
    eligible = [r for r in results if r.key.strip("/") and
                r.figures.interactions >= rules.min_interactions and
                r.figures.mean_score is not None]
    red = [r for r in eligible if (r.figures.mean_score or 0.0) >= rules.red_min_mean]
    black = [r for r in eligible if (r.figures.mean_score or 0.0) < rules.black_max_mean]
    out = {}
    for which, pool in (("red", red), ("black", black)):
        pool = sorted(pool, key=functools.partial(_sort_key, which=which, ties=rules.tie_breaks))
        out[which] = [RankEntry(n, r) for n, r in enumerate(pool[:rules.list_size], 1)]
    return out, len(eligible)


def build_ranking(store: Store, period: Period, template: ScoringTemplate,
                  filters: Filter | None = None, *, names: bool = True,
                  links: bool = False) -> Ranking:
    """The red and black lists of ``period``.

    Args:
        store: The results database (:class:`analyzer.store.Store`).
        period: A month, quarter, year or span of days.
        template: The scoring template whose ``[ranking]`` rules apply and
            whose lowest band counts as failing.
        filters: Other conditions on the interactions (``hall`` ...).
        names: Put staff names from the directory on the lists.
        links: Also find each entry's best and worst interactions (JSON output).
    """
    rules = template.ranking
    filters = filters or Filter()
    if rules.unreviewed == "skip":
        filters = replace(filters, settled=True)
    known = store.staff_names() if names else {}
    ranking = Ranking(store.path, period, rules, template.source, template.version,
                      template.sha256, store.as_of())
    current = {r.staff: r for r in store.rectifications(period=period.label)}
    earlier = {r.staff: r for r in store.rectifications(period=period.previous().label)}
    ranking.follow_ups = [(r, r.state(period.until)) for r in earlier.values()]
    health = build_rule_health(store, period, template, hall=filters.hall)
    ranking.under_review = {rule: row.status for rule, row in health.under_review().items()}
    for group in GROUPS:
        results = store.results(group, period, template.failing_grade, filters, links=links)
        for r in results:
            r.name = known.get(r.staff, "")
        lists, ranked = rank(results, rules)
        ranking.ranked[group], ranking.unranked[group] = ranked, len(results) - ranked
        for which in LISTS:
            entries = lists[which]
            if group == "staff":
                entries = [RankEntry(e.rank, e.result, current.get(e.result.staff),
                                     (earlier[e.result.staff],
                                      earlier[e.result.staff].state(period.until))
                                     if e.result.staff in earlier else None) for e in entries]
            entries = [replace(e, under_review=sum(
                n for rule, n in e.result.by_rule.items() if rule in ranking.under_review))
                for e in entries]
            ranking.lists.setdefault(which, {})[group] = entries
    return ranking
