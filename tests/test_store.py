"""The results database: schema, migrations, idempotent writes, filters, reviews."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from analyzer.errors import StoreError
from analyzer.store import Filter, Store, analysis_key
from analyzer.store import schema as store_mod
from analyzer.types import Finding, InteractionReport, Utterance


def _report(rid: str, *, hall: str = "东城", window: str = "7", day: str = "2023-05-04",
            findings: list[Finding] | None = None, score: int = 100) -> InteractionReport:
    findings = findings if findings is not None else []
    return InteractionReport(
        id=rid, channel="counter", score=score, grade="优秀" if score >= 90 else "合格",
        findings=findings,
        utterances=[Utterance("staff", 0.0, 2.0, "您好，请问办理什么业务？"),
                    Utterance("citizen", 2.5, 4.0, "我来补办社保卡。")],
        hall=hall, window=window, staff="S-1", started_at=f"{day}T09:00:00+08:00",
        source=f"/data/{rid}.json", duration=60.0,
        analyzer={"model": "m", "lexicon_version": "lex@1", "options": {}},
    )


def _finding(rule: str = "A9-F-01", article: int = 9, points: int = 10,
             start: float = 1.0) -> Finding:
    return Finding(rule=rule, article=article, kind="forbidden", canonical="我不知道",
                   speaker="staff", start=start, end=start + 1, evidence="我不知道",
                   confidence=0.98, points=points, detail={"method": "exact"})


def _save(store: Store, report: InteractionReport, content: str, lex: str = "lex@1") -> int:
    return store.save_report(report, run_id=None, content_hash=content, path=report.source,
                             key=analysis_key(content, "m", lex))


def test_new_file_has_current_schema_and_pragmas(tmp_path: Path) -> None:
    with Store(tmp_path / "r.sqlite") as store:
        assert store.schema_version() == store_mod.SCHEMA_VERSION
        mode = store.db.query("PRAGMA journal_mode")[0][0]
        assert mode == "wal"
        assert store.db.write(lambda db: db.execute("PRAGMA foreign_keys").fetchone()[0]) == 1
        tables = {r[0] for r in store.db.query("SELECT name FROM sqlite_master")}
    assert {"runs", "interactions", "utterances", "findings", "errors", "reviews",
            "schema_version"} <= tables


def test_migrations_run_in_order_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.sqlite"
    Store(path).close()

    def add_column(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE interactions ADD COLUMN shift TEXT NOT NULL DEFAULT ''")

    nxt = store_mod.SCHEMA_VERSION + 1
    monkeypatch.setattr(store_mod, "MIGRATIONS", (*store_mod.MIGRATIONS, (nxt, add_column)))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", nxt)
    with Store(path) as store:
        assert store.schema_version() == nxt
        cols = {r[1] for r in store.db.query("PRAGMA table_info(interactions)")}
        assert "shift" in cols
    with Store(path) as store:  # opening again does not re-apply the new version
        versions = [r[0] for r in store.db.query("SELECT version FROM schema_version")]
        assert versions == list(range(1, nxt + 1))


def test_a_database_from_before_the_hall_clock_counts_its_days_on_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the hall time zone, ``day`` was the UTC date: version 9 computes it again.

    The database is written at version 8 (the last layout before the day
    migration) with the UTC days the store used to write.
    """
    path = tmp_path / "v8.sqlite"
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:8])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 8)
    starts = {"early": ("2023-05-04T23:30:00+00:00", "东城"),  # 07:30 on 5 May in Beijing
              "kept": ("2023-05-04T09:30:00+08:00", "东城"),  # 01:30 UTC: the same day
              "west": ("2023-05-04T17:30:00+00:00", "乌鲁木齐"),  # 23:30 in Urumqi
              "undated": ("", "东城")}  # no start: the analysis time counts
    with Store(path) as store:
        run = store.begin_run({"halls": {"timezone": "Asia/Shanghai",
                                         "hall_timezones": [["乌鲁木齐", "Asia/Urumqi"]]}},
                              ["batch"], model="m", lexicon_version="lex@1")
        for rid, (started, hall) in starts.items():
            report = _report(rid, hall=hall)
            report.started_at = started
            _save(store, report, f"content-{rid}")

        def old_days(db: sqlite3.Connection) -> None:  # what the store wrote before: UTC dates
            db.execute("UPDATE interactions SET analyzed_at = '2023-05-06T20:00:00+00:00', "
                       "day = '2023-05-06', changed_by = 'old store' "
                       "WHERE interaction_id = 'undated'")
            db.execute("UPDATE interactions SET day = substr(started_at, 1, 10), "
                       "changed_by = 'old store' WHERE started_at != ''")
            db.execute("UPDATE interactions SET day = '2023-05-04', changed_by = 'old store' "
                       "WHERE interaction_id = 'kept'")
        store.db.write(old_days)
        assert run
    monkeypatch.undo()
    with Store(path) as store:
        assert store.schema_version() == store_mod.SCHEMA_VERSION >= 9
        days = dict(store.db.query("SELECT interaction_id, day FROM interactions"))
        counted = dict(store.db.query("SELECT day, SUM(n) FROM rollup_interactions "
                                      "GROUP BY day HAVING SUM(n) > 0"))
    assert days == {"early": "2023-05-05", "kept": "2023-05-04", "west": "2023-05-04",
                    "undated": "2023-05-07"}
    assert counted == {"2023-05-04": 2, "2023-05-05": 1, "2023-05-07": 1}


def test_version_1_database_gains_error_keys(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v1.sqlite"
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:1])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 1)
    with Store(path) as store:
        store.db.write(lambda db: db.execute("INSERT INTO errors (path, kind, message, at) "
                                             "VALUES ('old.wav', 'AudioError', 'empty', 'x')"))
    monkeypatch.undo()
    with Store(path) as store:
        assert store.schema_version() == store_mod.SCHEMA_VERSION  # brought up to date
        assert store.errors()[0]["key"] is None  # old rows kept, not known-bad
        store.save_error(None, "new.wav", "no speech", "AnalyzerError", key="k1")
        assert store.known_bad("k1") and not store.known_bad("k2")


def test_newer_schema_and_non_sqlite_are_store_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    with Store(path) as store:
        store.db.write(lambda db: db.execute("INSERT INTO schema_version VALUES (99, 'x')"))
    with pytest.raises(StoreError, match="newer"):
        Store(path)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError) as err:
        Store(junk)
    assert "junk.sqlite" in str(err.value)


def test_save_report_round_trips_and_replaces_in_place(tmp_path: Path) -> None:
    with Store(tmp_path / "r.sqlite") as store:
        report = _report("a", findings=[_finding()], score=90)
        pk = _save(store, report, "h1")
        assert store.has_key(analysis_key("h1", "m", "lex@1"))
        assert store.report(pk).to_dict() == report.to_dict()
        assert [u["text"] for u in store.utterances(pk)] == [u.text for u in report.utterances]
        # same content with a new lexicon version: same row, new key, no duplicates
        pk2 = _save(store, _report("a", findings=[], score=100), "h1", lex="lex@2")
        assert pk2 == pk
        assert store.count() == 1
        assert not store.has_key(analysis_key("h1", "m", "lex@1"))
        assert store.has_key(analysis_key("h1", "m", "lex@2"))
        assert store.findings(pk) == []
        assert store.interactions()[0]["rescored_at"] is not None


def test_filters_and_summaries(tmp_path: Path) -> None:
    with Store(tmp_path / "r.sqlite") as store:
        _save(store, _report("a", hall="东城", window="1", findings=[_finding()], score=90), "h1")
        _save(store, _report("b", hall="东城", window="2", day="2023-05-06"), "h2")
        _save(store, _report("c", hall="西城", window="1", score=80,
                             findings=[_finding("A10-R-01", 10, 5), _finding(start=9.0)]), "h3")
        ids = lambda f: sorted(r["interaction_id"] for r in store.interactions(Filter.of(f)))  # noqa: E731
        assert ids({"hall": "东城"}) == ["a", "b"]
        assert ids({"since": "2023-05-05"}) == ["b"]
        assert ids({"article": 10}) == ["c"]
        assert ids({"rule": "A9-F-01"}) == ["a", "c"]
        assert ids({"flagged": True}) == ["a", "c"]
        assert ids({"review": "unreviewed"}) == ["a", "c"]
        by_hall = {r["hall"]: r for r in store.summary("hall")}
        assert by_hall["东城"]["interactions"] == 2 and by_hall["东城"]["flagged"] == 1
        assert by_hall["西城"]["findings"] == 2
        by_window = {(r["hall"], r["window"]) for r in store.summary("window")}
        assert by_window == {("东城", "1"), ("东城", "2"), ("西城", "1")}
        by_article = {r["article"]: r for r in store.summary("article")}
        assert by_article[9]["findings"] == 2 and by_article[9]["interactions"] == 2
        assert by_article[10]["points"] == 5
        with pytest.raises(ValueError):
            store.summary("nonsense")


def test_verdicts_adjust_score_but_not_auto_score(tmp_path: Path) -> None:
    with Store(tmp_path / "r.sqlite") as store:
        report = _report("a", findings=[_finding(points=10), _finding("A10-R-01", 10, 5, 8.0)],
                         score=85)
        pk = _save(store, report, "h1")
        fid = store.findings(pk)[0]["id"]
        store.set_verdict(fid, "comment", "listen again", "inspector1")
        row = store.interactions()[0]
        assert row["score"] == 85 and row["n_unreviewed"] == 2
        store.set_verdict(fid, "dismiss", "misheard", "inspector1")
        row = store.interactions()[0]
        assert row["auto_score"] == 85
        assert row["score"] > 85  # the dismissed finding no longer deducts
        assert [f.rule for f in store.report(pk, reviewed=True).findings] == ["A10-R-01"]
        assert [r["verdict"] for r in store.reviews(finding_id=fid)] == ["comment", "dismiss"]
        assert store.interactions(Filter(review="dismissed"))[0]["id"] == pk
        store.set_verdict(fid, "confirm", user="inspector2")  # latest verdict wins
        assert store.interactions()[0]["score"] == 85
        with pytest.raises(ValueError):
            store.set_verdict(fid, "maybe")
        with pytest.raises(StoreError):
            store.set_verdict(10_000, "confirm")


def test_reviews_survive_rescoring(tmp_path: Path) -> None:
    with Store(tmp_path / "r.sqlite") as store:
        pk = _save(store, _report("a", findings=[_finding()], score=90), "h1")
        fid = store.findings(pk)[0]["id"]
        store.set_verdict(fid, "dismiss", user="u")
        _save(store, _report("a", findings=[_finding()], score=90), "h1", lex="lex@2")
        new = store.findings(pk)
        assert new[0]["id"] != fid and new[0]["verdict"] == "dismiss"
        assert store.reviews(pk=pk)[0]["finding_id"] == new[0]["id"]


def test_errors_and_runs(tmp_path: Path) -> None:
    with Store(tmp_path / "r.sqlite") as store:
        run = store.begin_run({"a": 1}, ["conduct", "batch"], engine="local")
        store.save_error(run, "/x/bad.wav", ValueError("broken"))
        store.finish_run(run, {"files": 1})
        assert store.errors(run)[0]["kind"] == "ValueError"
        assert store.runs()[0]["stats"] == {"files": 1}
        assert store.runs()[0]["status"] == "done"


def test_readonly_store_reads_while_writer_holds_wal(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    with Store(path) as writer:
        _save(writer, _report("a"), "h1")
        with Store(path, readonly=True) as reader:
            assert reader.count() == 1
            with pytest.raises(sqlite3.OperationalError):
                reader.db.read().execute("DELETE FROM interactions")
    with pytest.raises(StoreError):
        Store(tmp_path / "missing.sqlite", readonly=True)
