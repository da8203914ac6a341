"""Appeals (申诉) against confirmed findings, rectifications (整改), and the audit trail.

The closed loop of Article 23 (差评 核实、整改、反馈):

* a staff member's supervisor files an appeal against a *confirmed* finding,
  with a reason (:meth:`AppealsMixin.file_appeal`);
* another supervisor (or an admin) rules it ``upheld`` (the finding stands)
  or ``overturned`` (the finding is dismissed, and the review-adjusted score
  follows), with a comment (:meth:`AppealsMixin.rule_appeal`);
* a black-listed staff member's record carries the corrective action and its
  follow-up date (:meth:`AppealsMixin.set_rectification`), marked done later;
  the next period's list shows whether it was.

Nothing is overwritten: triggers in the schema (:mod:`analyzer.store.guards`,
version 7) write an ``audit`` row (who, when, what, before, after) for every
insert and update of an appeal or rectification and for every change of an
interaction's score or attribution, refuse deletes and replaced rows, refuse a
change that does not name its user, and keep the audit table itself
append-only. Whoever confirmed a finding or filed its appeal does not rule
on it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from analyzer.errors import InvalidRequest, NotFound, ReviewConflict
from analyzer.limits import identifier_problem
from analyzer.store.base import StoreBase
from analyzer.store.database import inserted_id
from analyzer.store.filters import SqlValue
from analyzer.store.reviews import record_verdict
from analyzer.store.rows import JsonObject
from analyzer.store.schema import now

#: Outcomes of a ruling.
RULINGS: tuple[str, ...] = ("upheld", "overturned")
#: Longest reason, comment or action kept (characters).
MAX_TEXT = 2000


@dataclass(frozen=True)
class Appeal:
    """One appeal and, once ruled, its ruling."""

    id: int
    finding_id: int | None
    interaction_pk: int
    rule: str
    start: float | None
    staff: str
    reason: str
    filed_by: str
    filed_at: str
    status: str
    ruling_comment: str
    ruled_by: str
    ruled_at: str | None
    score_before: int
    score_after: int | None


@dataclass(frozen=True)
class Rectification:
    """A corrective action set for a staff member in a period, and whether it was done."""

    id: int
    staff: str
    period: str
    action: str
    follow_up: str
    status: str
    note: str
    set_by: str
    set_at: str
    done_at: str | None

    def state(self, today: str) -> str:
        """``done``, ``overdue`` (follow-up date passed, not done) or ``open``."""
        if self.status == "done":
            return "done"
        return "overdue" if today > self.follow_up else "open"


@dataclass(frozen=True)
class AuditEntry:
    """One step of the audit trail."""

    id: int
    at: str
    user: str
    entity: str
    entity_id: int
    action: str
    before: JsonObject | None
    after: JsonObject | None


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidRequest(f"{what} is empty")
    return value[:MAX_TEXT]


class AppealsMixin(StoreBase):
    """Appeals, rectifications and the audit trail (mixed into :class:`analyzer.store.Store`)."""

    def file_appeal(self, finding_id: int, reason: str, user: str) -> int:
        """File an appeal against a confirmed finding; returns the appeal id.

        Raises:
            InvalidRequest: Empty reason or user.
            NotFound: No such finding.
            ReviewConflict: The finding is not confirmed, or was appealed before.
        """
        reason, user = _text(reason, "the reason"), _text(user, "the user")

        def job(db: sqlite3.Connection) -> int:
            f = db.execute(
                "SELECT f.interaction_pk, f.rule, f.start, f.verdict, i.staff, i.score "
                "FROM findings f JOIN interactions i ON i.id = f.interaction_pk WHERE f.id = ?",
                (finding_id,)).fetchone()
            if f is None:
                raise NotFound(f"no finding with id {finding_id}", source=self.path)
            if f["verdict"] != "confirm":
                raise ReviewConflict(f"finding {finding_id} is not confirmed; only a confirmed "
                                     "finding can be appealed", source=self.path)
            before = db.execute("SELECT id FROM appeals WHERE finding_id = ?",
                                (finding_id,)).fetchone()
            if before is not None:
                raise ReviewConflict(f"finding {finding_id} was appealed already (appeal "
                                     f"#{before[0]}); a ruling is final", source=self.path)
            return inserted_id(db.execute(
                "INSERT INTO appeals (finding_id, interaction_pk, rule, start, staff, reason, "
                "filed_by, filed_at, score_before, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (finding_id, f["interaction_pk"], f["rule"], f["start"], f["staff"], reason, user,
                 now(), f["score"], user)))

        return self.db.write(job)

    def rule_appeal(self, appeal_id: int, outcome: str, comment: str, user: str) -> Appeal:
        """Rule on an open appeal: ``upheld`` keeps the finding, ``overturned`` dismisses it.

        An overturned finding gets a ``dismiss`` review by the ruler (so the
        review-adjusted score and grade drop the finding, as for any dismissal);
        the appeal keeps the score before and after.

        Raises:
            InvalidRequest: Unknown outcome, empty comment or user.
            NotFound: No such appeal.
            ReviewConflict: Already ruled, or the ruler filed the appeal or confirmed
                the finding it is against.
        """
        if outcome not in RULINGS:
            raise InvalidRequest(f"a ruling is one of {', '.join(RULINGS)}, not {outcome!r}")
        comment, user = _text(comment, "the ruling's comment"), _text(user, "the user")

        def job(db: sqlite3.Connection) -> None:
            a = db.execute("SELECT * FROM appeals WHERE id = ?", (appeal_id,)).fetchone()
            if a is None:
                raise NotFound(f"no appeal with id {appeal_id}", source=self.path)
            if a["status"] != "open":
                raise ReviewConflict(f"appeal #{appeal_id} was ruled already ({a['status']})",
                                     source=self.path)
            if a["filed_by"] == user:
                raise ReviewConflict(f"appeal #{appeal_id} was filed by {user}; another "
                                     "supervisor rules on it", source=self.path)
            if _confirmed_by(db, a, user):
                raise ReviewConflict(f"appeal #{appeal_id} is against a finding {user} "
                                     "confirmed; another supervisor rules on it",
                                     source=self.path)
            if outcome == "overturned" and a["finding_id"] is not None:
                record_verdict(db, int(a["finding_id"]), "dismiss",
                               f"申诉 #{appeal_id} overturned: {comment}", user, self.path)
            score = db.execute("SELECT score FROM interactions WHERE id = ?",
                               (a["interaction_pk"],)).fetchone()[0]
            db.execute(
                "UPDATE appeals SET status = ?, ruling_comment = ?, ruled_by = ?, ruled_at = ?, "
                "score_after = ?, updated_by = ? WHERE id = ?",
                (outcome, comment, user, now(), score, user, appeal_id))

        self.db.write(job)
        return self.appeal(appeal_id)

    def appeal(self, appeal_id: int) -> Appeal:
        """One appeal.

        Raises:
            NotFound: No such appeal.
        """
        rows = self._query("SELECT * FROM appeals WHERE id = ?", (appeal_id,))
        if not rows:
            raise NotFound(f"no appeal with id {appeal_id}", source=self.path)
        return _appeal(rows[0])

    def appeals(self, *, status: str | None = None, pk: int | None = None,
                staff: str | None = None) -> list[Appeal]:
        """Appeals, newest first, optionally of one status, interaction or staff member."""
        clauses, params = [], []
        for col, value in (("status", status), ("interaction_pk", pk), ("staff", staff)):
            if value not in (None, ""):
                clauses.append(f"{col} = ?")
                params.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return [_appeal(r) for r in self._query(f"SELECT * FROM appeals{where} ORDER BY id DESC",
                                                params)]

    # -- rectifications ---------------------------------------------------

    def set_rectification(self, staff: str, period: str, action: str, follow_up: str,
                          user: str) -> int:
        """Record the corrective action for a staff member in a period; returns its id.

        Setting it again for the same staff member and period changes the
        action and date (the audit trail keeps the old ones).

        Raises:
            InvalidRequest: Empty staff, action or user; a follow-up date not ``YYYY-MM-DD``.
        """
        staff, action, user = _text(staff, "the staff id"), _text(action, "the action"), \
            _text(user, "the user")
        problem = identifier_problem(staff)
        if problem:
            raise InvalidRequest(f"the staff id {problem}")
        try:
            date.fromisoformat(follow_up)
        except (TypeError, ValueError):
            raise InvalidRequest(f"the follow-up date must be YYYY-MM-DD, not {follow_up!r}") from None

        def job(db: sqlite3.Connection) -> int:
            old = db.execute("SELECT id FROM rectifications WHERE staff = ? AND period = ?",
                             (staff, period)).fetchone()
            if old is not None:
                db.execute("UPDATE rectifications SET action = ?, follow_up = ?, "
                           "updated_by = ? WHERE id = ?", (action, follow_up, user, old[0]))
                return int(old[0])
            return inserted_id(db.execute(
                "INSERT INTO rectifications (staff, period, action, follow_up, set_by, set_at, "
                "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (staff, period, action, follow_up, user, now(), user)))

        return self.db.write(job)

    def complete_rectification(self, rect_id: int, note: str, user: str) -> Rectification:
        """Mark a rectification done, with what was done.

        Raises:
            InvalidRequest: Empty note or user.
            NotFound: No such rectification.
            ReviewConflict: It was marked done already.
        """
        note, user = _text(note, "the note"), _text(user, "the user")

        def job(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT status FROM rectifications WHERE id = ?", (rect_id,)
                             ).fetchone()
            if row is None:
                raise NotFound(f"no rectification with id {rect_id}", source=self.path)
            if row[0] == "done":
                raise ReviewConflict(f"rectification #{rect_id} is done already",
                                     source=self.path)
            db.execute("UPDATE rectifications SET status = 'done', note = ?, done_at = ?, "
                       "updated_by = ? WHERE id = ?", (note, now(), user, rect_id))

        self.db.write(job)
        return self.rectifications(rect_id=rect_id)[0]

    def rectifications(self, *, period: str | None = None, staff: str | None = None,
                       rect_id: int | None = None) -> list[Rectification]:
        """Rectifications, by staff id, optionally of one period, staff member or id."""
        clauses, params = [], []
        for col, value in (("period", period), ("staff", staff), ("id", rect_id)):
            if value not in (None, ""):
                clauses.append(f"{col} = ?")
                params.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._query(f"SELECT id, staff, period, action, follow_up, status, note, set_by, "
                           f"set_at, done_at FROM rectifications{where} ORDER BY staff, period",
                           params)
        return [Rectification(*r) for r in rows]

    # -- audit ------------------------------------------------------------

    def audit(self, entity: str | None = None, entity_id: int | None = None) -> list[AuditEntry]:
        """The audit trail, oldest first (of one entity, or one record)."""
        clauses: list[str] = []
        params: list[SqlValue] = []
        if entity:
            clauses.append("entity = ?")
            params.append(entity)
        if entity_id is not None:
            clauses.append("entity_id = ?")
            params.append(entity_id)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return [AuditEntry(r["id"], r["at"], r["user"], r["entity"], r["entity_id"], r["action"],
                           json.loads(r["before_json"]) if r["before_json"] else None,
                           json.loads(r["after_json"]) if r["after_json"] else None)
                for r in self._query(f"SELECT * FROM audit{where} ORDER BY id", params)]


def _confirmed_by(db: sqlite3.Connection, appeal: sqlite3.Row, user: str) -> bool:
    """True when ``user`` ever confirmed the finding ``appeal`` is against (no one rules
    on their own judgement, whatever they said of the finding since)."""
    if appeal["finding_id"] is not None:
        found = db.execute("SELECT 1 FROM reviews WHERE finding_id = ? AND verdict = 'confirm' "
                           "AND user = ? LIMIT 1", (appeal["finding_id"], user)).fetchone()
    else:  # the finding is gone (re-analysis): its reviews keep its rule and time
        found = db.execute(
            "SELECT 1 FROM reviews WHERE interaction_pk = ? AND rule = ? AND verdict = 'confirm' "
            "AND user = ? AND ((start IS NULL AND ? IS NULL) OR ABS(start - ?) < 0.5) LIMIT 1",
            (appeal["interaction_pk"], appeal["rule"], user, appeal["start"],
             appeal["start"])).fetchone()
    return found is not None


def _appeal(r: sqlite3.Row) -> Appeal:
    return Appeal(r["id"], r["finding_id"], r["interaction_pk"], r["rule"], r["start"],
                  r["staff"], r["reason"], r["filed_by"], r["filed_at"], r["status"],
                  r["ruling_comment"], r["ruled_by"], r["ruled_at"], r["score_before"],
                  r["score_after"])
