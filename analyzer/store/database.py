"""One SQLite file shared by the threads of a process: a read connection per thread, one writer.

The way Datasette serves a SQLite file to a web app: every thread that
reads gets its own connection (opened on its first read, kept for the
thread's life), so reads never wait for each other or for a write; and
every write runs on one writer thread that owns the only write connection,
one transaction per job, so writes never interleave and no connection is
ever used by two threads. In WAL mode a reader sees each write as soon as
its transaction commits, and never blocks it.

:class:`Database` is that pool. The store (:class:`analyzer.store.Store`)
and the review app's accounts (:mod:`analyzer.web.auth`) both read and
write through it, so the app holds one pool, not a connection per request.

Example::

    db = Database("results.sqlite", readonly=False)
    n = db.query("SELECT COUNT(*) FROM interactions")[0][0]
    pk = db.write(lambda con: con.execute("INSERT ...").lastrowid)
    db.close()
"""

from __future__ import annotations

import functools
import logging
import queue
import sqlite3
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from analyzer.errors import StoreError

logger = logging.getLogger("analyzer")

T = TypeVar("T")
#: Seconds a connection waits for a lock held by another process before giving up.
BUSY_TIMEOUT = 30.0
#: Parameters of one statement.
Params = Sequence[object]


def damaged(exc: sqlite3.Error) -> bool:
    """True when ``exc`` says the database itself failed (damaged, unreadable, locked
    too long), not that a statement or a value was wrong (a bug, a constraint)."""
    return type(exc) in (sqlite3.DatabaseError, sqlite3.OperationalError)


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The row id an ``INSERT`` gave."""
    if cursor.lastrowid is None:  # pragma: no cover - every INSERT of the store gives one
        raise StoreError("an insert gave no row id")
    return int(cursor.lastrowid)


class Database:
    """A SQLite file's connections: one per reading thread, and one writer thread.

    Args:
        path: The database file.
        readonly: Open read-only (no writer thread; writes are refused).
        setup: Run on the write connection when the writer starts, outside any
            transaction (journal mode, migrations).

    Raises:
        StoreError: The file cannot be opened (or ``setup`` failed).
    """

    def __init__(self, path: str | Path, *, readonly: bool,
                 setup: Callable[[sqlite3.Connection], None] | None = None) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._local = threading.local()
        self._lock = threading.Lock()
        self._readers: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._closed = False
        self._writer: _Writer | None = None
        if not readonly:
            try:
                self._writer = _Writer(functools.partial(_open_writer, self.path), setup,
                                       self.path)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot open results database: {exc}",
                                 source=self.path) from exc
            # a pool dropped without close() still ends its writer thread
            self._abandoned = weakref.finalize(self, self._writer.stop, wait=False)

    # -- connections ------------------------------------------------------

    def _connect_reader(self) -> sqlite3.Connection:
        # check_same_thread=False only so that close() may close it from another thread:
        # the connection lives in its thread's local storage and no other thread uses it.
        if self.readonly:
            uri = f"file:{Path(self.path).resolve()}?mode=ro"
            con = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT,
                                  check_same_thread=False)
        else:
            con = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT,
                                  check_same_thread=False)
            con.execute("PRAGMA query_only = ON")  # every write goes through the writer
        _configure(con)
        return con

    def read(self) -> sqlite3.Connection:
        """This thread's read connection (opened on its first use).

        Use it for one statement at a time and read its rows to the end (or
        use :meth:`query`): an unfinished statement keeps its snapshot open.
        """
        if self._closed:
            raise StoreError("the results database is closed", source=self.path)
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is not None:
            return con
        try:
            con = self._connect_reader()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the results database: {exc}",
                             source=self.path) from exc
        with self._lock:
            self._prune()
            self._readers.append((threading.current_thread(), con))
        self._local.con = con
        return con

    def _prune(self) -> None:
        """Close the read connections of threads that have ended (under ``_lock``)."""
        alive = []
        for thread, con in self._readers:
            if thread.is_alive():
                alive.append((thread, con))
            else:
                con.close()
        self._readers = alive

    @property
    def readers(self) -> int:
        """Read connections open now (one per thread that has read)."""
        with self._lock:
            return len(self._readers)

    # -- statements -------------------------------------------------------

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Every row of one read statement, on this thread's connection.

        Raises:
            StoreError: The database failed (damaged, unreadable).
        """
        con = self.read() if not self._on_writer() else self._writer_connection()
        try:
            return con.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            if damaged(exc):
                raise StoreError(f"cannot read the results database: {exc}",
                                 source=self.path) from exc
            raise

    def write(self, job: Callable[[sqlite3.Connection], T], *, transaction: bool = True) -> T:
        """Run ``job`` on the writer thread, in one ``BEGIN IMMEDIATE`` transaction, and
        return what it returns (or raise what it raised, after a rollback).

        Called from inside a job it runs at once, in that job's transaction.

        Args:
            job: Takes the write connection; reads in it see its own writes.
            transaction: False runs ``job`` outside a transaction (it manages
                its own: schema changes, ``PRAGMA foreign_keys``).

        Raises:
            StoreError: A read-only or closed database; or the database failed.
        """
        if self._writer is None:
            raise StoreError("the results database was opened read-only", source=self.path)
        if self._on_writer():
            return job(self._writer_connection())
        if self._closed:
            raise StoreError("the results database is closed", source=self.path)
        try:
            return self._writer.submit(job, transaction)
        except sqlite3.Error as exc:
            if damaged(exc):
                raise StoreError(f"cannot write the results database: {exc}",
                                 source=self.path) from exc
            raise

    def _on_writer(self) -> bool:
        return self._writer is not None and threading.current_thread() is self._writer

    def _writer_connection(self) -> sqlite3.Connection:
        assert self._writer is not None and self._writer.con is not None
        return self._writer.con

    # -- life cycle -------------------------------------------------------

    def close(self) -> None:
        """Finish the pending writes, stop the writer and close every connection."""
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:
            self._abandoned.detach()
            self._writer.stop(wait=True)
        with self._lock:
            for _thread, con in self._readers:
                con.close()
            self._readers = []

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_writer(path: str) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
    _configure(con)
    con.execute("PRAGMA foreign_keys = ON")
    return con


def _configure(con: sqlite3.Connection) -> None:
    con.row_factory = sqlite3.Row
    con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")


#: A job of the writer: what to run, whether in a transaction, and where its outcome goes.
_Job = tuple[Callable[[sqlite3.Connection], Any], bool, "Future[Any]"]


class _Writer(threading.Thread):
    """The thread that owns the write connection and runs write jobs one at a time."""

    def __init__(self, connect: Callable[[], sqlite3.Connection],
                 setup: Callable[[sqlite3.Connection], None] | None, path: str) -> None:
        super().__init__(name=f"conduct-store-writer {Path(path).name}", daemon=True)
        self._connect, self._setup = connect, setup
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._opened: Future[None] = Future()
        self.con: sqlite3.Connection | None = None
        self.path = path
        self.start()
        self._opened.result()  # raises what opening or setting up raised

    def run(self) -> None:
        if not self._open():
            return
        while (job := self._jobs.get()) is not None:
            self._run(*job)
            del job  # holds nothing of a finished job while it waits for the next
        assert self.con is not None
        self.con.close()

    def _open(self) -> bool:
        """Connect and set up; the outcome goes to the thread that opened the database."""
        setup, self._setup = self._setup, None  # keeps nothing of its owner alive
        try:
            self.con = self._connect()
            if setup is not None:
                setup(self.con)
        except BaseException as exc:  # handed to the thread that opened the database
            if self.con is not None:
                self.con.close()
            self._opened.set_exception(exc)
            return False
        self._opened.set_result(None)
        return True

    def _run(self, job: Callable[[sqlite3.Connection], Any], transaction: bool,
             future: Future[Any]) -> None:
        con = self.con
        assert con is not None
        try:
            if transaction:
                con.execute("BEGIN IMMEDIATE")
            result = job(con)
            if transaction:
                con.execute("COMMIT")
        except BaseException as exc:  # handed to the thread that asked for the write
            if con.in_transaction:
                con.execute("ROLLBACK")
            future.set_exception(exc)
        else:
            future.set_result(result)

    def submit(self, job: Callable[[sqlite3.Connection], T], transaction: bool) -> T:
        """Queue ``job`` and wait for its outcome."""
        future: Future[T] = Future()
        self._jobs.put((job, transaction, future))
        return future.result()

    def stop(self, *, wait: bool) -> None:
        """Run the jobs queued so far, then close the connection and end (``wait``: join)."""
        self._jobs.put(None)
        if wait and threading.current_thread() is not self:
            self.join()
