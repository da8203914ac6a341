"""Good-practice example candidates kept per analysis and lexicon version.

Trainers search for required phrases said well (:mod:`analyzer.training.examples`).
Matching every stored transcript again on each search took half a minute on
a month's store; instead each interaction is matched once per lexicon
version (by the batch after a run, or by the first search that meets it) and
its candidates are kept in ``example_hits``, ordered by an index the search
reads in page order. A re-analysed interaction loses its rows (a trigger)
and is matched again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from analyzer.store.base import StoreBase
from analyzer.store.filters import Filter, SqlValue, where_clause
from analyzer.store.queries import finding_rows
from analyzer.store.rows import ExampleFindingRow, GoodHitRow


@dataclass(frozen=True)
class HitRow:
    """One candidate: a required phrase said well by ``speaker`` at ``start``..``end``."""

    article: int
    rule: str
    canonical: str
    speaker: str
    start: float
    end: float
    evidence: str
    confidence: float
    method: str


#: The SQL form of :func:`analyzer.training.examples._tainted`: a finding against
#: the same speaker, not dismissed, overlapping the candidate (the phrase was
#: not said well). tests/test_examples.py checks both give the same examples.
TAINTED_SQL = (
    "EXISTS (SELECT 1 FROM findings f WHERE f.interaction_pk = h.interaction_pk "
    "AND (f.verdict IS NULL OR f.verdict != 'dismiss') AND f.start IS NOT NULL "
    'AND f.speaker = h.speaker AND f.start < h."end" AND COALESCE(f."end", f.start) > h.start)'
)


#: One interaction's candidates under one lexicon version. The "+" keeps the
#: planner on ix_example_hits_pk: through the order index this delete read every
#: candidate of the version (35 ms a write at 93,000 interactions, and growing).
DELETE_HITS_SQL = "DELETE FROM example_hits WHERE interaction_pk = ? AND +lexicon_version = ?"


def write_example_hits(db: sqlite3.Connection, pk: int, lexicon_version: str,
                       hits: Sequence[HitRow]) -> int:
    """Replace interaction ``pk``'s candidates under ``lexicon_version`` and mark it matched.

    Runs in the caller's transaction. Returns 1, or 0 when there is no such
    interaction.
    """
    row = db.execute("SELECT day, hall FROM interactions WHERE id = ?", (pk,)).fetchone()
    if row is None:
        return 0
    db.execute(DELETE_HITS_SQL, (pk, lexicon_version))
    db.executemany(
        "INSERT INTO example_hits (interaction_pk, lexicon_version, article, rule, "
        'canonical, day, hall, speaker, start, "end", evidence, confidence, method) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(pk, lexicon_version, h.article, h.rule, h.canonical, row[0], row[1], h.speaker,
          h.start, h.end, h.evidence, h.confidence, h.method) for h in hits])
    db.execute("INSERT OR IGNORE INTO example_index VALUES (?, ?)", (lexicon_version, pk))
    return 1


class ExampleHitsMixin(StoreBase):
    """Example candidates (mixed into :class:`analyzer.store.Store`)."""

    def unindexed(self, lexicon_version: str, filters: Filter | None = None) -> list[int]:
        """Interactions (matching ``filters``) not yet matched under this lexicon version.

        When every interaction is matched (the matched count equals the
        store's, both kept in ``facets``) that is known without a scan.
        """
        matched = self._query("SELECT COALESCE(SUM(n), 0) FROM facets WHERE facet = 'matched' "
                              "AND value = ?", (lexicon_version,))[0][0]
        total = self._query("SELECT COALESCE(SUM(n), 0) FROM facets WHERE facet = 'hall'")[0][0]
        if matched >= total:
            return []
        where, params = where_clause(filters)
        extra = (" AND " if where else " WHERE ") + (
            "i.id NOT IN (SELECT x.interaction_pk FROM example_index x "
            "WHERE x.lexicon_version = ?)")
        return [int(r[0]) for r in self._query(
            f"SELECT i.id FROM interactions i{where}{extra} ORDER BY i.id",
            [*params, lexicon_version])]

    def save_example_hits(self, lexicon_version: str,
                          items: Iterable[tuple[int, Sequence[HitRow]]]) -> int:
        """Keep the candidates of each ``(pk, hits)`` (replacing earlier ones); returns how many pks."""
        pending = list(items)
        return self.db.write(lambda db: sum(write_example_hits(db, pk, lexicon_version, hits)
                                            for pk, hits in pending))

    def good_hits(self, lexicon_version: str, filters: Filter, *,
                  article: int | None = None, rule: str | None = None,
                  limit: int = 500) -> list[GoodHitRow]:
        """Kept candidates not tainted by a finding, in (article, rule, pk, start) order.

        Args:
            lexicon_version: The lexicon they were matched with.
            filters: ``hall``, ``since``, ``until`` (days).
            article, rule: Only this article / rule.
            limit: At most this many.

        Returns:
            Dicts with the candidate's columns and the interaction's
            ``interaction_id``, ``channel``, ``window``, ``staff``.
        """
        clauses: list[str] = ["h.lexicon_version = ?"]
        params: list[SqlValue] = [lexicon_version]
        for col, value in (("article", article), ("rule", rule), ("hall", filters.hall)):
            if value not in (None, ""):
                clauses.append(f"h.{col} = ?")
                params.append(value)
        if filters.since:
            clauses.append("h.day >= ?")
            params.append(filters.since[:10])
        if filters.until:
            clauses.append("h.day <= ?")
            params.append(filters.until[:10])
        rows = self._query(
            "SELECT h.*, i.interaction_id, i.channel, i.window, i.staff FROM example_hits h "
            "JOIN interactions i ON i.id = h.interaction_pk WHERE " + " AND ".join(clauses) +
            f" AND NOT {TAINTED_SQL} ORDER BY h.lexicon_version, h.article, h.rule, "
            "h.interaction_pk, h.start LIMIT ?", [*params, limit])
        return cast(list[GoodHitRow], [dict(r) for r in rows])

    def bad_findings(self, filters: Filter, kinds: Sequence[str], *,
                     article: int | None = None, rule: str | None = None,
                     limit: int = 500) -> list[ExampleFindingRow]:
        """Findings of ``kinds`` with a time span, not dismissed, in (article, rule, pk, start) order.

        Args:
            filters: ``hall``, ``since``, ``until`` (interaction filters).
            kinds: Finding kinds (bad practice).
            article, rule: Only this article / rule.
            limit: At most this many.
        """
        where, params = where_clause(filters)
        clauses = [f"f.kind IN ({', '.join('?' * len(kinds))})", "f.start IS NOT NULL",
                   "(f.verdict IS NULL OR f.verdict != 'dismiss')"]
        params += list(kinds)
        for col, value in (("article", article), ("rule", rule)):
            if value not in (None, ""):
                clauses.append(f"f.{col} = ?")
                params.append(value)
        where = (where + " AND " if where else " WHERE ") + " AND ".join(clauses)
        rows = self._query(
            "SELECT f.*, i.hall, i.window, i.staff, i.day, i.interaction_id, i.channel "
            f"FROM findings f JOIN interactions i ON i.id = f.interaction_pk{where} "
            "ORDER BY f.article, f.rule, f.interaction_pk, f.start LIMIT ?",
            [*params, limit])
        return cast(list[ExampleFindingRow], finding_rows(rows))
