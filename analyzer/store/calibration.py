"""Calibration between inspectors: how often two inspectors agree on the same findings.

When two inspectors judge the same finding (the reviews keep each one's
verdict; :meth:`~analyzer.store.verdicts.CalibrationMixin.inspector_verdicts`),
their verdicts form a 2×2 table per inspector pair, overall and per rule:

=================  ===============  ===============
                   B confirms       B dismisses
A confirms         ``both_confirm`` ``only_a``
A dismisses        ``only_b``       ``both_dismiss``
=================  ===============  ===============

and Cohen's kappa, ``(po - pe) / (1 - pe)`` with ``po`` the observed share
of agreement and ``pe`` the agreement expected by chance from each
inspector's own confirm rate, says how much more than chance they agree
(1: always; 0: no more than chance; below 0: less). The raw counts are always
given beside it: a kappa over a handful of findings says little.

Findings they disagree on are listed for the calibration meeting. A
*referee* (a supervisor; the review app passes its supervisor accounts) may
rule on a finding by giving it a verdict: that ruling is the reference, and
each inspector's agreement with it, and the analyzer's (it raised the
finding, so it agrees when the ruling confirms), are counted on the ruled
findings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from analyzer.store.core import Store
from analyzer.store.periods import Period
from analyzer.store.verdicts import InspectorVerdict


def cohen_kappa(both_confirm: int, only_a: int, only_b: int, both_dismiss: int
                ) -> float | None:
    """Cohen's kappa of a 2×2 table (None without items, or when chance agreement is 1)."""
    n = both_confirm + only_a + only_b + both_dismiss
    if n == 0:
        return None
    observed = (both_confirm + both_dismiss) / n
    a_yes, b_yes = (both_confirm + only_a) / n, (both_confirm + only_b) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


@dataclass
class Agreement:
    """Two inspectors' verdicts on the same findings (A is the first name in text order)."""

    both_confirm: int = 0
    only_a: int = 0
    only_b: int = 0
    both_dismiss: int = 0

    @property
    def n(self) -> int:
        """Findings both judged."""
        return self.both_confirm + self.only_a + self.only_b + self.both_dismiss

    @property
    def observed(self) -> float | None:
        """Share of those findings they agree on."""
        return (self.both_confirm + self.both_dismiss) / self.n if self.n else None

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa (:func:`cohen_kappa`)."""
        return cohen_kappa(self.both_confirm, self.only_a, self.only_b, self.both_dismiss)

    def add(self, a: str, b: str) -> None:
        """Count one finding A judged ``a`` and B judged ``b``."""
        if a == b:
            if a == "confirm":
                self.both_confirm += 1
            else:
                self.both_dismiss += 1
        elif a == "confirm":
            self.only_a += 1
        else:
            self.only_b += 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the raw counts first."""
        kappa, observed = self.kappa, self.observed
        return {"both_confirm": self.both_confirm, "only_a_confirms": self.only_a,
                "only_b_confirms": self.only_b, "both_dismiss": self.both_dismiss,
                "n": self.n, "observed": None if observed is None else round(observed, 4),
                "kappa": None if kappa is None else round(kappa, 4)}


@dataclass
class PairRow:
    """One inspector pair's agreement, over every rule (``rule`` "") or one rule."""

    a: str
    b: str
    rule: str
    agreement: Agreement

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"a": self.a, "b": self.b, "rule": self.rule, **self.agreement.to_dict()}


@dataclass
class Disagreement:
    """A finding two or more inspectors judged differently, with the referee's ruling."""

    finding_id: int
    interaction_pk: int
    interaction_id: str
    hall: str
    article: int
    rule: str
    verdicts: dict[str, str]
    ruling: str = ""
    ruled_by: str = ""


@dataclass
class Calibration:
    """Agreement between inspectors over one period (:func:`build_calibration`)."""

    period: Period
    hall: str
    referees: tuple[str, ...]
    pairs: list[PairRow] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    #: per inspector (and ``"analyzer"``): (agreeing with the ruling, ruled findings judged)
    reference: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"period": self.period.__dict__, "hall": self.hall,
                "referees": list(self.referees), "pairs": [p.to_dict() for p in self.pairs],
                "disagreements": [d.__dict__ for d in self.disagreements],
                "reference": {k: {"agree": a, "n": n} for k, (a, n) in
                              sorted(self.reference.items())}}


def build_calibration(store: Store, period: Period, *, hall: str = "",
                      referees: Iterable[str] = ()) -> Calibration:
    """Agreement per inspector pair (overall and per rule), disagreements, the reference.

    Args:
        store: The results database.
        period: Findings of the interactions of this period.
        hall: Only this hall.
        referees: Users whose verdict is a ruling (supervisors), not an inspector's.
    """
    refs = tuple(sorted(set(referees)))
    out = Calibration(period, hall, refs)
    by_finding: dict[int, list[InspectorVerdict]] = defaultdict(list)
    for v in store.inspector_verdicts(period.since, period.until, hall):
        by_finding[v.finding_id].append(v)
    tables: dict[tuple[str, str, str], Agreement] = defaultdict(Agreement)
    for fid, verdicts in sorted(by_finding.items()):
        judged = {v.user: v.verdict for v in verdicts if v.user not in refs}
        ruled = [v for v in verdicts if v.user in refs]
        ruling = ruled[-1] if ruled else None
        for a, b in combinations(sorted(judged), 2):
            for rule in ("", verdicts[0].rule):
                tables[(a, b, rule)].add(judged[a], judged[b])
        if len(set(judged.values())) > 1:
            v = verdicts[0]
            out.disagreements.append(Disagreement(
                fid, v.interaction_pk, v.interaction_id, v.hall, v.article, v.rule,
                dict(sorted(judged.items())), ruling.verdict if ruling else "",
                ruling.user if ruling else ""))
        if ruling is not None:
            for who, verdict in [*judged.items(), ("analyzer", "confirm")]:
                agree, n = out.reference.get(who, (0, 0))
                out.reference[who] = (agree + (verdict == ruling.verdict), n + 1)
    out.pairs = [PairRow(a, b, rule, t) for (a, b, rule), t in
                 sorted(tables.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]))]
    return out
