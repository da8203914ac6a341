"""What every part of the store stands on: the results file and its pool of connections.

Each topic of the store (:mod:`~analyzer.store.writes`,
:mod:`~analyzer.store.queries`, :mod:`~analyzer.store.reviews` ...) is a
class over :class:`StoreBase`; :class:`analyzer.store.Store` is all of them
over one file. A topic uses only this base and the functions it imports
(:func:`analyzer.store.filters.where_clause`, :func:`analyzer.store.reviews.record_verdict`),
never another topic's private methods.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from analyzer.store.database import Database
from analyzer.store.filters import SqlValue


class StoreBase:
    """The results file (``path``), whether it was opened read-only, and its pool (``db``)."""

    path: str
    readonly: bool
    db: Database

    def _query(self, sql: str, params: Sequence[SqlValue] = ()) -> list[sqlite3.Row]:
        """Every row of one read statement (on this thread's connection)."""
        return self.db.query(sql, params)
