"""Triggers that keep the audit trail whole against SQL written by hand (schema version 7).

What the trail guards: the inspectors' verdicts (``reviews`` and the
``findings.verdict`` they set), appeals, rectifications, assignments, the
staff directory, interactions (their scores and who, where and when they are
charged to) and, in the web tables, accounts. Against someone who edits the
file through SQLite (the ``sqlite3`` tool, a script) the triggers hold these
rules, whatever the connection's settings:

* **No row is replaced.** ``INSERT OR REPLACE`` deletes the row it collides
  with *without firing delete triggers* (unless ``PRAGMA recursive_triggers``
  is on, which the person editing chooses), so a ``BEFORE INSERT`` trigger
  refuses any row whose id or unique key exists already, and a ``BEFORE
  UPDATE`` trigger refuses an update that changes the id or moves a unique
  key onto another row's (``UPDATE OR REPLACE``).
* **Nothing is deleted.** ``DELETE`` is refused on every guarded table (on
  ``audit`` too, whose rows are never updated either).
* **Every change names its user.** Each guarded table has an actor column
  (``updated_by``, or ``changed_by`` where the table had none); an insert or
  an update of a tracked column must set it, an ``AFTER`` trigger writes the
  audit row (``at`` is now, the user is the actor) and then clears the
  column. The name is spent on one statement: the next change must name its
  user again, so an edit by hand is never written under the name of the last
  person who touched the row. ``audit`` refuses a row without a user.
* **Verdicts come from reviews.** A review is never changed or deleted; it
  may only be linked to another finding of the same interaction and rule
  (re-analysis replaces findings); a finding's ``verdict`` can only become
  its latest review's.

What they do not do (SECURITY.md says the same): someone who can write the
file can drop the triggers, write any name as the actor, edit transcripts,
findings and their evidence (analysis output, replaced by every re-analysis)
or replace the whole file. The triggers stop mistakes and casual edits and
make every allowed change leave a named row; they are no defence against the
owner of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: The store's time format, in SQL (``schema.now()``: UTC, seconds, ``+00:00``).
NOW_SQL = "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"


def _refuse(message: str) -> str:
    return "SELECT RAISE(ABORT, '" + message.replace("'", "''") + "');"


def _changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns) + ")"


@dataclass(frozen=True)
class Guarded:
    """One table the audit trail guards, and how its changes become audit rows.

    Attributes:
        table: The table.
        keys: Its unique keys besides the rowid (tuples of columns).
        actor: The column a change sets to its user (cleared after each change).
        tracked: Columns whose change is audited (and needs a user).
        entity: The audit rows' ``entity``.
        inserted: SQL of the insert's audit ``action``, or None when inserts are not audited.
        updated: SQL of an update's audit ``action``.
        after_insert: SQL (``json_object(...)``) of what an inserted row holds.
        before: SQL of an updated row's ``before_json`` (OLD.*).
        after: SQL of its ``after_json`` (NEW.*).
        entity_id: SQL of the audit rows' ``entity_id`` (default ``NEW.rowid``).
        frozen: Columns that never change once written.
    """

    table: str
    keys: tuple[tuple[str, ...], ...]
    actor: str
    tracked: tuple[str, ...]
    entity: str
    inserted: str | None
    updated: str
    after_insert: str
    before: str
    after: str
    entity_id: str = "NEW.rowid"
    frozen: tuple[str, ...] = ()

    def triggers(self) -> list[str]:
        """The ``CREATE TRIGGER`` statements of this table."""
        t, who = self.table, self.actor
        frozen = f"{t}: {', '.join(self.frozen)} never change"
        return [*no_replace(t, self.keys), no_delete(t),
                f"CREATE TRIGGER {t}_needs_user_i BEFORE INSERT ON {t} WHEN NEW.\"{who}\" = '' "
                f"BEGIN {_refuse(f'{t}: a change needs its user ({who})')} END;",
                f"CREATE TRIGGER {t}_needs_user_u BEFORE UPDATE ON {t} WHEN NEW.\"{who}\" = '' "
                f"AND {_changed(self.tracked)} "
                f"BEGIN {_refuse(f'{t}: a change needs its user (set {who})')} END;",
                *([f"CREATE TRIGGER {t}_frozen BEFORE UPDATE ON {t} WHEN "
                   f"{_changed(self.frozen)} BEGIN {_refuse(frozen)} END;"]
                  if self.frozen else []),
                self._audit("INSERT"), self._audit("UPDATE")]

    def _audit(self, when: str) -> str:
        t, who = self.table, self.actor
        clear = f"UPDATE {t} SET \"{who}\" = '' WHERE rowid = NEW.rowid;"
        if when == "INSERT":
            row = (f"INSERT INTO audit (at, user, entity, entity_id, action, before_json, "
                   f"after_json) VALUES ({NOW_SQL}, NEW.\"{who}\", '{self.entity}', "
                   f"{self.entity_id}, {self.inserted}, NULL, {self.after_insert});"
                   if self.inserted else "")
            return (f"CREATE TRIGGER {t}_audit_i AFTER INSERT ON {t} "
                    f"BEGIN {row} {clear} END;")
        return (f"CREATE TRIGGER {t}_audit_u AFTER UPDATE ON {t} WHEN NEW.\"{who}\" != '' "
                f"BEGIN INSERT INTO audit (at, user, entity, entity_id, action, before_json, "
                f"after_json) SELECT {NOW_SQL}, NEW.\"{who}\", '{self.entity}', "
                f"{self.entity_id}, {self.updated}, {self.before}, {self.after} "
                f"WHERE {_changed(self.tracked)}; {clear} END;")


def no_replace(table: str, keys: tuple[tuple[str, ...], ...]) -> list[str]:
    """Triggers refusing an insert onto an existing row and an update onto another row's key."""
    exists = " OR ".join(
        [f"EXISTS (SELECT 1 FROM {table} WHERE rowid = NEW.rowid)"]
        + [f"EXISTS (SELECT 1 FROM {table} WHERE "
           + " AND ".join(f'"{c}" = NEW."{c}"' for c in key) + ")" for key in keys])
    moved = " OR ".join(
        ["NEW.rowid IS NOT OLD.rowid"]
        + [f"({_changed(key)} AND EXISTS (SELECT 1 FROM {table} WHERE "
           + " AND ".join(f'"{c}" = NEW."{c}"' for c in key) + " AND rowid != OLD.rowid))"
           for key in keys])
    message = f"{table}: rows are never replaced (a row with this key exists)"
    return [f"CREATE TRIGGER {table}_no_replace_i BEFORE INSERT ON {table} WHEN {exists} "
            f"BEGIN {_refuse(message)} END;",
            f"CREATE TRIGGER {table}_no_replace_u BEFORE UPDATE ON {table} WHEN {moved} "
            f"BEGIN {_refuse(message)} END;"]


def no_delete(table: str) -> str:
    """A trigger refusing every delete from ``table``."""
    return (f"CREATE TRIGGER {table}_kept BEFORE DELETE ON {table} "
            f"BEGIN {_refuse(f'{table}: rows are never deleted')} END;")


def _json(prefix: str, columns: tuple[str, ...], **extra: str) -> str:
    pairs = [f"'{c}', {prefix}.\"{c}\"" for c in columns] + [f"'{k}', {v}" for k, v in extra.items()]
    return "json_object(" + ", ".join(pairs) + ")"


_PLACE = ("staff", "hall", "window", "day", "channel", "interaction_id", "started_at")

#: Interactions as schema version 8 keys them (by identity, :mod:`analyzer.store.identity`).
INTERACTIONS = Guarded(
    "interactions", (("identity",), ("key",)), "changed_by",
    tracked=(*_PLACE, "key", "auto_score", "auto_grade", "score", "grade"),
    entity="interaction", inserted="'analysed'",
    updated=(f"CASE WHEN {_changed(_PLACE)} THEN 'reattributed' "
             "WHEN OLD.key IS NOT NEW.key OR OLD.auto_score IS NOT NEW.auto_score "
             "OR OLD.auto_grade IS NOT NEW.auto_grade THEN 'reanalysed' ELSE 'score' END"),
    after_insert=_json("NEW", ("interaction_id", "staff", "hall", "window", "day", "key",
                               "score", "grade")),
    before=_json("OLD", (*_PLACE, "key", "auto_score", "score", "grade")),
    after=_json("NEW", (*_PLACE, "key", "auto_score", "score", "grade")),
    frozen=("identity",))
#: Version 7's, before interactions had an identity (keyed by content).
INTERACTIONS_V7 = replace(INTERACTIONS, keys=(("key",), ("content_hash",)),
                          frozen=("content_hash",))

APPEALS = Guarded(
    "appeals", (), "updated_by",
    tracked=("interaction_pk", "rule", "start", "staff", "reason", "filed_by", "filed_at",
             "status", "ruling_comment", "ruled_by", "ruled_at", "score_before", "score_after"),
    entity="appeal", inserted="'filed'", updated="NEW.status",
    after_insert=("json_object('status', NEW.status, 'finding_id', NEW.finding_id, 'reason', "
                  "NEW.reason, 'staff', NEW.staff, 'score', NEW.score_before)"),
    before=("json_object('status', OLD.status, 'ruling_comment', OLD.ruling_comment, "
            "'ruled_by', OLD.ruled_by, 'score', OLD.score_before, 'reason', OLD.reason, "
            "'staff', OLD.staff)"),
    after=("json_object('status', NEW.status, 'ruling_comment', NEW.ruling_comment, "
           "'ruled_by', NEW.ruled_by, 'score', NEW.score_after, 'reason', NEW.reason, "
           "'staff', NEW.staff)"))

RECTIFICATIONS = Guarded(
    "rectifications", (("staff", "period"),), "updated_by",
    tracked=("staff", "period", "action", "follow_up", "status", "note", "set_by", "set_at",
             "done_at"),
    entity="rectification", inserted="'set'", updated="NEW.status",
    after_insert=_json("NEW", ("staff", "period", "action", "follow_up", "status")),
    before=_json("OLD", ("action", "follow_up", "status", "note")),
    after=_json("NEW", ("action", "follow_up", "status", "note")))

ASSIGNMENTS = Guarded(
    "assignments", (("interaction_pk",),), "updated_by",
    tracked=("interaction_pk", "inspector", "period", "reason", "seed", "assigned_at", "due",
             "done_at"),
    entity="assignment", inserted="'assigned'",
    updated=("CASE WHEN NEW.done_at IS NOT NULL AND OLD.done_at IS NULL THEN 'done' "
             "ELSE 'reassigned' END"),
    after_insert=("json_object('interaction', NEW.interaction_pk, 'inspector', NEW.inspector, "
                  "'reason', NEW.reason, 'due', NEW.due)"),
    before=_json("OLD", ("inspector", "due", "done_at")),
    after=_json("NEW", ("inspector", "due", "done_at")))

DIRECTORY = Guarded(
    "staff_directory", (("staff",),), "changed_by",
    tracked=("staff", "name", "hall"), entity="directory", inserted="'added'",
    updated="'updated'", after_insert=_json("NEW", ("staff", "name", "hall")),
    before=_json("OLD", ("name", "hall")), after=_json("NEW", ("staff", "name", "hall")))

#: The web app's accounts (created by :mod:`analyzer.web.auth`, web schema version 5).
_ACCOUNT = ("name", "role", "staff_id", "disabled")
ACCOUNTS = Guarded(
    "users", (("name",),), "changed_by",
    tracked=("name", "role", "password_hash", "disabled", "staff_id"), entity="account",
    inserted="'created'",
    updated=("CASE WHEN OLD.role IS NOT NEW.role THEN 'role' "
             "WHEN OLD.disabled IS NOT NEW.disabled THEN "
             "CASE WHEN NEW.disabled THEN 'disabled' ELSE 'enabled' END "
             "WHEN OLD.staff_id IS NOT NEW.staff_id THEN 'staff_id' "
             "WHEN OLD.name IS NOT NEW.name THEN 'renamed' ELSE 'password' END"),
    after_insert=_json("NEW", _ACCOUNT),
    before=_json("OLD", _ACCOUNT),
    after=_json("NEW", _ACCOUNT, password_changed=(
        "json(CASE WHEN OLD.password_hash IS NOT NEW.password_hash THEN 'true' "
        "ELSE 'false' END)")),
    entity_id="NEW.id")


def _review_matches(row: str) -> str:
    return (f"{row}.finding_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM findings f "
            f"WHERE f.id = {row}.finding_id AND f.interaction_pk = {row}.interaction_pk "
            f"AND f.rule = {row}.rule)")


_REVIEW_FIXED = ("interaction_pk", "rule", "start", "verdict", "comment", "user", "at")
_FINDING_FIXED = ("interaction_pk", "idx", "rule", "article", "kind", "canonical", "speaker",
                  "start", "end", "evidence", "confidence", "points", "detail_json")
_LATEST_VERDICT = ("(SELECT r.verdict FROM reviews r WHERE r.finding_id = NEW.id "
                   "AND r.verdict != 'comment' ORDER BY r.id DESC LIMIT 1)")


def verdict_triggers() -> list[str]:
    """Reviews are append-only with a user; a finding's verdict is its latest review's."""
    link = "a review or appeal belongs to a finding of its own interaction and rule"
    out = [*no_replace("reviews", ()), no_delete("reviews"),
           "CREATE TRIGGER reviews_need_user BEFORE INSERT ON reviews WHEN NEW.user = '' "
           f"BEGIN {_refuse('reviews: a verdict needs its user')} END;",
           f"CREATE TRIGGER reviews_fixed BEFORE UPDATE ON reviews WHEN {_changed(_REVIEW_FIXED)} "
           f"BEGIN {_refuse('reviews: a verdict is never changed (add a review instead)')} END;"]
    for table in ("reviews", "appeals"):
        out += [f"CREATE TRIGGER {table}_link_i BEFORE INSERT ON {table} WHEN "
                f"{_review_matches('NEW')} BEGIN {_refuse(f'{table}: {link}')} END;",
                f"CREATE TRIGGER {table}_link_u BEFORE UPDATE OF finding_id ON {table} WHEN "
                f"{_review_matches('NEW')} BEGIN {_refuse(f'{table}: {link}')} END;"]
    out += ["CREATE TRIGGER findings_verdict BEFORE UPDATE OF verdict ON findings WHEN "
            f"NEW.verdict IS NOT {_LATEST_VERDICT} BEGIN "
            f"{_refuse('findings: a verdict comes from a review (conduct serve)')} END;",
            "CREATE TRIGGER findings_new BEFORE INSERT ON findings WHEN NEW.verdict IS NOT NULL "
            f"BEGIN {_refuse('findings: a verdict comes from a review')} END;",
            f"CREATE TRIGGER findings_fixed BEFORE UPDATE ON findings WHEN "
            f"{_changed(_FINDING_FIXED)} OR NEW.id IS NOT OLD.id BEGIN "
            f"{_refuse('findings: re-analysis replaces findings; they are not edited')} END;"]
    return out


def audit_triggers() -> list[str]:
    """The audit table itself: append-only, every row with a user, no row replaced."""
    return [*no_replace("audit", ()),
            "CREATE TRIGGER audit_needs_user BEFORE INSERT ON audit WHEN NEW.user = '' "
            f"BEGIN {_refuse('audit: every row names its user')} END;"]


#: Triggers of schema version 6 that version 7 replaces (their audit rows carried an
#: empty user, or the last person's name, and were backdated).
OLD_TRIGGERS: tuple[str, ...] = (
    "appeals_filed", "appeals_changed", "rectifications_set", "rectifications_changed",
    "interactions_rescored", "assignments_made", "assignments_changed", "appeals_kept",
    "rectifications_kept", "assignments_kept")

#: The store's guarded tables (accounts are the web tables', :data:`ACCOUNTS`).
#: (Version 7's: its interactions were keyed by content; version 8 re-makes their guards.)
STORE_TABLES: tuple[Guarded, ...] = (INTERACTIONS_V7, APPEALS, RECTIFICATIONS, ASSIGNMENTS,
                                     DIRECTORY)
