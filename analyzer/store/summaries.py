"""Summaries of a results database: per hall, per window, per article, per rule, per day.

:func:`build_summary` collects the figures ``conduct report`` shows; the
report layer (:mod:`analyzer.reports.summary`) renders them as text, CSV or
an HTML page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.halltime import HallZones
from analyzer.i18n import N_
from analyzer.store.core import Store
from analyzer.store.filters import Filter
from analyzer.store.rows import LatestErrorRow, SummaryRow
from analyzer.store.schema import now

#: The sections of a summary, in print order: (key, title, group columns).
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("hall", N_("Per hall"), ("hall",)),
    ("window", N_("Per window"), ("hall", "window")),
    ("article", N_("Per article"), ("article",)),
    ("rule", N_("Per rule"), ("article", "rule", "kind")),
    ("day", N_("Per day"), ("day",)),
)
#: The measures a section's rows may have, in column order.
MEASURES: tuple[str, ...] = ("interactions", "flagged", "findings", "mean_score", "min_score",
                             "hours", "points", "confirmed", "dismissed", "unreviewed")


@dataclass(frozen=True)
class Totals:
    """The figures of the whole selection."""

    interactions: int
    flagged: int
    findings: int
    hours: float
    mean_score: float | None

    def as_row(self) -> dict[str, int | float | None]:
        """The totals as one table row."""
        return {"interactions": self.interactions, "flagged": self.flagged,
                "findings": self.findings, "hours": self.hours, "mean_score": self.mean_score}


@dataclass
class Summary:
    """Everything a report shows."""

    db: str
    filters: Filter
    generated_at: str
    totals: Totals
    errors: int
    sections: dict[str, list[SummaryRow]] = field(default_factory=dict)
    #: the inputs that still fail (:meth:`Store.latest_errors`)
    error_rows: list[LatestErrorRow] = field(default_factory=list)
    #: the halls' clocks the times are shown on (:meth:`Store.hall_zones`)
    zones: HallZones = field(default_factory=HallZones)


def build_summary(store: Store, filters: Filter | None = None) -> Summary:
    """Collect the per-hall / window / article / rule / day aggregates.

    Args:
        store: The results database.
        filters: Which interactions (``since``, ``until``, ``hall`` ...).
    """
    filters = filters or Filter()
    halls = store.summary("hall", filters)
    n = sum(_int(r["interactions"]) for r in halls)
    mean = (round(sum(_float(r["mean_score"]) * _int(r["interactions"]) for r in halls) / n, 1)
            if n else None)
    totals = Totals(interactions=n, flagged=sum(_int(r["flagged"]) for r in halls),
                    findings=sum(_int(r["findings"]) for r in halls),
                    hours=round(sum(_float(r["hours"]) for r in halls), 3), mean_score=mean)
    sections = {key: store.summary(key, filters) for key, _, _ in SECTIONS}
    error_rows = store.latest_errors()
    return Summary(db=store.path, filters=filters, generated_at=now(), totals=totals,
                   errors=len(error_rows), sections=sections, error_rows=error_rows,
                   zones=store.hall_zones())


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _float(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0
