"""The store's connections: a read connection per thread, one writer thread (as Datasette
serves SQLite), accounts read through the same pool, and a missing record told apart
from a broken database."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from analyzer.errors import NotFound, StoreError
from analyzer.store import Store
from analyzer.store.database import Database


def _db(tmp_path: Path) -> Database:
    db = Database(tmp_path / "t.sqlite", readonly=False)
    db.write(lambda con: con.execute("CREATE TABLE t (x INTEGER)"))
    return db


def test_each_thread_reads_on_its_own_connection_and_one_thread_writes(tmp_path: Path):
    db = _db(tmp_path)
    writers: set[str] = set()

    def work(k: int) -> tuple[int, int]:
        db.write(lambda con: (writers.add(threading.current_thread().name),
                              con.execute("INSERT INTO t VALUES (?)", (k,))))
        return threading.get_ident(), id(db.read())

    with ThreadPoolExecutor(max_workers=4) as pool:
        seen = list(pool.map(work, range(40)))
    per_thread: dict[int, set[int]] = {}
    for ident, con in seen:
        per_thread.setdefault(ident, set()).add(con)
    assert all(len(cons) == 1 for cons in per_thread.values())  # one connection a thread
    assert len({c for cons in per_thread.values() for c in cons}) == len(per_thread)
    assert len(writers) == 1 and next(iter(writers)).startswith("conduct-store-writer")
    assert db.query("SELECT COUNT(*) FROM t")[0][0] == 40
    db.close()


def test_reads_go_on_while_a_write_is_open_and_see_it_once_committed(tmp_path: Path):
    db = _db(tmp_path)
    inside, release = threading.Event(), threading.Event()

    def slow(con: sqlite3.Connection) -> None:
        con.execute("INSERT INTO t VALUES (1)")
        inside.set()
        release.wait(10)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(db.write, slow)
        assert inside.wait(10)
        assert db.query("SELECT COUNT(*) FROM t")[0][0] == 0  # not blocked, not yet visible
        release.set()
        pending.result()
    assert db.query("SELECT COUNT(*) FROM t")[0][0] == 1
    db.close()


def test_a_failed_write_is_rolled_back_and_raised(tmp_path: Path):
    db = _db(tmp_path)

    def bad(con: sqlite3.Connection) -> None:
        con.execute("INSERT INTO t VALUES (1)")
        raise KeyError("boom")

    with pytest.raises(KeyError):
        db.write(bad)
    assert db.query("SELECT COUNT(*) FROM t")[0][0] == 0
    # a write inside a write joins its transaction instead of waiting for itself
    assert db.write(lambda con: db.write(lambda inner: inner is con)) is True
    db.close()


def test_reads_cannot_write_and_a_read_only_database_takes_no_writes(tmp_path: Path):
    db = _db(tmp_path)
    with pytest.raises(sqlite3.OperationalError):
        db.read().execute("INSERT INTO t VALUES (1)")
    db.close()
    ro = Database(tmp_path / "t.sqlite", readonly=True)
    with pytest.raises(StoreError, match="read-only"):
        ro.write(lambda con: None)
    assert ro.query("SELECT COUNT(*) FROM t")[0][0] == 0
    ro.close()


def test_ended_threads_give_back_their_connections_and_close_closes_all(tmp_path: Path):
    db = _db(tmp_path)
    for _ in range(5):
        t = threading.Thread(target=db.read)
        t.start()
        t.join()
    db.read()  # a new reader prunes the ended threads' ones
    assert db.readers == 1
    db.close()
    assert db.readers == 0
    with pytest.raises(StoreError, match="closed"):
        db.write(lambda con: None)
    with pytest.raises(StoreError, match="closed"):
        db.query("SELECT 1")  # this thread had a connection: it is closed, not reused


def test_missing_records_are_not_found_and_a_damaged_file_is_a_store_error(tmp_path: Path):
    path = tmp_path / "r.sqlite"
    with Store(path) as store:
        with pytest.raises(NotFound, match="no interaction with id 7"):
            store.interaction(7)
        with pytest.raises(NotFound):
            store.set_verdict(99, "confirm")
        store.db.write(lambda con: con.execute("DROP TABLE reviews"))
        with pytest.raises(StoreError) as err:
            store.reviews(pk=1)
        assert not isinstance(err.value, NotFound) and "reviews" in str(err.value)


def _app_db(tmp_path: Path) -> Path:
    from analyzer.types import Finding, InteractionReport, Utterance
    from analyzer.web import auth

    path = tmp_path / "app.sqlite"
    report = InteractionReport(
        id="c1", channel="counter", score=90, grade="优秀", hall="东城", window="3",
        staff="S-1", started_at="2026-11-02T09:00:00+08:00",
        findings=[Finding(rule="A9-F-01", article=9, kind="forbidden", canonical="下班了",
                          speaker="staff", start=1.0, end=2.0, evidence="下班了",
                          confidence=0.98, points=10)],
        utterances=[Utterance("staff", 0.0, 2.0, "下班了")],
        analyzer={"model": "m", "lexicon_version": "v", "options": {}})
    with Store(path) as store:
        store.save_report(report, run_id=None, content_hash="h1", path="c1.json", key="k1")
    with auth.connect(path) as db:
        auth.add_user(db, "insp", "inspector", "password-123")
    return path


def _client(path: Path):
    import re

    from fastapi.testclient import TestClient

    from analyzer.web import create_app

    client = TestClient(create_app(path), follow_redirects=False)
    client.__enter__()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"name": "insp", "password": "password-123",
                                    "csrf_token": token, "next": "/"})
    assert r.status_code == 303
    return client


def test_the_app_reads_sessions_and_pages_through_one_pool(tmp_path: Path, monkeypatch):
    import analyzer.store.database as database

    path = _app_db(tmp_path)
    client = _client(path)
    opened: list[str] = []
    connect = sqlite3.connect

    def counting(*args, **kwargs):
        opened.append(threading.current_thread().name)
        return connect(*args, **kwargs)

    monkeypatch.setattr(database.sqlite3, "connect", counting)
    for _ in range(30):
        assert client.get("/queue").status_code == 200
        assert client.get("/interactions/1").status_code == 200
    assert len(opened) <= len(set(opened))  # at most one connection per thread, ever
    assert client.app.state.store.db.readers <= 40  # the thread pool's size bounds it
    client.__exit__(None, None, None)


def test_the_app_answers_404_for_a_missing_record_and_500_for_a_broken_database(
        tmp_path: Path):
    path = _app_db(tmp_path)
    client = _client(path)
    missing = client.get("/interactions/999", headers={"accept": "application/json"})
    assert missing.status_code == 404 and "no interaction with id 999" in missing.text
    with sqlite3.connect(path) as con:
        con.execute("DROP TABLE reviews")
    broken = client.get("/interactions/1", headers={"accept": "application/json"})
    assert broken.status_code == 500 and "results database failed" in broken.text
    client.__exit__(None, None, None)


def _writers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("conduct-store-writer")}


def _ended(before: set[threading.Thread]) -> bool:
    """True once every writer thread started since ``before`` has ended (within 5 s)."""
    import gc

    gc.collect()
    for _ in range(100):
        if not _writers() - before:
            return True
        threading.Event().wait(0.05)
    return False


def test_a_pool_dropped_without_closing_ends_its_writer(tmp_path: Path):
    before = _writers()
    db = _db(tmp_path)
    assert db.query("SELECT COUNT(*) FROM t")[0][0] == 0
    del db
    assert _ended(before)


def test_a_store_dropped_without_closing_ends_its_writer(tmp_path: Path):
    before = _writers()
    store = Store(tmp_path / "r.sqlite")
    assert store.count() == 0
    del store
    assert _ended(before)
