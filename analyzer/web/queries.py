"""Read-only SQL the web app needs beyond :class:`analyzer.store.Store`'s API.

Written against the store's schema (tables ``interactions``, ``findings``,
``reviews``, and the rollups that triggers keep current; see
:mod:`analyzer.store.schema`): the dashboard's time series and tables read
the rollups per day, hall, window and channel (``rollup_windows``,
``rollup_articles``: a few rows per window and day, whatever the store's
size), or the rollups per staff member when a staff member is chosen; the
filter choices read ``facets``; the dismissals export reads the findings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TypedDict, cast

from analyzer.store.database import Database
from analyzer.store.filters import Filter, SqlValue, key_clauses
from analyzer.tables import write_csv


def _where(filters: Filter, alias: str = "i") -> tuple[str, list[SqlValue]]:
    """WHERE over ``interactions i`` or a rollup table (same column names)."""
    clauses, params = key_clauses(filters, alias)
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


def score_series(db: Database, filters: Filter) -> tuple[list[str], dict[str, list[float | None]]]:
    """Mean review-adjusted score per day and per window (``hall/window``).

    Returns:
        The days in order, and ``{"hall/window": [mean score or None per day]}``.
    """
    where, params = _where(filters, "r")
    table, _ = filters.rollup_tables()
    rows = db.query(
        "SELECT r.day, r.hall, r.window, SUM(r.score_sum) * 1.0 / SUM(r.n) AS mean "
        f"FROM {table} r{where} GROUP BY r.day, r.hall, r.window "
        "HAVING SUM(r.n) > 0 ORDER BY r.day",
        params,
    )
    days = calendar_days(r["day"] for r in rows)
    series: dict[str, list[float | None]] = defaultdict(lambda: [None] * len(days))
    index = {d: k for k, d in enumerate(days)}
    for r in rows:
        name = "/".join(x for x in (r["hall"], r["window"]) if x) or "-"
        series[name][index[r["day"]]] = round(r["mean"], 1)
    return days, dict(sorted(series.items()))


def breach_series(db: Database, filters: Filter) -> tuple[list[str], dict[str, list[int]]]:
    """Findings not dismissed, per day and per article.

    Returns:
        The days in order, and ``{"第N条": [count per day]}``.
    """
    where, params = _where(filters, "r")
    table, by_article = filters.rollup_tables()
    rows = db.query(
        f"SELECT r.day, r.article, SUM(r.breaches) AS n FROM {by_article} r"
        f"{where} GROUP BY r.day, r.article HAVING SUM(r.breaches) > 0 ORDER BY r.day, r.article",
        params,
    )
    all_days = db.query(f"SELECT DISTINCT r.day FROM {table} r{where} "
                           "AND r.n > 0 ORDER BY r.day" if where else
                           f"SELECT DISTINCT r.day FROM {table} r WHERE r.n > 0 "
                           "ORDER BY r.day", params)
    days = calendar_days(r[0] for r in all_days)
    index = {d: k for k, d in enumerate(days)}
    stacks: dict[str, list[int]] = {}
    for r in rows:
        name = f"第{r['article']}条"
        stacks.setdefault(name, [0] * len(days))[index[r["day"]]] = r["n"]
    return days, dict(sorted(stacks.items(), key=lambda kv: int(kv[0][1:-1])))


class WindowRow(TypedDict):
    """One service window's line of the dashboard table."""

    hall: str
    window: str
    interactions: int
    mean_auto: float
    mean_score: float
    findings: int
    dismissed: int


class ArticleRow(TypedDict):
    """One article's line of the dashboard table."""

    article: int
    findings: int
    confirmed: int
    dismissed: int
    unreviewed: int


class DismissalRow(TypedDict):
    """One dismissed finding of the export (:data:`DISMISSAL_COLUMNS`, and its id)."""

    id: int
    rule: str
    article: int
    kind: str
    canonical: str
    evidence: str
    confidence: float
    method: str
    interaction: str
    hall: str
    window: str
    day: str
    start: float | None
    end: float | None
    dismissed_by: str | None
    dismissed_at: str | None
    comment: str


def window_table(db: Database, filters: Filter) -> list[WindowRow]:
    """Per window: interactions, mean automatic and reviewed score, breaches (from the rollups)."""
    where, params = _where(filters, "r")
    table, by_article = filters.rollup_tables()
    found = {(r[0], r[1]): (r[2], r[3]) for r in db.query(
        f"SELECT r.hall, r.window, SUM(r.n), SUM(r.dismissed) FROM {by_article} r"
        f"{where} GROUP BY r.hall, r.window", params)}
    rows = db.query(
        "SELECT r.hall, r.window, SUM(r.n) AS interactions, "
        "ROUND(SUM(r.auto_sum) * 1.0 / SUM(r.n), 1) AS mean_auto, "
        "ROUND(SUM(r.score_sum) * 1.0 / SUM(r.n), 1) AS mean_score "
        f"FROM {table} r{where} GROUP BY r.hall, r.window HAVING SUM(r.n) > 0 "
        "ORDER BY mean_score",
        params,
    )
    out = []
    for r in rows:
        findings, dismissed = found.get((r["hall"], r["window"]), (0, 0))
        out.append(WindowRow(hall=r["hall"], window=r["window"], interactions=r["interactions"],
                             mean_auto=r["mean_auto"], mean_score=r["mean_score"],
                             findings=findings, dismissed=dismissed))
    return out


def article_table(db: Database, filters: Filter) -> list[ArticleRow]:
    """Per article: findings, confirmed, dismissed, unreviewed (from the rollups)."""
    where, params = _where(filters, "r")
    _, by_article = filters.rollup_tables()
    rows = db.query(
        "SELECT r.article, SUM(r.n) AS findings, SUM(r.confirmed) AS confirmed, "
        "SUM(r.dismissed) AS dismissed, SUM(r.n - r.confirmed - r.dismissed) AS unreviewed "
        f"FROM {by_article} r{where} GROUP BY r.article HAVING SUM(r.n) > 0 ORDER BY r.article",
        params,
    )
    return cast(list[ArticleRow], [dict(r) for r in rows])


#: Columns of the dismissals export, in order.
DISMISSAL_COLUMNS: tuple[str, ...] = (
    "rule", "article", "kind", "canonical", "evidence", "confidence", "method",
    "interaction", "hall", "window", "day", "start", "end", "dismissed_by", "dismissed_at",
    "comment",
)  # fmt: skip


def dismissals(db: Database, filters: Filter | None = None) -> list[DismissalRow]:
    """Findings whose current verdict is *dismiss*, with who dismissed them and why.

    Ordered by rule, so a lexicon owner sees which rules raise false alarms.
    The comment is the latest comment on the finding (a dismissal's own, or
    a separate comment).
    """
    where, params = _where(filters or Filter())
    extra = (" AND " if where else " WHERE ") + "f.verdict = 'dismiss'"
    rows = db.query(
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
    )
    out = []
    for r in rows:
        d = dict(r)
        d["method"] = json.loads(d.pop("detail_json") or "{}").get("method", "")
        d["comment"] = d["comment"] or ""
        out.append(cast(DismissalRow, d))
    return out


def dismissals_csv(rows: list[DismissalRow]) -> str:
    """The dismissals as CSV text (UTF-8 with a BOM, so spreadsheet programs read 汉字)."""
    return write_csv(DISMISSAL_COLUMNS, rows, bom=True)


def distinct_values(db: Database) -> dict[str, list[str | int]]:
    """Values for the filter drop-downs: halls, windows, staff, articles, rules (``facets``)."""
    out: dict[str, list[str | int]] = {k: [] for k in ("hall", "window", "staff", "article",
                                                       "rule")}
    for facet, value in db.query("SELECT facet, value FROM facets WHERE n > 0 AND value != '' "
                                    "ORDER BY facet, value"):
        if facet in out:
            out[facet].append(int(value) if facet == "article" else value)
    out["article"].sort(key=int)
    return out
