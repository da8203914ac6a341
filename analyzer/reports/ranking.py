"""The 红黑榜 as a terminal table, JSON, one CSV table, or the printable page a hall posts.

The lists come from :func:`analyzer.store.ranking.build_ranking`; the page is
``reports/templates/ranking.html`` (self-contained, printable), the page the
review app's ``/ranking/print`` serves and ``conduct report --month --format
html`` writes. Every word is in the reader's language (:mod:`analyzer.i18n`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from analyzer.halltime import HallZones
from analyzer.i18n import N_, gettext
from analyzer.reports.columns import labels
from analyzer.reports.pages import render
from analyzer.reports.text import table
from analyzer.store.ranking import GROUPS, LISTS, RankEntry, Ranking
from analyzer.tables import write_csv

#: Titles of the lists and of the groups on them (English source, translated where shown).
LIST_TITLES = {"red": N_("Red list · best"), "black": N_("Black list · worst")}
GROUP_TITLES = {"staff": N_("staff"), "window": N_("windows")}
#: A rectification's state as the page says it.
STATE_LABELS = {"done": N_("rectified"), "overdue": N_("overdue"), "open": N_("being rectified")}

CSV_COLUMNS: tuple[str, ...] = (
    "period", "list", "group", "rank", "key", "name", "hall", "window", "interactions",
    "mean_score", "fail_share", "breaches", "previous_mean", "trend", "rectification",
    "follow_up", "earlier_rectification", "earlier_state")  # fmt: skip
#: The columns of the terminal table.
TEXT_COLUMNS: tuple[str, ...] = (
    "rank", "key", "name", "hall", "interactions", "mean_score", "fail_share", "breaches",
    "trend", "rectification")  # fmt: skip


def render_json(ranking: Ranking, zones: HallZones | None = None) -> str:
    """The ranking as one JSON object (times absolute, as stored)."""
    return json.dumps(ranking.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n"


def render_csv(ranking: Ranking, zones: HallZones | None = None) -> str:
    """One CSV table: a row per place on a list; the header in the reader's language."""
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
    return write_csv(CSV_COLUMNS, rows, bom=True, header=labels(CSV_COLUMNS))


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


def _text_row(e: RankEntry, group: str) -> list[str]:
    r = e.result
    rect = e.rectification
    return [str(e.rank), r.staff if group == "staff" else (r.window or "–"), r.name or "–",
            r.hall or "–", str(r.figures.interactions), number(r.figures.mean_score),
            f"{number((r.figures.fail_share or 0) * 100)}%", str(r.breaches), trend(r.trend),
            f"{rect.action} ({rect.follow_up})" if rect else "–"]


def render_text(ranking: Ranking, zones: HallZones | None = None) -> str:
    """The lists as aligned tables for the terminal, then the rules they follow.

    "Data as of" is on the hall's clock (``zones``; default Asia/Shanghai).
    """
    p = ranking.period
    out = [gettext("Red and black list (好差评) · %(title)s %(period)s", title=p.title,
                   period=p.label),
           gettext("%(since)s to %(until)s · data as of %(as_of)s · checksum %(fingerprint)s",
                   since=p.since, until=p.until,
                   as_of=(zones or HallZones()).show(ranking.as_of),
                   fingerprint=ranking.fingerprint)]
    for which in LISTS:
        for group in GROUPS:
            out += ["", f"{gettext(LIST_TITLES[which])} · {gettext(GROUP_TITLES[group])}"]
            entries = ranking.lists[which][group]
            if not entries:
                out.append("  " + gettext("Nobody qualifies."))
                continue
            header = labels(TEXT_COLUMNS)
            header[1] = labels(("staff",))[0] if group == "staff" else labels(("window",))[0]
            out += table(header, [_text_row(e, group) for e in entries], indent="  ")
    rules = ranking.rules
    out += ["", gettext("Rules: at least %(min)s interactions to be ranked; red list from a mean "
                        "of %(red)g, black list below %(black)g; at most %(size)s a list.",
                        min=rules.min_interactions, red=rules.red_min_mean,
                        black=rules.black_max_mean, size=rules.list_size)]
    if ranking.under_review:
        out.append(gettext("Under review (the inspectors' verdicts do not yet support these "
                           "rules): %(rules)s", rules=", ".join(ranking.under_review)))
    return "\n".join(out) + "\n"


def render_html(ranking: Ranking, zones: HallZones | None = None) -> str:
    """A self-contained, printable page: both lists per staff and per window, rules, follow-ups."""
    return render("ranking.html", ranking=ranking, period=ranking.period, rules=ranking.rules,
                  as_of=(zones or HallZones()).show(ranking.as_of),
                  lists=LISTS, groups=GROUPS, list_titles=LIST_TITLES,
                  group_titles=GROUP_TITLES, states=STATE_LABELS, number=number, trend=trend)


RENDERERS: dict[str, Callable[[Ranking, HallZones | None], str]] = {
    "text": render_text, "json": render_json, "csv": render_csv, "html": render_html}
