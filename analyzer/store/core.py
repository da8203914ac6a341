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
from analyzer.store.queries import QueriesMixin
from analyzer.store.reviews import ReviewsMixin
from analyzer.store.writes import WritesMixin

logger = logging.getLogger("analyzer")


class Store(WritesMixin, QueriesMixin, ReviewsMixin):
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
        self._lock = threading.RLock()
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
            raise StoreError(
                f"results database has schema version {version}, newer than this "
                f"analyzer's {schema.SCHEMA_VERSION}; upgrade the analyzer",
                source=self.path,
            )
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
                    for statement in step.split(";"):
                        if statement.strip():
                            db.execute(statement)
                db.execute("INSERT INTO schema_version VALUES (?, ?)", (version, schema.now()))
