"""The 红黑榜 as JSON, one CSV table, or the printable page a hall posts.

The lists come from :func:`analyzer.store.ranking.build_ranking`; the page is
``reports/templates/ranking.html`` (self-contained, printable), the page the
review app's ``/ranking/print`` serves and ``conduct report --month`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from analyzer.reports.pages import render
from analyzer.store.ranking import GROUPS, LISTS, Ranking
from analyzer.tables import write_csv

#: Titles of the lists and of the groups on them.
LIST_TITLES = {"red": "红榜 · best", "black": "黑榜 · worst"}
GROUP_TITLES = {"staff": "工作人员 staff", "window": "窗口 windows"}
#: A rectification's state as the page says it.
STATE_LABELS = {"done": "已整改 done", "overdue": "逾期 overdue", "open": "整改中 open"}

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


def number(value: float | int | None, digits: int = 1) -> str:
    """A figure: a float with ``digits`` decimals, a whole number as it is; "–" for none."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def trend(value: float | None) -> str:
    """The change against the previous period, with its arrow."""
    if value is None:
        return "–"
    return f"▲ +{value:.1f}" if value > 0 else (f"▼ {value:.1f}" if value < 0 else "＝ 0.0")


def render_html(ranking: Ranking) -> str:
    """A self-contained, printable page: both lists per staff and per window, rules, follow-ups."""
    return render("ranking.html", ranking=ranking, period=ranking.period, rules=ranking.rules,
                  lists=LISTS, groups=GROUPS, list_titles=LIST_TITLES,
                  group_titles=GROUP_TITLES, states=STATE_LABELS, number=number, trend=trend)


RENDERERS: dict[str, Callable[[Ranking], str]] = {
    "json": render_json, "csv": render_csv, "html": render_html}
