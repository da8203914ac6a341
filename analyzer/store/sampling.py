"""Sampling (抽检) and assignment: which interactions fill each inspector's queue.

:meth:`SamplingMixin.sample` applies the scoring template's ``[sampling]``
rules (:class:`analyzer.rules.score.SamplingRules`) to one period: every
interaction scoring below ``below``, plus ``share`` of the rest, plus more
of a staff member's until each has ``min_per_staff``. The draw uses
``random.Random`` seeded with the seed and the period, over interactions in
id order, so the same database, template and seed give the same sample.
Each sampled interaction is assigned to one inspector (a unique column),
round-robin; a seeded ``calibration`` share of them also goes to a *second*
inspector, never the same one (a trigger refuses it), who judges it
independently for the calibration figures (:mod:`analyzer.store.calibration`).
Reassignment and completion are audited by triggers. An assignment is *done*
when marked so, or when every finding of its interaction has a verdict (and,
for a calibration assignment, a verdict of the second inspector's own);
*overdue* when not done after its due date.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta

from analyzer.errors import InvalidRequest, NotFound, ReviewConflict
from analyzer.rules.score import SamplingRules
from analyzer.store.base import StoreBase
from analyzer.store.filters import SqlValue
from analyzer.store.periods import Period
from analyzer.store.schema import now

#: The seed of a draw nobody chose one for (the command line and the page use it alike);
#: the period is mixed into every draw, so one seed serves every month.
DEFAULT_SEED = "0"

@dataclass(frozen=True)
class Assignment:
    """One interaction assigned to one inspector, and where it stands."""

    id: int
    interaction_pk: int
    interaction_id: str
    staff: str
    score: int
    inspector: str
    period: str
    reason: str
    assigned_at: str
    due: str
    done_at: str | None
    n_findings: int
    #: Done by :data:`SETTLED_SQL`: marked done, or every finding has a verdict.
    settled: bool = False
    #: The second inspector of a calibration assignment (None: one inspector).
    second: str | None = None

    def state(self, today: str) -> str:
        """``done``, ``overdue`` or ``open`` on ``today`` (``YYYY-MM-DD``)."""
        if self.settled:
            return "done"
        return "overdue" if today > self.due else "open"


#: An assignment is done when marked so, or when every finding has a verdict
#: (SQL over ``assignments a JOIN interactions i``): :attr:`Assignment.settled`
#: and :meth:`SamplingMixin.assignment_tally` both read it.
SETTLED_SQL = ("(a.done_at IS NOT NULL OR (i.n_findings > 0 AND NOT EXISTS (SELECT 1 FROM "
               "findings f WHERE f.interaction_pk = a.interaction_pk AND (f.verdict IS NULL "
               "OR (a.second IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reviews r WHERE "
               "r.finding_id = f.id AND r.user = a.second AND r.verdict IN "
               "('confirm', 'dismiss')))))))")
#: States an assignment can be in, in display order.
ASSIGNMENT_STATES: tuple[str, ...] = ("open", "overdue", "done")


@dataclass
class SampleResult:
    """What one sampling run chose and assigned."""

    period: str
    seed: str
    chosen: dict[str, int] = field(default_factory=dict)  # reason -> interactions
    already: int = 0
    per_inspector: dict[str, int] = field(default_factory=dict)
    #: new assignments also given to a second inspector, and to whom
    calibration: int = 0
    per_second: dict[str, int] = field(default_factory=dict)


def _today() -> date:
    """Today in the default hall zone (the pages pass the hall's own day)."""
    import time

    from analyzer.halltime import HallZones

    return HallZones().today(time.time())


def draw(rows: list[tuple[int, str, int]], rules: SamplingRules, rng: random.Random
         ) -> dict[int, str]:
    """The sample of ``rows`` ``(pk, staff, score)``: pk -> reason (``below``, ``share``, ``minimum``)."""
    chosen = {pk: "below" for pk, _s, score in rows if score < rules.below}
    rest = [pk for pk, _s, score in rows if score >= rules.below]
    for pk in sorted(rng.sample(rest, round(len(rest) * rules.share))):
        chosen[pk] = "share"
    by_staff: dict[str, list[int]] = {}
    for pk, staff, _score in rows:
        by_staff.setdefault(staff, []).append(pk)
    for staff in sorted(by_staff):
        pks = by_staff[staff]
        have = sum(pk in chosen for pk in pks)
        pool = [pk for pk in pks if pk not in chosen]
        for pk in sorted(rng.sample(pool, min(len(pool), max(0, rules.min_per_staff - have)))):
            chosen[pk] = "minimum"
    return chosen


def _second(inspectors: list[str], n: int) -> str:
    """The second inspector of the ``n``-th new assignment: another one, the pairs rotating."""
    size = len(inspectors)
    step = 1 + (n // size) % (size - 1)  # 1 .. size - 1: never the first inspector
    return inspectors[(n + step) % size]


class SamplingMixin(StoreBase):
    """Sampling and assignments (mixed into :class:`analyzer.store.Store`)."""

    def sample(self, period: Period, rules: SamplingRules, inspectors: list[str], *,
               seed: str = DEFAULT_SEED, user: str = "", today: date | None = None,
               calibration: float = 0.0) -> SampleResult:
        """Draw the period's sample and assign what is not assigned yet.

        Args:
            period: The period drawn from.
            rules: The template's ``[sampling]`` rules.
            inspectors: Who to assign to, round-robin.
            seed: The draw's seed (mixed with the period).
            user: Who draws it (audited).
            today: The hall's day (the due dates count from it).
            calibration: The share (0 to 1) of the new assignments that a second
                inspector also gets, seeded like the draw: the next inspector
                round the list, never the first one again.

        Raises:
            InvalidRequest: No inspectors, no user, a share outside 0..1, or a
                calibration share with fewer than two inspectors.
        """
        inspectors = sorted({i.strip() for i in inspectors if i.strip()})
        if not inspectors:
            raise InvalidRequest("name at least one inspector to assign to")
        if not user.strip():
            raise InvalidRequest("a sample needs the user who draws it")
        if not 0.0 <= calibration <= 1.0:
            raise InvalidRequest(f"calibration share {calibration} is not between 0 and 1")
        if calibration and len(inspectors) < 2:
            raise InvalidRequest("a calibration share needs two or more inspectors")
        rows = [(int(r[0]), str(r[1]), int(r[2])) for r in self._query(
            "SELECT id, staff, score FROM interactions WHERE day BETWEEN ? AND ? ORDER BY id",
            (period.since, period.until))]
        chosen = draw(rows, rules, random.Random(f"{seed}:{period.label}"))
        result = SampleResult(period.label, str(seed))
        for reason in chosen.values():
            result.chosen[reason] = result.chosen.get(reason, 0) + 1
        due = ((today or _today()) + timedelta(days=rules.due_days)).isoformat()
        at = now()

        def job(db: sqlite3.Connection) -> None:
            taken = {r[0] for r in db.execute("SELECT interaction_pk FROM assignments")}
            new = [pk for pk in sorted(chosen) if pk not in taken]
            result.already = len(chosen) - len(new)
            twice = set(random.Random(f"{seed}:{period.label}:calibration").sample(
                new, round(len(new) * calibration)))
            for n, pk in enumerate(new):
                inspector = inspectors[n % len(inspectors)]
                second = _second(inspectors, n) if pk in twice else None
                db.execute(
                    "INSERT INTO assignments (interaction_pk, inspector, period, reason, seed, "
                    "assigned_at, due, updated_by, second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (pk, inspector, period.label, chosen[pk], str(seed), at, due, user, second))
                result.per_inspector[inspector] = result.per_inspector.get(inspector, 0) + 1
                if second is not None:
                    result.calibration += 1
                    result.per_second[second] = result.per_second.get(second, 0) + 1

        self.db.write(job)
        return result

    def assignments(self, *, inspector: str | None = None, period: str | None = None,
                    limit: int = 1000) -> list[Assignment]:
        """Assignments, open ones first (by due date), then done ones.

        An inspector's are those given to them first or second (calibration).
        """
        clauses: list[str] = []
        params: list[SqlValue] = []
        if inspector:
            clauses.append("(a.inspector = ? OR a.second = ?)")
            params += [inspector, inspector]
        if period:
            clauses.append("a.period = ?")
            params.append(period)
        return self._assignments(clauses, params, limit)

    def assignment(self, assignment_id: int) -> Assignment:
        """One assignment.

        Raises:
            NotFound: No such assignment.
        """
        found = self._assignments(["a.id = ?"], [assignment_id], 1)
        if not found:
            raise NotFound(f"no assignment with id {assignment_id}", source=self.path)
        return found[0]

    def blind_to_others(self, pk: int, inspector: str) -> bool:
        """True while ``inspector`` may not see the other reviewers' verdicts on ``pk``.

        That is while ``pk`` is a calibration item (its assignment has a second
        inspector), ``inspector`` is one of its two inspectors, and some finding
        of it has no confirm/dismiss of ``inspector``'s own yet: the two reviews
        stay independent (:mod:`analyzer.store.blind` shows only their own).
        """
        row = self._query(
            "SELECT 1 FROM assignments a WHERE a.interaction_pk = ? AND a.second IS NOT NULL "
            "AND ? IN (a.inspector, a.second) AND EXISTS (SELECT 1 FROM findings f WHERE "
            "f.interaction_pk = a.interaction_pk AND NOT EXISTS (SELECT 1 FROM reviews r "
            "WHERE r.finding_id = f.id AND r.user = ? AND r.verdict IN ('confirm', 'dismiss')))"
            " LIMIT 1", (pk, inspector, inspector))
        return bool(row)

    def _assignments(self, clauses: list[str], params: list[SqlValue], limit: int
                     ) -> list[Assignment]:
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._query(
            "SELECT a.id, a.interaction_pk, i.interaction_id, i.staff, i.score, a.inspector, "
            f"a.period, a.reason, a.assigned_at, a.due, a.done_at, i.n_findings, {SETTLED_SQL}, "
            "a.second "
            f"FROM assignments a JOIN interactions i ON i.id = a.interaction_pk{where} "
            "ORDER BY a.done_at IS NOT NULL, a.due, a.id LIMIT ?", [*params, limit])
        return [Assignment(int(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4]), str(r[5]),
                           str(r[6]), str(r[7]), str(r[8]), str(r[9]), r[10], int(r[11]),
                           settled=bool(r[12]), second=r[13]) for r in rows]

    def assignment_tally(self, period: str, today: str) -> dict[str, dict[str, int]]:
        """Per inspector, how many of ``period``'s assignments are open, overdue and done on ``today``.

        A calibration assignment counts for both of its inspectors.
        """
        state = (f"CASE WHEN {SETTLED_SQL} THEN 'done' WHEN ? > a.due THEN 'overdue' "
                 "ELSE 'open' END")
        rows = self._query(
            f"SELECT who, state, COUNT(*) FROM (SELECT a.inspector AS who, {state} AS state "
            "FROM assignments a JOIN interactions i ON i.id = a.interaction_pk "
            f"WHERE a.period = ? UNION ALL SELECT a.second, {state} FROM assignments a "
            "JOIN interactions i ON i.id = a.interaction_pk WHERE a.period = ? "
            "AND a.second IS NOT NULL) GROUP BY 1, 2 ORDER BY 1", (today, period, today, period))
        out: dict[str, dict[str, int]] = {}
        for inspector, state, n in rows:
            out.setdefault(str(inspector), dict.fromkeys(ASSIGNMENT_STATES, 0))[str(state)] = int(n)
        return out

    def reassign(self, assignment_id: int, inspector: str, user: str) -> None:
        """Give an assignment to another inspector (audited).

        Raises:
            NotFound: No such assignment.
            ReviewConflict: ``inspector`` is the assignment's second inspector.
        """
        def job(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT second FROM assignments WHERE id = ?", (assignment_id,)
                             ).fetchone()
            if row is None:
                raise NotFound(f"no assignment with id {assignment_id}", source=self.path)
            if row[0] == inspector:
                raise ReviewConflict(f"assignment #{assignment_id}: {inspector} is its second "
                                     "inspector already (a calibration needs two people)",
                                     source=self.path)
            db.execute("UPDATE assignments SET inspector = ?, updated_by = ? WHERE id = ?",
                       (inspector, user, assignment_id))

        self.db.write(job)

    def complete_assignment(self, assignment_id: int, user: str) -> Assignment:
        """Mark an assignment done (its inspector, or an admin in the app).

        Raises:
            NotFound: No such assignment.
            ReviewConflict: Done already.
        """
        def job(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT done_at FROM assignments WHERE id = ?", (assignment_id,)
                             ).fetchone()
            if row is None:
                raise NotFound(f"no assignment with id {assignment_id}", source=self.path)
            if row[0] is not None:
                raise ReviewConflict(f"assignment #{assignment_id} is done already",
                                     source=self.path)
            db.execute("UPDATE assignments SET done_at = ?, updated_by = ? WHERE id = ?",
                       (now(), user, assignment_id))

        self.db.write(job)
        return self.assignment(assignment_id)

