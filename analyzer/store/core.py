"""The :class:`Store`: opening a results file, its migrations; reads and writes come from mixins."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from analyzer.errors import StoreError
from analyzer.store import schema
from analyzer.store.appeals import AppealsMixin
from analyzer.store.database import Database
from analyzer.store.hits import ExampleHitsMixin
from analyzer.store.queries import QueriesMixin
from analyzer.store.results import ResultsMixin
from analyzer.store.reviews import ReviewsMixin
from analyzer.store.sampling import SamplingMixin
from analyzer.store.search import SearchMixin
from analyzer.store.verdicts import CalibrationMixin, HealthMixin
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
            ExampleHitsMixin, SearchMixin, SamplingMixin, HealthMixin,
            CalibrationMixin):
    """A results database (SQLite file), safe to share between threads.

    Reads run on the calling thread's own connection and writes on the one
    writer thread (:class:`~analyzer.store.database.Database`), so the web
    app's requests read in parallel while verdicts are written one at a time.

    Args:
        path: The SQLite file; created (with the current schema) if missing.
        readonly: Open read-only (``conduct report``, ``conduct errors``);
            never migrates, fails if the file is missing.

    Raises:
        StoreError: The file is not a SQLite database, or its schema is newer
            than this analyzer knows.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        check_results_file(self.path, create=not readonly)
        if readonly and not Path(self.path).exists():
            raise StoreError("no such results database", source=self.path)
        self.db = Database(self.path, readonly=readonly,
                           setup=None if readonly else self._setup)
        if readonly:
            try:
                self._check_version()
            except BaseException:
                self.db.close()
                raise

    # -- life cycle -------------------------------------------------------

    def close(self) -> None:
        """Finish pending writes and close every connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------

    def schema_version(self) -> int:
        """The schema version of this file (0 for an empty file)."""
        return _version_of(self.db.read())

    def _check_version(self) -> int:
        version = self.schema_version()
        if version > schema.SCHEMA_VERSION:
            raise newer_schema(version, self.path)
        return version

    def _setup(self, con: sqlite3.Connection) -> None:
        """The writer's first job: WAL, then the migrations this file lacks."""
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute("CREATE TABLE IF NOT EXISTS schema_version "
                    "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        current = _version_of(con)
        if current > schema.SCHEMA_VERSION:
            raise newer_schema(current, self.path)
        for version, step in schema.MIGRATIONS:
            if version <= current:
                continue
            logger.info("results database %s: migrating to schema version %d", self.path, version)
            rebuild = bool(getattr(step, "foreign_keys_off", False))
            if rebuild:  # a table rebuilt: no cascades, other tables keep naming it
                con.execute("PRAGMA foreign_keys = OFF")
                con.execute("PRAGMA legacy_alter_table = ON")
            try:
                _apply(con, version, step)
            finally:
                if rebuild:
                    con.execute("PRAGMA legacy_alter_table = OFF")
                    con.execute("PRAGMA foreign_keys = ON")


def _apply(con: sqlite3.Connection, version: int,
           step: str | Callable[[sqlite3.Connection], None]) -> None:
    """One migration in its own transaction, recorded in ``schema_version``."""
    con.execute("BEGIN IMMEDIATE")
    try:
        if callable(step):
            step(con)
        else:
            for statement in schema.statements(step):
                con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?, ?)", (version, schema.now()))
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _version_of(con: sqlite3.Connection) -> int:
    """The schema version a connection's file has (0 for an empty file)."""
    has = con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
                      ).fetchone()
    if not has:
        return 0
    return int(con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)
