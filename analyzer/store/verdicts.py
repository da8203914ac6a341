"""What the inspectors said of each rule: verdict counts from the rollups, and their precision.

:class:`HealthMixin` (mixed into :class:`analyzer.store.Store`) reads, per
month, hall, article and rule, the findings and how many were confirmed and
dismissed (the verdict-keeping rollups ``rollup_months_findings`` /
``rollup_findings``, a range of their primary key), and the dismissals'
reasons (the dismissed findings' own index ``ix_findings_dismissed``).
:class:`Verdicts` holds one such count and derives the reviewed share, the
confirmed precision and its Wilson interval (:func:`wilson`).
:mod:`analyzer.store.health` makes rule health of them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from analyzer.rules.score import HealthRules
from analyzer.store.base import StoreBase
from analyzer.store.filters import SqlValue
from analyzer.store.results import whole_months

#: z of a two-sided 95 % interval.
Z95 = 1.959963984540054


def wilson(confirmed: int, reviewed: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``confirmed`` successes in ``reviewed`` trials (None for 0).

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``: unlike the
    normal approximation it never leaves [0, 1] and stays wide when few
    findings were reviewed.
    """
    if reviewed <= 0:
        return None
    n, p = reviewed, confirmed / reviewed
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)
    return max(0.0, low), min(1.0, high)


@dataclass(frozen=True)
class Verdicts:
    """What a rule raised and what the inspectors said of it."""

    findings: int = 0
    confirmed: int = 0
    dismissed: int = 0

    @property
    def reviewed(self) -> int:
        """Findings confirmed or dismissed."""
        return self.confirmed + self.dismissed

    @property
    def reviewed_share(self) -> float | None:
        """Reviewed / findings (None without findings)."""
        return self.reviewed / self.findings if self.findings else None

    @property
    def precision(self) -> float | None:
        """Confirmed / reviewed (None when nothing was reviewed)."""
        return self.confirmed / self.reviewed if self.reviewed else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The precision's 95 % Wilson interval (None when nothing was reviewed)."""
        return wilson(self.confirmed, self.reviewed)

    def __add__(self, other: Verdicts) -> Verdicts:
        return Verdicts(self.findings + other.findings, self.confirmed + other.confirmed,
                        self.dismissed + other.dismissed)

    def status(self, rules: HealthRules) -> str:
        """``too_few`` reviewed to say, ``below_bar``, or ``ok``."""
        if self.reviewed < rules.min_reviewed:
            return "too_few"
        precision = self.precision or 0.0
        return "below_bar" if precision < rules.min_precision else "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the derived figures included (rounded to 4 places)."""
        interval = self.interval
        return {"findings": self.findings, "reviewed": self.reviewed,
                "confirmed": self.confirmed, "dismissed": self.dismissed,
                "reviewed_share": _round(self.reviewed_share), "precision": _round(self.precision),
                "interval": [round(interval[0], 4), round(interval[1], 4)] if interval else None}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


#: One counted group: (month, hall, article, rule) -> verdicts.
Counts = dict[tuple[str, str, int, str], Verdicts]


class HealthMixin(StoreBase):
    """The verdict counts rule health is made of (mixed into :class:`analyzer.store.Store`)."""

    def verdict_counts(self, since: str, until: str, hall: str = "") -> Counts:
        """Findings, confirmed and dismissed per (month, hall, article, rule) over the days.

        Whole months read the monthly rollup, any other span the daily one
        (both by their primary key's leading column).
        """
        months = whole_months(since, until)
        params: list[SqlValue]
        if months:
            table, key, params = "rollup_months_findings", "month", list(months)
        else:
            table, key, params = "rollup_findings", "day", [since, until]
        where = f"r.{key} BETWEEN ? AND ?"
        if hall:
            where += " AND r.hall = ?"
            params.append(hall)
        month = "r.month" if months else "substr(r.day, 1, 7)"
        rows = self._query(
            f"SELECT {month} AS m, r.hall, r.article, r.rule, SUM(r.n) AS n, "
            f"SUM(r.confirmed) AS c, SUM(r.dismissed) AS d FROM {table} r WHERE {where} "
            "GROUP BY 1, 2, 3, 4 HAVING SUM(r.n) > 0", params)
        return {(str(r["m"]), str(r["hall"]), int(r["article"]), str(r["rule"])):
                Verdicts(int(r["n"]), int(r["c"]), int(r["d"])) for r in rows}

    def dismissal_reasons(self, since: str, until: str, hall: str = ""
                          ) -> dict[tuple[str, str], dict[str, int]]:
        """(hall, rule) -> dismissal reason -> dismissed findings, over the days.

        A finding's reason is that of its latest dismissal ("" when none was
        given). Reads the dismissed findings' index, not the period's findings.
        """
        params: list[SqlValue] = [since, until]
        extra = ""
        if hall:
            extra, params = " AND i.hall = ?", [*params, hall]
        rows = self._query(
            "SELECT i.hall, f.rule, COALESCE((SELECT r.reason FROM reviews r "
            "WHERE r.finding_id = f.id AND r.verdict = 'dismiss' ORDER BY r.id DESC LIMIT 1), "
            "'') AS reason, COUNT(*) AS n FROM findings f INDEXED BY ix_findings_dismissed "
            "JOIN interactions i ON i.id = f.interaction_pk WHERE f.verdict = 'dismiss' "
            f"AND i.day BETWEEN ? AND ?{extra} GROUP BY 1, 2, 3", params)
        out: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        for r in rows:
            out[(str(r["hall"]), str(r["rule"]))][str(r["reason"])] = int(r["n"])
        return dict(out)


@dataclass(frozen=True)
class InspectorVerdict:
    """One inspector's latest confirm or dismiss of one finding."""

    finding_id: int
    interaction_pk: int
    interaction_id: str
    hall: str
    article: int
    rule: str
    user: str
    verdict: str


class CalibrationMixin(StoreBase):
    """Each inspector's own verdicts (mixed into :class:`analyzer.store.Store`)."""

    def inspector_verdicts(self, since: str, until: str, hall: str = ""
                           ) -> list[InspectorVerdict]:
        """Every inspector's latest confirm / dismiss of each finding of the period's interactions.

        The reviews table keeps every verdict with its user, so two inspectors
        who judged the same finding each have their own row (the finding keeps
        only the latest). Reads the reviews (a small table) and each
        interaction by its key.
        """
        params: list[SqlValue] = [since, until]
        extra = ""
        if hall:
            extra, params = " AND i.hall = ?", [*params, hall]
        rows = self._query(
            "SELECT r.finding_id, r.interaction_pk, i.interaction_id, i.hall, f.article, r.rule, "
            "r.user, r.verdict FROM reviews r JOIN interactions i ON i.id = r.interaction_pk "
            "JOIN findings f ON f.id = r.finding_id WHERE r.verdict IN ('confirm', 'dismiss') "
            f"AND r.user != '' AND i.day BETWEEN ? AND ?{extra} ORDER BY r.id", params)
        latest: dict[tuple[int, str], InspectorVerdict] = {}
        for r in rows:
            latest[(int(r[0]), str(r[6]))] = InspectorVerdict(
                int(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4]), str(r[5]), str(r[6]),
                str(r[7]))
        return list(latest.values())
