"""Schema version 8: an interaction is stored under its identity, not its content.

Up to version 7 the ``interactions`` table was keyed by ``content_hash``
(UNIQUE): two copies of one recording with different sidecars became one
row, and a second live call with identical audio re-assigned a reviewed,
appealed interaction to another clerk, hall and day (issue 26, #1). From
version 8 each row has an ``identity`` (UNIQUE;
:func:`analyzer.pipeline.identity_of`: the content with the id and start
time its input gives), ``content_hash`` is an ordinary indexed column (the
store warns when a new interaction has the content of another), and
``key`` (the analysis: identity, model, lexicon version) names what the
batch skips.

SQLite cannot drop a UNIQUE constraint, so the table is rebuilt the way its
documentation prescribes: with foreign keys off (no cascade from the old
table's implicit delete) and legacy renaming (other tables' triggers and
foreign keys keep naming ``interactions``), a new table is filled from the
old one, the old one dropped, the new one renamed, and the old table's
indexes and triggers made again; the rows' identities and keys are
computed from what they hold, so a batch run after the upgrade finds every
interaction it analysed before.
"""

from __future__ import annotations

import re
import sqlite3

#: Triggers of ``interactions`` that version 8 makes anew (the guards, keyed by identity).
_REMADE = re.compile(r"^interactions_(no_replace_[iu]|kept|needs_user_[iu]|frozen|audit_[iu])$")


def rebuild_interactions(db: sqlite3.Connection) -> None:
    """Version 8 (run with foreign keys off and legacy renaming, in one transaction)."""
    from analyzer.pipeline.result import identity_of
    from analyzer.store.guards import INTERACTIONS
    from analyzer.store.records import analysis_key

    broken = {tuple(r) for r in db.execute("PRAGMA foreign_key_check")}  # before: not ours
    table_sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' "
                           "AND name = 'interactions'").fetchone()[0]
    others = [(name, sql) for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'interactions' "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL") if not _REMADE.match(name)]
    columns = [r[1] for r in db.execute("PRAGMA table_info(interactions)")]
    new_sql = re.sub(r"\bcontent_hash TEXT NOT NULL UNIQUE\b", "content_hash TEXT NOT NULL",
                     table_sql, count=1)
    new_sql = re.sub(r"^CREATE TABLE \"?interactions\"?", "CREATE TABLE interactions_v8",
                     new_sql, count=1)
    new_sql = new_sql.rstrip().rstrip(")") + ", identity TEXT NOT NULL DEFAULT '')"
    db.execute(new_sql)
    names = ", ".join(f'"{c}"' for c in columns)
    db.execute(f"INSERT INTO interactions_v8 ({names}) SELECT {names} FROM interactions")
    rows = db.execute("SELECT id, content_hash, interaction_id, started_at, model, "
                      "lexicon_version FROM interactions_v8").fetchall()
    updates = []
    for pk, content, ident, started, model, lexicon in rows:
        identity = identity_of(content, ident, started)
        updates.append((identity, analysis_key(identity, model, lexicon), pk))
    db.executemany("UPDATE interactions_v8 SET identity = ?, key = ? WHERE id = ?", updates)
    db.execute("DROP TABLE interactions")
    db.execute("ALTER TABLE interactions_v8 RENAME TO interactions")
    db.execute("CREATE UNIQUE INDEX ix_interactions_identity ON interactions(identity)")
    db.execute("CREATE INDEX ix_interactions_content ON interactions(content_hash)")
    for _name, sql in others:
        db.execute(sql)
    for statement in INTERACTIONS.triggers():
        db.execute(statement)
    problems = [tuple(r) for r in db.execute("PRAGMA foreign_key_check")
                if tuple(r) not in broken]
    if problems:
        raise sqlite3.IntegrityError(f"foreign keys broken by the rebuild: {problems[:5]}")


#: :mod:`analyzer.store.core` runs this migration outside foreign keys (see above).
rebuild_interactions.foreign_keys_off = True  # type: ignore[attr-defined]
