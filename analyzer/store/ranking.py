"""The 红黑榜: the period's red list (best) and black list (worst), per staff and per window.

Article 23 asks for a monthly red and black list (每月发布"好差评"红黑榜) and
Article 25 for 月通报、季考评、年考核: :func:`build_ranking` makes all of them
from one results database, for a month, a quarter or a year
(:mod:`analyzer.store.periods`), under the rules of the scoring template's
``[ranking]`` table (:class:`analyzer.rules.score.RankingRules`): the
minimum interactions to be ranked, the list size, the score bounds of each
list, whether unreviewed findings count, and the tie-breaks.

The list is reproducible: it depends only on the database's rows and the
template (no clock; "as of" is the database's latest analysis or review),
and :attr:`Ranking.fingerprint` hashes what it ranks, so two runs can be
compared at a glance. Renderers: JSON, CSV (one table) and one
self-contained, printable HTML page (the document a hall posts).
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from typing import Any

from analyzer.rules.score import RankingRules, ScoringTemplate
from analyzer.store.appeals import Rectification
from analyzer.store.periods import Period
from analyzer.store.results import GroupResult
from analyzer.tables import write_csv

#: The two lists and the groups each ranks.
LISTS: tuple[str, ...] = ("red", "black")
_LIST_TITLES = {"red": "红榜 · best", "black": "黑榜 · worst"}
_GROUP_TITLES = {"staff": "工作人员 staff", "window": "窗口 windows"}


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
    """

    rank: int
    result: GroupResult
    rectification: Rectification | None = None
    earlier: tuple[Rectification, str] | None = None


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
    red = [r for r in eligible if r.figures.mean_score >= rules.red_min_mean]
    black = [r for r in eligible if r.figures.mean_score < rules.black_max_mean]
    out = {}
    for which, pool in (("red", red), ("black", black)):
        pool = sorted(pool, key=lambda r, w=which: _sort_key(r, w, rules.tie_breaks))
        out[which] = [RankEntry(n, r) for n, r in enumerate(pool[:rules.list_size], 1)]
    return out, len(eligible)


def build_ranking(store: Any, period: Period, template: ScoringTemplate,
                  filters: dict[str, Any] | None = None, *, names: bool = True,
                  links: bool = False) -> Ranking:
    """The red and black lists of ``period``.

    Args:
        store: The results database (:class:`analyzer.store.Store`).
        period: A month, quarter, year or span of days.
        template: The scoring template whose ``[ranking]`` rules apply and
            whose lowest band counts as failing.
        filters: Other interaction filters (``hall`` ...).
        names: Put staff names from the directory on the lists.
        links: Also find each entry's best and worst interactions (JSON output).
    """
    rules = template.ranking
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    if rules.unreviewed == "skip":
        filters["settled"] = True
    known = store.staff_names() if names else {}
    ranking = Ranking(store.path, period, rules, template.source, template.version,
                      template.sha256, store.as_of())
    current = {r.staff: r for r in store.rectifications(period=period.label)}
    earlier = {r.staff: r for r in store.rectifications(period=period.previous().label)}
    ranking.follow_ups = [(r, r.state(period.until)) for r in earlier.values()]
    for group in ("staff", "window"):
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
            ranking.lists.setdefault(which, {})[group] = entries
    return ranking


# -- renderers ----------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "period", "list", "group", "rank", "key", "name", "hall", "window", "interactions",
    "mean_score", "fail_share", "breaches", "previous_mean", "trend", "rectification",
    "follow_up", "earlier_rectification", "earlier_state")  # fmt: skip


def render_json(ranking: Ranking) -> str:
    """The ranking as one JSON object."""
    return json.dumps(ranking.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n"


def render_csv(ranking: Ranking) -> str:
    """One CSV table: a row per place on a list."""
    rows = []
    for which, groups in ranking.lists.items():
        for group, entries in groups.items():
            for e in entries:
                r = e.result
                rows.append({
                    "period": ranking.period.label, "list": which, "group": group,
                    "rank": e.rank, "key": r.key, "name": r.name, "hall": r.hall,
                    "window": r.window, "interactions": r.figures.interactions,
                    "mean_score": r.figures.mean_score, "fail_share": r.figures.fail_share,
                    "breaches": r.breaches, "previous_mean": r.previous.mean_score,
                    "trend": r.trend,
                    "rectification": e.rectification.action if e.rectification else "",
                    "follow_up": e.rectification.follow_up if e.rectification else "",
                    "earlier_rectification": e.earlier[0].action if e.earlier else "",
                    "earlier_state": e.earlier[1] if e.earlier else ""})
    return write_csv(CSV_COLUMNS, rows, bom=True)


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _trend(value: float | None) -> str:
    if value is None:
        return "–"
    return f"▲ +{value:.1f}" if value > 0 else (f"▼ {value:.1f}" if value < 0 else "＝ 0.0")


_STATE_LABELS = {"done": "已整改 done", "overdue": "逾期 overdue", "open": "整改中 open"}


def _table(which: str, group: str, entries: list[RankEntry]) -> str:
    rect = which == "black" and group == "staff"
    head = ("<tr><th>名次</th><th>{}</th><th>大厅 hall</th><th>次数</th><th>平均分</th>"
            "<th>不合格率</th><th>违规</th><th>环比</th>{}</tr>").format(
        "工作人员" if group == "staff" else "窗口",
        "<th>整改 action</th><th>上期整改</th>" if rect else "")
    body = []
    for e in entries:
        r = e.result
        who = (f"{html.escape(r.name)} <small>{html.escape(r.staff)}</small>" if r.name
               else html.escape(r.staff)) if group == "staff" else html.escape(r.window or "–")
        cells = [str(e.rank), who, html.escape(r.hall or "–"), str(r.figures.interactions),
                 _fmt(r.figures.mean_score), _fmt((r.figures.fail_share or 0) * 100) + "%",
                 str(r.breaches), _trend(r.trend)]
        if rect:
            cells.append(html.escape(f"{e.rectification.action} (复查 {e.rectification.follow_up})")
                         if e.rectification else "—")
            cells.append(html.escape(f"{e.earlier[0].action}: {_STATE_LABELS[e.earlier[1]]}")
                         if e.earlier else "—")
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    cols = 10 if rect else 8
    rows = "".join(body) or f'<tr><td colspan="{cols}">无 · nobody qualifies</td></tr>'
    return (f'<section class="list {which}"><h2>{_LIST_TITLES[which]} · '
            f"{_GROUP_TITLES[group]}</h2><table><thead>{head}</thead><tbody>{rows}</tbody>"
            "</table></section>")


CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC",system-ui,sans-serif;margin:2em;color:#222}
h1{margin-bottom:.2em}.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.4em 0 1.4em}
td,th{border:1px solid #bbb;padding:.25em .5em;text-align:right}td:nth-child(2),td:nth-child(3),
th:nth-child(2),th:nth-child(3){text-align:left}
section.red h2{color:#b3001b;border-bottom:3px solid #b3001b}
section.black h2{color:#111;border-bottom:3px solid #111}
section.red th{background:#fde8ea}section.black th{background:#e6e6e6}
.rules{font-size:.85em;color:#444}
@media print{body{margin:1cm}section{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def render_html(ranking: Ranking) -> str:
    """A self-contained, printable page: both lists per staff and per window, rules, follow-ups."""
    p, r = ranking.period, ranking.rules
    parts = [_table(which, group, ranking.lists[which][group])
             for which in LISTS for group in ("staff", "window")]
    follow = "".join(
        f"<tr><td>{html.escape(x.staff)}</td><td>{html.escape(x.action)}</td>"
        f"<td>{html.escape(x.follow_up)}</td><td>{_STATE_LABELS[s]}</td>"
        f"<td>{html.escape(x.note)}</td></tr>" for x, s in ranking.follow_ups)
    if follow:
        parts.append("<section><h2>上期整改跟踪 · follow-up of last period's actions</h2><table>"
                     "<thead><tr><th>工作人员</th><th>整改措施</th><th>复查日期</th><th>状态</th>"
                     f"<th>说明</th></tr></thead><tbody>{follow}</tbody></table></section>")
    unreviewed = ("未复核的问题照常扣分" if r.unreviewed == "count"
                  else "仍有未复核问题的服务记录不计入")
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(p.label)} 红黑榜 · {p.title}</title>
<style>{CSS}</style></head><body>
<h1>政务服务“好差评”红黑榜 · {p.title} {html.escape(p.label)}</h1>
<p class="meta">{html.escape(p.since)} 至 {html.escape(p.until)} ·
数据截至 {html.escape(ranking.as_of or "–")} · 评分模板 {html.escape(ranking.template_version)}
· 校验码 <code>{ranking.fingerprint}</code></p>
{''.join(parts)}
<p class="rules">规则 rules: 服务次数不少于 {r.min_interactions} 次方参与排名
(ranked: {ranking.ranked.get('staff', 0)} staff, {ranking.ranked.get('window', 0)} windows;
not ranked: {ranking.unranked.get('staff', 0)} staff, {ranking.unranked.get('window', 0)} windows);
红榜平均分不低于 {r.red_min_mean:g}, 黑榜平均分低于 {r.black_max_mean:g}; 每榜至多 {r.list_size} 名;
{unreviewed}; 同分依次比较 {html.escape(', '.join(r.tie_breaks))}.
环比 = 平均分与上期 ({html.escape(p.previous().label)}) 之差。</p>
</body></html>
"""


RENDERERS = {"json": render_json, "csv": render_csv, "html": render_html}
