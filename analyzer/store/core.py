"""The :class:`Store`: connection, transactions and migrations; reads and writes come from mixins."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from analyzer.errors import StoreError
from analyzer.store import schema
from analyzer.store.appeals import AppealsMixin
from analyzer.store.hits import ExampleHitsMixin
from analyzer.store.queries import QueriesMixin
from analyzer.store.results import ResultsMixin
from analyzer.store.reviews import ReviewsMixin
from analyzer.store.sampling import SamplingMixin
from analyzer.store.search import SearchMixin
from analyzer.store.writes import WritesMixin

logger = logging.getLogger("analyzer")

def check_results_file(path: str | Path, *, create: bool) -> None:
    """Refuse a file that is not (or cannot become) a results database, touching nothing.

    A results database holds our ``schema_version`` table (the results
    schema) or ``web_meta`` (the review app's accounts, created first by
    ``conduct users add``). Any other SQLite file is someone else's. The
    file is only looked at through SQLite: a plain ``open()``/``close()`` of a
    database file would drop the POSIX locks this process's SQLite
    connections hold on it.

    Args:
        path: The database file.
        create: A missing or empty file may become a new database (batch,
            serve, users add); reading commands pass False.

    Raises:
        StoreError: Missing or empty (when not ``create``), not SQLite,
            unreadable, or a SQLite file of another program.
    """
    p = Path(path)
    if not p.exists() or (p.is_file() and p.stat().st_size == 0):
        if create:
            return
        raise StoreError("no results database here (missing or empty; run `conduct batch` "
                         "first)", source=str(p))
    try:
        con = sqlite3.connect(str(p), timeout=30)  # reads only: the file is not changed
        try:
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = int(con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
                          or 0) if "schema_version" in tables else 0
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:  # e.g. "file is not a database"
        raise StoreError(f"not a results database: {exc}", source=str(p)) from None
    tables = {t for t in tables if not t.startswith("sqlite_")}
    if tables and not tables & {"schema_version", "web_meta"}:
        shown = ", ".join(sorted(tables)[:5]) + (" ..." if len(tables) > 5 else "")
        raise StoreError(f"not a results database (it holds tables {shown}); left untouched",
                         source=str(p))
    if version > schema.SCHEMA_VERSION:
        raise newer_schema(version, str(p))


def newer_schema(version: int, path: str) -> StoreError:
    """The error for a database written by a newer analyzer."""
    return StoreError(f"results database has schema version {version}, newer than this "
                      f"analyzer's {schema.SCHEMA_VERSION}; upgrade the analyzer", source=path)


class Store(WritesMixin, QueriesMixin, ReviewsMixin, ResultsMixin, AppealsMixin,
            ExampleHitsMixin, SearchMixin, SamplingMixin):
    """A results database (SQLite file), safe to share between threads.

    Args:
        path: The SQLite file; created (with the current schema) if missing.
        readonly: Open read-only (the web app, ``conduct report``); never
            migrates, fails if the file is missing.

    Raises:
        StoreError: The file is not a SQLite database, or its schema is newer
            than this analyzer knows.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        check_results_file(self.path, create=not readonly)
        try:
            if readonly:
                if not Path(self.path).exists():
                    raise StoreError("no such results database", source=self.path)
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None,
                                           check_same_thread=False, timeout=30)
            else:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, isolation_level=None,
                                           check_same_thread=False, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            else:
                self._check_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open results database: {exc}", source=self.path) from exc

    # -- life cycle -------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- schema -----------------------------------------------------------

    def schema_version(self) -> int:
        """The schema version of this file (0 for an empty file)."""
        with self._lock:
            has = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
            ).fetchone()
            if not has:
                return 0
            row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            return int(row[0] or 0)

    def _check_version(self) -> int:
        version = self.schema_version()
        if version > schema.SCHEMA_VERSION:
            raise newer_schema(version, self.path)
        return version

    def _migrate(self) -> None:
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        current = self._check_version()
        for version, step in schema.MIGRATIONS:
            if version <= current:
                continue
            logger.info("results database %s: migrating to schema version %d", self.path, version)
            with self.transaction() as db:
                if callable(step):
                    step(db)
                else:
                    for statement in schema.statements(step):
                        db.execute(statement)
                db.execute("INSERT INTO schema_version VALUES (?, ?)", (version, schema.now()))
