"""Read-only SQL the web app needs beyond :class:`analyzer.store.Store`'s API.

Written against the store's schema (tables ``interactions``, ``findings``,
``reviews``; see :mod:`analyzer.store`): the dashboard's time series and the
dismissals export for lexicon owners.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from analyzer.tables import write_csv


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for col in ("hall", "window", "staff", "channel"):
        if filters.get(col):
            clauses.append(f'i."{col}" = ?')
            params.append(filters[col])
    if filters.get("since"):
        clauses.append("i.day >= ?")
        params.append(str(filters["since"])[:10])
    if filters.get("until"):
        clauses.append("i.day <= ?")
        params.append(str(filters["until"])[:10])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


#: The longest run of days a chart spreads out one per slot (longer: only the days with data).
MAX_CALENDAR_DAYS = 400


def calendar_days(days: Iterable[str]) -> list[str]:
    """Every day from the first to the last of ``days`` (``YYYY-MM-DD``), gaps included.

    A chart's x axis then spaces days as the calendar does: 05-04 and 05-08
    are four slots apart, not neighbours. Values that are not days, and
    spans over :data:`MAX_CALENDAR_DAYS`, keep just the given days.
    """
    given = sorted({d for d in days if d})
    try:
        first, last = date.fromisoformat(given[0]), date.fromisoformat(given[-1])
    except (IndexError, ValueError):
        return given
    span = (last - first).days
    if span > MAX_CALENDAR_DAYS:
        return given
    return [(first + timedelta(days=k)).isoformat() for k in range(span + 1)]


def score_series(con: sqlite3.Connection, filters: dict[str, Any]) -> tuple[list[str], dict[str, list[float | None]]]:
    """Mean review-adjusted score per day and per window (``hall/window``).

    Returns:
        The days in order, and ``{"hall/window": [mean score or None per day]}``.
    """
    where, params = _where(filters)
    rows = con.execute(
        "SELECT i.day, i.hall, i.window, AVG(i.score) AS mean FROM interactions i"
        f"{where} GROUP BY i.day, i.hall, i.window ORDER BY i.day",
        params,
    ).fetchall()
    days = calendar_days(r["day"] for r in rows)
    series: dict[str, list[float | None]] = defaultdict(lambda: [None] * len(days))
    index = {d: k for k, d in enumerate(days)}
    for r in rows:
        name = "/".join(x for x in (r["hall"], r["window"]) if x) or "-"
        series[name][index[r["day"]]] = round(r["mean"], 1)
    return days, dict(sorted(series.items()))


def breach_series(con: sqlite3.Connection, filters: dict[str, Any]) -> tuple[list[str], dict[str, list[int]]]:
    """Findings not dismissed, per day and per article.

    Returns:
        The days in order, and ``{"第N条": [count per day]}``.
    """
    where, params = _where(filters)
    extra = (" AND " if where else " WHERE ") + "(f.verdict IS NULL OR f.verdict != 'dismiss')"
    rows = con.execute(
        "SELECT i.day, f.article, COUNT(*) AS n FROM findings f "
        f"JOIN interactions i ON i.id = f.interaction_pk{where}{extra} "
        "GROUP BY i.day, f.article ORDER BY i.day, f.article",
        params,
    ).fetchall()
    all_days = con.execute(f"SELECT DISTINCT i.day FROM interactions i{where} ORDER BY i.day", params)
    days = calendar_days(r[0] for r in all_days)
    index = {d: k for k, d in enumerate(days)}
    stacks: dict[str, list[int]] = {}
    for r in rows:
        name = f"第{r['article']}条"
        stacks.setdefault(name, [0] * len(days))[index[r["day"]]] = r["n"]
    return days, dict(sorted(stacks.items(), key=lambda kv: int(kv[0][1:-1])))


def window_table(con: sqlite3.Connection, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Per window: interactions, mean automatic and reviewed score, breaches."""
    where, params = _where(filters)
    rows = con.execute(
        "SELECT i.hall, i.window, COUNT(*) AS interactions, ROUND(AVG(i.auto_score), 1) AS "
        "mean_auto, ROUND(AVG(i.score), 1) AS mean_score, SUM(i.n_findings) AS findings, "
        "SUM((SELECT COUNT(*) FROM findings f WHERE f.interaction_pk = i.id "
        " AND f.verdict = 'dismiss')) AS dismissed "
        f"FROM interactions i{where} GROUP BY i.hall, i.window ORDER BY mean_score",
        params,
    ).fetchall()
    return [dict(r) for r in rows]


#: Columns of the dismissals export, in order.
DISMISSAL_COLUMNS: tuple[str, ...] = (
    "rule", "article", "kind", "canonical", "evidence", "confidence", "method",
    "interaction", "hall", "window", "day", "start", "end", "dismissed_by", "dismissed_at",
    "comment",
)  # fmt: skip


def dismissals(con: sqlite3.Connection, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Findings whose current verdict is *dismiss*, with who dismissed them and why.

    Ordered by rule, so a lexicon owner sees which rules raise false alarms.
    The comment is the latest comment on the finding (a dismissal's own, or
    a separate comment).
    """
    where, params = _where(filters or {})
    extra = (" AND " if where else " WHERE ") + "f.verdict = 'dismiss'"
    rows = con.execute(
        "SELECT f.id, f.rule, f.article, f.kind, f.canonical, f.evidence, f.confidence, "
        "f.detail_json, i.interaction_id AS interaction, i.hall, i.window, i.day, f.start, "
        'f."end", '
        "(SELECT r.user FROM reviews r WHERE r.finding_id = f.id AND r.verdict = 'dismiss' "
        " ORDER BY r.id DESC LIMIT 1) AS dismissed_by, "
        "(SELECT r.at FROM reviews r WHERE r.finding_id = f.id AND r.verdict = 'dismiss' "
        " ORDER BY r.id DESC LIMIT 1) AS dismissed_at, "
        "(SELECT r.comment FROM reviews r WHERE r.finding_id = f.id AND r.comment != '' "
        " ORDER BY r.id DESC LIMIT 1) AS comment "
        f"FROM findings f JOIN interactions i ON i.id = f.interaction_pk{where}{extra} "
        "ORDER BY f.article, f.rule, i.day, f.id",
        params,
    ).fetchall()
    out = []
    for r in rows:
        d = dict(r)
        d["method"] = json.loads(d.pop("detail_json") or "{}").get("method", "")
        d["comment"] = d["comment"] or ""
        out.append(d)
    return out


def dismissals_csv(rows: list[dict[str, Any]]) -> str:
    """The dismissals as CSV text (UTF-8 with a BOM, so spreadsheet programs read 汉字)."""
    return write_csv(DISMISSAL_COLUMNS, rows, bom=True)


def distinct_values(con: sqlite3.Connection) -> dict[str, list[Any]]:
    """Values for the filter drop-downs: halls, windows, staff, articles, rules."""
    def col(sql: str) -> list[Any]:
        return [r[0] for r in con.execute(sql) if r[0] not in (None, "")]

    return {
        "hall": col("SELECT DISTINCT hall FROM interactions ORDER BY hall"),
        "window": col("SELECT DISTINCT window FROM interactions ORDER BY window"),
        "staff": col("SELECT DISTINCT staff FROM interactions ORDER BY staff"),
        "article": col("SELECT DISTINCT article FROM findings ORDER BY article"),
        "rule": col("SELECT DISTINCT rule FROM findings ORDER BY rule"),
    }
