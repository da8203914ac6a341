"""Per-staff and per-window results over a period, and the staff directory.

One set of grouped queries (:meth:`ResultsMixin.results`) serves ``conduct
report --by staff``, the review app's staff pages and the 红黑榜
(:mod:`analyzer.store.ranking`): interactions, mean review-adjusted score,
the share graded failing, breaches per article and rule, the trend against
the previous period, and the best and worst interactions. Every figure is an
indexed aggregate over ``interactions``/``findings`` (no report is decoded).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from analyzer.errors import InvalidRequest
from analyzer.limits import identifier_problem
from analyzer.store.base import StoreBase
from analyzer.store.filters import Filter, SqlValue, key_clauses, where_clause
from analyzer.store.periods import Period
from analyzer.store.schema import now

#: What results are grouped by.
RESULT_GROUPS: tuple[str, ...] = ("staff", "window")
#: The score of an interaction with nothing to deduct: never listed among the worst.
FULL_MARKS = 100
#: Best and worst interactions kept per group.
EXAMPLES_PER_GROUP = 3


@dataclass(frozen=True)
class InteractionLink:
    """One interaction a result points at (``/interactions/{pk}``)."""

    pk: int
    interaction_id: str
    score: int
    grade: str
    day: str


@dataclass(frozen=True)
class Figures:
    """The headline figures of one group over one period."""

    interactions: int
    mean_score: float | None
    failing: int

    @property
    def fail_share(self) -> float | None:
        """Share of interactions graded failing (0..1), None without interactions."""
        return round(self.failing / self.interactions, 4) if self.interactions else None


@dataclass
class GroupResult:
    """One staff member's (or one window's) results over a period.

    Attributes:
        group: ``staff`` or ``window``.
        key: The staff id, or ``hall/window``.
        hall, window, staff: The columns (a staff member's most frequent hall).
        figures: This period's figures.
        previous: The previous period's figures (zero interactions when none).
        breaches: Findings not dismissed.
        confirmed: Findings an inspector confirmed.
        by_article: Breaches per article.
        by_rule: Breaches per rule id.
        best, worst: The best and worst interactions, best (worst) first.
        name: The staff member's name from the directory, filled only for
            readers allowed to see names (:meth:`ResultsMixin.staff_names`).
    """

    group: str
    key: str
    hall: str
    window: str
    staff: str
    figures: Figures
    previous: Figures
    breaches: int = 0
    confirmed: int = 0
    by_article: dict[int, int] = field(default_factory=dict)
    by_rule: dict[str, int] = field(default_factory=dict)
    best: list[InteractionLink] = field(default_factory=list)
    worst: list[InteractionLink] = field(default_factory=list)
    name: str = ""

    @property
    def trend(self) -> float | None:
        """Mean score minus the previous period's (None when either has no interactions)."""
        a, b = self.figures.mean_score, self.previous.mean_score
        return round(a - b, 1) if a is not None and b is not None else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the report's and the API's)."""
        f, p = self.figures, self.previous
        return {
            "group": self.group, "key": self.key, "hall": self.hall, "window": self.window,
            "staff": self.staff, "name": self.name, "interactions": f.interactions,
            "mean_score": f.mean_score, "failing": f.failing, "fail_share": f.fail_share,
            "breaches": self.breaches, "confirmed": self.confirmed,
            "by_article": {str(k): v for k, v in sorted(self.by_article.items())},
            "by_rule": dict(sorted(self.by_rule.items())),
            "previous": {"interactions": p.interactions, "mean_score": p.mean_score,
                         "fail_share": p.fail_share},
            "trend": self.trend,
            "best": [link.__dict__ for link in self.best],
            "worst": [link.__dict__ for link in self.worst],
        }


_COLUMNS = {"staff": ("i.staff",), "window": ("i.hall", "i.window")}


def whole_months(since: str, until: str) -> tuple[str, str] | None:
    """``(first, last)`` months (``YYYY-MM``) when the days span whole months, else None."""
    try:
        first, last = date.fromisoformat(since), date.fromisoformat(until)
    except ValueError:
        return None
    if first.day != 1 or (last + timedelta(days=1)).day != 1 or last < first:
        return None
    return since[:7], until[:7]


class ResultsMixin(StoreBase):
    """Per-group results and the staff directory (mixed into :class:`analyzer.store.Store`)."""

    def results(self, by: str, period: Period, failing_grade: str,
                filters: Filter | None = None, *, links: bool = True
                ) -> list[GroupResult]:
        """Results per staff member or per window over ``period``.

        Filters on hall, window, staff and channel read the rollup tables:
        per month for a period of whole months (schema version 6: a few rows
        per group and month), else per day (version 4); any other filter
        (``settled``, ``article`` ...) aggregates the interactions themselves.

        Args:
            by: ``staff`` or ``window``.
            period: The period (its previous period gives the trend).
            failing_grade: The grade that counts as failing (the scoring
                template's lowest band, ``不合格``).
            filters: Other conditions on the interactions; the days come from
                the period.
            links: Also find each group's best and worst interactions.

        Returns:
            One result per group with interactions in the period, ordered by key.
        """
        if by not in RESULT_GROUPS:
            raise InvalidRequest(f"results are grouped by {' or '.join(RESULT_GROUPS)}, not {by!r}")
        base = filters or Filter()
        now_f = replace(base, since=period.since, until=period.until)
        before = period.previous()
        prev_f = replace(base, since=before.since, until=before.until)
        rolled = now_f.rolled_up
        figures = self._figures(by, now_f, failing_grade, rolled)
        previous = self._figures(by, prev_f, failing_grade, rolled)
        out: dict[tuple[str, ...], GroupResult] = {}
        for key, (fig, hall) in figures.items():
            staff = key[0] if by == "staff" else ""
            hall, window = (hall, "") if by == "staff" else key
            out[key] = GroupResult(by, "/".join(key), hall, window, staff, fig,
                                   previous.get(key, (Figures(0, None, 0), ""))[0])
        self._breaches(by, now_f, out, rolled)
        if links:
            self._links(by, now_f, out)
        return [out[k] for k in sorted(out)]

    def _rollup_where(self, filters: Filter, kind: str) -> tuple[str, str, list[SqlValue]]:
        """The rollup table of ``kind`` (``interactions``, ``findings``) that answers
        ``filters`` and the WHERE over it (``r``): the monthly one for whole months."""
        months = whole_months(filters.since, filters.until)
        clauses: list[str]
        params: list[SqlValue]
        if months:
            clauses, params = ["r.month BETWEEN ? AND ?"], list(months)
            table = f"rollup_months_{kind}"
        else:
            clauses, params = ["r.day BETWEEN ? AND ?"], [filters.since, filters.until]
            table = f"rollup_{kind}"
        more, values = key_clauses(filters, "r", days=False)
        return table, " WHERE " + " AND ".join([*clauses, *more]), [*params, *values]

    def _figures(self, by: str, filters: Filter, failing: str, rolled: bool
                 ) -> dict[tuple[str, ...], tuple[Figures, str]]:
        cols = ", ".join(_COLUMNS[by])
        if rolled:
            table, where, params = self._rollup_where(filters, "interactions")
            sql = (f"SELECT {cols.replace('i.', 'r.')}, r.hall AS main_hall, SUM(r.n) AS n, "
                   "SUM(r.score_sum) AS total, SUM(CASE WHEN r.grade = ? THEN r.n ELSE 0 END) "
                   f"AS failing FROM {table} r{where} "
                   f"GROUP BY {cols.replace('i.', 'r.')}, r.hall HAVING SUM(r.n) > 0")
        else:
            where, params = where_clause(filters)
            sql = (f"SELECT {cols}, i.hall AS main_hall, COUNT(*) AS n, SUM(i.score) AS total, "
                   f"TOTAL(i.grade = ?) AS failing FROM interactions i{where} "
                   f"GROUP BY {cols}, i.hall")
        width = len(_COLUMNS[by])
        sums: dict[tuple[str, ...], list[int]] = {}
        halls: dict[tuple[str, ...], tuple[int, str]] = {}
        for r in self._query(sql, [failing, *params]):
            key = tuple(str(r[c]) for c in range(width))
            n, total, fails = int(r["n"]), int(r["total"]), int(r["failing"])
            acc = sums.setdefault(key, [0, 0, 0])
            acc[0], acc[1], acc[2] = acc[0] + n, acc[1] + total, acc[2] + fails
            hall = str(r["main_hall"] or "")
            if key not in halls or (-n, hall) < (-halls[key][0], halls[key][1]):
                halls[key] = (n, hall)  # a staff member's main hall: most interactions
        return {key: (Figures(n, round(total / n, 1) if n else None, fails), halls[key][1])
                for key, (n, total, fails) in sums.items()}

    def _breaches(self, by: str, filters: Filter,
                  out: dict[tuple[str, ...], GroupResult], rolled: bool) -> None:
        cols = ", ".join(_COLUMNS[by])
        if rolled:
            table, where, params = self._rollup_where(filters, "findings")
            rcols = cols.replace("i.", "r.")
            sql = (f"SELECT {rcols}, r.article, r.rule, SUM(r.breaches) AS n, "
                   f"SUM(r.confirmed) AS c FROM {table} r{where} "
                   f"GROUP BY {rcols}, r.article, r.rule HAVING SUM(r.breaches) > 0")
        else:
            where, params = where_clause(filters)
            extra = (" AND " if where else " WHERE ") + \
                "(f.verdict IS NULL OR f.verdict != 'dismiss')"
            sql = (f"SELECT {cols}, f.article, f.rule, COUNT(*) AS n, "
                   "TOTAL(f.verdict = 'confirm') AS c FROM findings f JOIN interactions i "
                   f"ON i.id = f.interaction_pk{where}{extra} GROUP BY {cols}, f.article, f.rule")
        width = len(_COLUMNS[by])
        for r in self._query(sql, params):
            result = out.get(tuple(str(r[c]) for c in range(width)))
            if result is None:
                continue
            result.breaches += int(r["n"])
            result.confirmed += int(r["c"])
            result.by_article[int(r["article"])] = result.by_article.get(int(r["article"]), 0) \
                + int(r["n"])
            result.by_rule[str(r["rule"])] = int(r["n"])

    def _links(self, by: str, filters: Filter,
               out: dict[tuple[str, ...], GroupResult]) -> None:
        cols = ", ".join(_COLUMNS[by])
        where, params = where_clause(filters)
        rows = self._query(
            f"SELECT * FROM (SELECT {cols}, i.id, i.interaction_id, i.score, i.grade, i.day, "
            f"ROW_NUMBER() OVER (PARTITION BY {cols} ORDER BY i.score DESC, i.id) AS rb, "
            f"ROW_NUMBER() OVER (PARTITION BY {cols} ORDER BY i.score ASC, i.id) AS rw "
            f"FROM interactions i{where}) WHERE rb <= ? OR rw <= ? ORDER BY id",
            [*params, EXAMPLES_PER_GROUP, EXAMPLES_PER_GROUP])
        width = len(_COLUMNS[by])
        found: dict[tuple[str, ...], dict[str, list[tuple[int, InteractionLink]]]] = \
            defaultdict(lambda: {"best": [], "worst": []})
        for r in rows:
            link = InteractionLink(int(r["id"]), str(r["interaction_id"]), int(r["score"]),
                                   str(r["grade"]), str(r["day"]))
            key = tuple(str(r[c]) for c in range(width))
            if r["rb"] <= EXAMPLES_PER_GROUP:
                found[key]["best"].append((int(r["rb"]), link))
            if r["rw"] <= EXAMPLES_PER_GROUP and link.score < FULL_MARKS:
                found[key]["worst"].append((int(r["rw"]), link))  # a perfect one is no "worst"
        for key, lists in found.items():
            if key in out:
                out[key].best = [link for _, link in sorted(lists["best"], key=lambda t: t[0])]
                out[key].worst = [link for _, link in sorted(lists["worst"], key=lambda t: t[0])]

    def day_span(self) -> tuple[str, str] | None:
        """The first and last day with interactions, or None for an empty store."""
        row = self._query("SELECT MIN(day), MAX(day) FROM interactions WHERE day != ''")[0]
        return (str(row[0]), str(row[1])) if row[0] else None

    def as_of(self) -> str:
        """The latest analysis, review or audited change: what a report reflects."""
        # each an index lookup: analyzed_at is indexed; reviews and audit rows are
        # appended in time order, so the last id holds the latest time
        row = self._query(
            "SELECT MAX(t) FROM (SELECT MAX(analyzed_at) AS t FROM interactions "
            "UNION ALL SELECT at FROM (SELECT at FROM reviews ORDER BY id DESC LIMIT 1) "
            "UNION ALL SELECT at FROM (SELECT at FROM audit ORDER BY id DESC LIMIT 1))")
        return str(row[0][0] or "")

    # -- staff directory --------------------------------------------------

    def staff_names(self) -> dict[str, str]:
        """Staff id -> name, from the staff directory (:meth:`set_staff`)."""
        return {str(r[0]): str(r[1]) for r in self._query(
            "SELECT staff, name FROM staff_directory WHERE name != ''")}

    def set_staff(self, rows: list[tuple[str, str, str]], user: str = "") -> int:
        """Add or update directory entries ``(staff id, name, hall)``; returns how many.

        Each change is kept in the audit trail (entity ``directory``, written
        by the schema's triggers under ``user``).

        Raises:
            InvalidRequest: No user, or a staff id, name or hall holding a
                control or format character.
        """
        if not user.strip():
            raise InvalidRequest("a change to the staff directory needs its user")
        for entry in rows:
            for what, value in zip(("staff id", "name", "hall"), entry, strict=True):
                problem = identifier_problem(value)
                if problem:
                    raise InvalidRequest(f"the {what} {value!r}: {problem}")
        at = now()

        def job(db: sqlite3.Connection) -> None:
            for staff, name, hall in rows:
                cur = db.execute("UPDATE staff_directory SET name = ?, hall = ?, updated_at = ?, "
                                 "changed_by = ? WHERE staff = ?", (name, hall, at, user, staff))
                if cur.rowcount == 0:
                    db.execute("INSERT INTO staff_directory (staff, name, hall, updated_at, "
                               "changed_by) VALUES (?, ?, ?, ?, ?)", (staff, name, hall, at, user))

        self.db.write(job)
        return len(rows)
