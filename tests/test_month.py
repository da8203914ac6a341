"""The inspectors' month in the store and ``conduct report``: per-staff results, the 红黑榜,
appeals with their audit trail, rectifications, periods and the schema migration."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from month_fixture import build_month_db, private_copy

from analyzer.cli import main
from analyzer.errors import ReviewConflict
from analyzer.reports.ranking import render_csv, render_html, render_json
from analyzer.rules.score import load_template
from analyzer.store import MIGRATIONS, SCHEMA_VERSION, Filter, Store
from analyzer.store import periods as P
from analyzer.store.queries import Tally
from analyzer.store.ranking import build_ranking, rank
from analyzer.store.schema import statements

MONTH = P.month("2026-11")


@pytest.fixture(scope="module")
def month_db(tmp_path_factory) -> Path:
    return build_month_db(tmp_path_factory.mktemp("month") / "results.sqlite")


@pytest.fixture()
def db(month_db: Path, tmp_path: Path) -> Path:
    """A private copy (tests that write)."""
    return private_copy(month_db, tmp_path)


def template(tmp_path: Path, **ranking: object) -> Path:
    """The shipped template with its [ranking] table replaced."""
    text = load_template().text.split("[ranking]")[0]
    lines = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in ranking.items()]
    path = tmp_path / "scoring.toml"
    path.write_text(text + "[ranking]\n" + "\n".join(lines) + "\n", "utf-8")
    return path


# -- periods ------------------------------------------------------------

def test_periods_and_their_predecessors() -> None:
    assert (MONTH.since, MONTH.until) == ("2026-11-01", "2026-11-30")
    assert P.month("2026-01").previous().label == "2025-12"
    assert P.month("2024-02").until == "2024-02-29"
    q = P.parse_period("2026-Q1")
    assert (q.kind, q.since, q.until, q.previous().label) == ("quarter", "2026-01-01",
                                                               "2026-03-31", "2025-Q4")
    assert P.parse_period("2026").previous().label == "2025" and MONTH.next().label == "2026-12"
    assert P.days("2026-11-10", "2026-11-19").previous().label == "2026-10-31..2026-11-09"
    for bad in ("2026-13", "26-11", "2026-Q5", "november"):
        with pytest.raises(ValueError, match="expected"):
            P.parse_period(bad)


# -- per-staff results --------------------------------------------------

def test_staff_results_agree_with_the_rows(month_db: Path) -> None:
    with Store(month_db, readonly=True) as store:
        results = {r.staff: r for r in store.results("staff", MONTH, "不合格")}
        for staff in ("S-0001", "S-0007"):
            rows = store.interactions(Filter(staff=staff, since=MONTH.since, until=MONTH.until))
            r = results[staff]
            assert r.figures.interactions == len(rows) == 25
            assert r.figures.mean_score == round(sum(x["score"] for x in rows) / len(rows), 1)
            assert r.figures.failing == sum(x["grade"] == "不合格" for x in rows)
            found = [f for f in store.findings(filters=Filter(staff=staff, since=MONTH.since, until=MONTH.until))]
            assert r.breaches == len(found)
            by_article: dict[int, int] = {}
            for f in found:
                by_article[f["article"]] = by_article.get(f["article"], 0) + 1
            assert r.by_article == by_article
            assert r.worst[0].score == min(x["score"] for x in rows)
            assert r.best[0].score == max(x["score"] for x in rows)
            before = store.interactions(Filter(staff=staff, since="2026-10-01", until="2026-10-31"))
            prev = round(sum(x["score"] for x in before) / len(before), 1)
            assert r.previous.mean_score == prev
            assert r.trend == round(r.figures.mean_score - prev, 1)
        windows = store.results("window", MONTH, "不合格")
        assert sum(w.figures.interactions for w in windows) == 300
        assert all("/" in w.key for w in windows)


def test_whole_months_read_the_monthly_rollups_with_the_same_results(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analyzer.store import results as R

    assert R.whole_months("2026-10-01", "2026-11-30") == ("2026-10", "2026-11")
    assert R.whole_months("2026-02-01", "2026-02-28") == ("2026-02", "2026-02")
    assert R.whole_months("2026-11-01", "2026-11-29") is None
    assert R.whole_months("2026-11-02", "2026-11-30") is None
    with Store(db) as store:
        store.set_verdict(store.findings(filters=Filter(staff="S-0003"))[0]["id"], "dismiss", "",
                          "insp")
        periods = [MONTH, P.parse_period("2026-Q4"), P.parse_period("2026")]
        read: list[str] = []
        store.db.read().set_trace_callback(read.append)  # this thread's reads
        monthly = [[r.to_dict() for r in store.results(by, p, "不合格")]
                   for by in ("staff", "window") for p in periods]
        store.db.read().set_trace_callback(None)
        assert any("FROM rollup_months_findings" in sql for sql in read)
        monkeypatch.setattr(R, "whole_months", lambda since, until: None)
        daily = [[r.to_dict() for r in store.results(by, p, "不合格")]
                 for by in ("staff", "window") for p in periods]
    assert monthly == daily and all(monthly)


def test_dismissals_leave_the_breaches(db: Path) -> None:
    with Store(db) as store:
        before = {r.staff: r for r in store.results("staff", MONTH, "不合格")}["S-0001"]
        f = store.findings(filters=Filter(staff="S-0001", since=MONTH.since))[0]
        store.set_verdict(f["id"], "dismiss", "false alarm", "insp")
        after = {r.staff: r for r in store.results("staff", MONTH, "不合格")}["S-0001"]
    assert after.breaches == before.breaches - 1
    assert after.figures.mean_score >= before.figures.mean_score


def test_report_by_staff_formats(month_db: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["report", "--db", str(month_db), "--by", "staff", "--month",
                               "2026-11", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["previous"]["label"] == "2026-10"
    assert [r["key"] for r in data["results"]] == [f"S-{n:04d}" for n in range(1, 13)]
    text = runner.invoke(main, ["report", "--db", str(month_db), "--by", "staff"])
    assert text.exit_code == 0 and "S-0012" in text.output and "环比" in text.output
    csv_ = runner.invoke(main, ["report", "--db", str(month_db), "--by", "window", "--format",
                                "csv", "--month", "2026-11"])
    assert csv_.exit_code == 0 and csv_.output.count("\n") == 7  # header + 6 windows


# -- the 红黑榜 -----------------------------------------------------------

def test_ranking_follows_the_template_rules(month_db: Path, tmp_path: Path) -> None:
    rules = load_template(template(tmp_path, min_interactions=20, list_size=3,
                                   red_min_mean=0, black_max_mean=100))
    with Store(month_db, readonly=True) as store:
        ranking = build_ranking(store, MONTH, rules)
        results = store.results("staff", MONTH, "不合格")
    red, black = ranking.lists["red"]["staff"], ranking.lists["black"]["staff"]
    assert len(red) == len(black) == 3
    means = sorted((r.figures.mean_score for r in results), reverse=True)
    assert [e.result.figures.mean_score for e in red] == means[:3]
    assert [e.result.figures.mean_score for e in black] == sorted(means)[:3]
    assert [e.rank for e in red] == [1, 2, 3]
    strict = load_template(template(tmp_path, min_interactions=26))
    with Store(month_db, readonly=True) as store:
        none = build_ranking(store, MONTH, strict)
    assert none.lists["red"]["staff"] == [] and none.unranked["staff"] == 12


def test_ties_are_broken_in_the_template_order() -> None:
    from analyzer.rules.score import RankingRules
    from analyzer.store.results import Figures, GroupResult

    def result(key: str, failing: int, n: int) -> GroupResult:
        return GroupResult("staff", key, "", "", key, Figures(n, 80.0, failing), Figures(0, None, 0))

    pool = [result("S-3", 2, 20), result("S-1", 2, 20), result("S-2", 1, 20), result("S-4", 2, 30)]
    lists, ranked = rank(pool, RankingRules(min_interactions=1, red_min_mean=0,
                                            black_max_mean=100))
    assert ranked == 4
    assert [e.result.key for e in lists["red"]] == ["S-2", "S-4", "S-1", "S-3"]
    assert [e.result.key for e in lists["black"]] == ["S-1", "S-3", "S-4", "S-2"]
    by_count, _ = rank(pool, RankingRules(min_interactions=1, red_min_mean=0,
                                          tie_breaks=("interactions", "key")))
    assert [e.result.key for e in by_count["red"]] == ["S-4", "S-1", "S-2", "S-3"]


def test_unreviewed_findings_can_be_left_out(db: Path, tmp_path: Path) -> None:
    skip = load_template(template(tmp_path, min_interactions=1, unreviewed="skip",
                                  red_min_mean=0, list_size=50))
    with Store(db) as store:
        f = _confirmed(store)  # one reviewed interaction of S-0001 counts again
        for finding in store.findings(f["interaction_pk"]):
            if finding["verdict"] is None:
                store.set_verdict(finding["id"], "confirm", "", "insp")
        entries = build_ranking(store, MONTH, skip).lists["red"]["staff"]
        assert len(entries) == 12
        for e in entries:
            settled = store.interactions(Filter(staff=e.result.staff, since=MONTH.since, until=MONTH.until, settled=True))
            assert e.result.figures.interactions == len(settled)
            assert e.result.figures.mean_score == round(
                sum(x["score"] for x in settled) / len(settled), 1)
        assert sum(e.result.figures.interactions for e in entries) < 300
        mine = next(e.result for e in entries if e.result.staff == "S-0001")
        assert mine.figures.mean_score < 100  # the reviewed interaction counts, findings and all


def test_bad_ranking_rules_name_the_line(tmp_path: Path) -> None:
    from analyzer.errors import LexiconError

    with pytest.raises(LexiconError, match=r"scoring.toml:\d+: unreviewed: expected one of"):
        load_template(template(tmp_path, unreviewed="maybe"))
    with pytest.raises(LexiconError, match="tie_breaks"):
        load_template(template(tmp_path, tie_breaks=["height"]))
    with pytest.raises(LexiconError, match="min_interactions"):
        load_template(template(tmp_path, min_interactions=0))


def test_monthly_list_is_reproducible_and_rolls_up(month_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for fmt in ("html", "csv", "json", "html"):
        out = tmp_path / f"list.{fmt}"
        result = runner.invoke(main, ["report", "--db", str(month_db), "--month", "2026-11",
                                      "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[3]  # same database and template: the same document
    page = outputs[0].decode()
    assert "红黑榜" in page and "月通报" in page and "<script" not in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # self-contained
    assert "@media print" in page
    data = json.loads(outputs[2])
    assert data["period"]["label"] == "2026-11" and data["template"]["version"]
    quarter = json.loads(runner.invoke(main, ["report", "--db", str(month_db), "--quarter",
                                              "2026-Q4", "--format", "json"]).output)
    assert quarter["title"] == "季考评" and quarter["period"]["since"] == "2026-10-01"
    with Store(month_db, readonly=True) as store:
        q = {e["key"]: e for e in quarter["lists"]["red"]["staff"]}
        for key, e in q.items():  # two months of 25 each
            rows = store.interactions(Filter(staff=key, since="2026-10-01", until="2026-12-31"))
            assert e["interactions"] == len(rows) == 50
    year = runner.invoke(main, ["report", "--db", str(month_db), "--year", "2026", "--format",
                                "csv"])
    assert year.exit_code == 0 and year.output.splitlines()[1].startswith("2026,")
    both = runner.invoke(main, ["report", "--db", str(month_db), "--month", "2026-11",
                                "--year", "2026"])
    assert both.exit_code == 2


def test_renderers_agree(month_db: Path) -> None:
    with Store(month_db, readonly=True) as store:
        ranking = build_ranking(store, MONTH, load_template())
    data = json.loads(render_json(ranking))
    rows = render_csv(ranking).lstrip("\ufeff").splitlines()[1:]
    listed = sum(len(v) for groups in data["lists"].values() for v in groups.values())
    assert len(rows) == listed > 0
    page = render_html(ranking)
    for which in data["lists"].values():
        for entries in which.values():
            for e in entries:
                assert e["key"].split("/")[-1] in page


# -- appeals and the audit trail ----------------------------------------

def _confirmed(store: Store, staff: str = "S-0001") -> dict:
    f = next(f for f in store.findings(filters=Filter(staff=staff)) if f["points"] > 0)
    store.set_verdict(f["id"], "confirm", "", "insp")
    return f


def test_appeal_overturned_lifts_the_score(db: Path) -> None:
    with Store(db) as store:
        f = _confirmed(store)
        before = store.interaction(f["interaction_pk"])["score"]
        with pytest.raises(ReviewConflict, match="not confirmed"):
            other = store.findings(f["interaction_pk"])[1]
            store.file_appeal(other["id"], "reason", "sup")
        aid = store.file_appeal(f["id"], "他在跟同事说话", "sup")
        with pytest.raises(ReviewConflict, match="appealed already"):
            store.file_appeal(f["id"], "again", "sup")
        with pytest.raises(ReviewConflict, match="under appeal"):
            store.set_verdict(f["id"], "dismiss", "", "insp")  # the ruling decides
        with pytest.raises(ReviewConflict, match="another supervisor"):
            store.rule_appeal(aid, "overturned", "self", "sup")
        ruled = store.rule_appeal(aid, "overturned", "录音证实", "sup2")
        after = store.interaction(f["interaction_pk"])["score"]
        assert ruled.status == "overturned" and ruled.score_before == before
        assert ruled.score_after == after > before
        assert store.findings(f["interaction_pk"])[f["idx"]]["verdict"] == "dismiss"
        with pytest.raises(ReviewConflict, match="ruled already"):
            store.rule_appeal(aid, "upheld", "changed my mind", "sup2")
        trail = store.audit("appeal", aid)
        assert [t.action for t in trail] == ["filed", "overturned"]
        assert trail[1].user == "sup2" and trail[1].before["status"] == "open"
        assert trail[1].after["score"] == after
        scores = [t for t in store.audit("interaction", f["interaction_pk"])]
        assert scores[-1].before["score"] == before and scores[-1].after["score"] == after


def test_appeal_upheld_keeps_the_score(db: Path) -> None:
    with Store(db) as store:
        f = _confirmed(store, "S-0002")
        before = store.interaction(f["interaction_pk"])["score"]
        aid = store.file_appeal(f["id"], "不服", "sup")
        ruled = store.rule_appeal(aid, "upheld", "证据确凿", "boss")
        assert ruled.status == "upheld" and ruled.score_after == before
        assert store.interaction(f["interaction_pk"])["score"] == before


def test_no_update_without_a_history_row(db: Path) -> None:
    with Store(db) as store:
        f = _confirmed(store)
        aid = store.file_appeal(f["id"], "reason", "sup")
        rid = store.set_rectification("S-0001", "2026-11", "再培训", "2026-12-15", "sup")
    con = sqlite3.connect(db)
    n = con.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    # any update, even one written by hand past the store's API, leaves its history row
    con.execute("UPDATE appeals SET reason = 'changed', updated_by = 'someone' WHERE id = ?", (aid,))
    con.execute("UPDATE rectifications SET action = 'x', updated_by = 'someone' WHERE id = ?",
                (rid,))
    con.commit()
    rows = con.execute("SELECT entity, user FROM audit WHERE id > ? ORDER BY id", (n,)).fetchall()
    assert rows == [("appeal", "someone"), ("rectification", "someone")]
    for sql in ("DELETE FROM appeals", "DELETE FROM rectifications", "DELETE FROM audit",
                "UPDATE audit SET user = 'nobody'"):
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(sql)
    con.close()


def test_rectification_shows_on_the_next_list(db: Path, tmp_path: Path) -> None:
    rules = load_template(template(tmp_path, min_interactions=1, black_max_mean=100))
    with Store(db) as store:
        october = build_ranking(store, P.month("2026-10"), rules)
        worst = october.lists["black"]["staff"][0].result.staff
        rid = store.set_rectification(worst, "2026-10", "服务用语再培训", "2026-11-15", "sup")
        assert build_ranking(store, P.month("2026-10"), rules).lists["black"]["staff"][0] \
            .rectification.action == "服务用语再培训"
        november = build_ranking(store, MONTH, rules)
        assert [(r.staff, s) for r, s in november.follow_ups] == [(worst, "overdue")]
        store.complete_rectification(rid, "已完成培训并考核", "sup")
        with pytest.raises(ReviewConflict):
            store.complete_rectification(rid, "again", "sup")
        november = build_ranking(store, MONTH, rules)
        assert [(r.staff, s) for r, s in november.follow_ups] == [(worst, "done")]
        entry = next(e for e in november.lists["black"]["staff"] if e.result.staff == worst)
        assert entry.earlier[1] == "done"
        assert "已整改" in render_html(november)
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            store.set_rectification(worst, "2026-11", "x", "soon", "sup")
        assert [t.action for t in store.audit("rectification", rid)] == ["set", "done"]


def test_names_come_from_the_directory(db: Path) -> None:
    with Store(db) as store:
        store.set_staff([("S-0001", "张三", "第1政务服务大厅")], user="admin")
        store.set_staff([("S-0001", "张三丰", "第1政务服务大厅")], user="admin")
        assert store.staff_names() == {"S-0001": "张三丰"}
        trail = store.audit("directory")
        assert [t.action for t in trail] == ["added", "updated"]
        assert trail[1].before["name"] == "张三" and trail[1].after["name"] == "张三丰"
    out = CliRunner().invoke(main, ["report", "--db", str(db), "--by", "staff", "--format", "csv"])
    assert "张三丰" in out.output


# -- schema -------------------------------------------------------------

def test_a_version_3_database_is_migrated_keeping_its_rows(month_db: Path, tmp_path: Path
                                                           ) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for version, step in MIGRATIONS:
        if version > 3:
            break
        for statement in statements(step):
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?, 'then')", (version,))
    con.execute("ATTACH DATABASE ? AS new", (str(month_db),))
    for table in ("interactions", "utterances", "findings"):
        cols = ", ".join(f'"{r[1]}"' for r in con.execute(f"PRAGMA main.table_info({table})"))
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM new.{table}")
    con.commit()
    con.close()
    with Store(month_db, readonly=True) as store:
        expected = [r.to_dict() for r in store.results("staff", MONTH, "不合格")]
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert [r.to_dict() for r in store.results("staff", MONTH, "不合格")] == expected
        f = _confirmed(store)
        assert store.file_appeal(f["id"], "reason", "sup") == 1
    indexes = {r[0] for r in sqlite3.connect(path).execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"ix_findings_article_pk", "ix_interactions_score"} <= indexes
    kept, fresh = _coarse(path)  # version 5's rollups, filled from version 4's
    assert kept == fresh and kept["windows"] and kept["facets"]


def test_a_tally_is_exact_from_the_rollups_and_capped_for_finding_filters(db: Path) -> None:
    with Store(db) as store:
        store.set_verdict(store.findings(filters=Filter(staff="S-0002"))[0]["id"], "dismiss", "",
                          "insp")
        for filters in ({}, {"flagged": True}, {"flagged": False, "hall": "第1政务服务大厅"},
                        {"staff": "S-0003", "since": "2026-11-05", "until": "2026-11-20",
                         "flagged": True}, {"window": "2", "channel": "phone"}):
            n = store.count(Filter.of(filters))
            assert store.tally(Filter.of(filters), cap=1) == Tally(n, exact=True), filters
        filters = Filter(article=9, flagged=True)
        n = store.count(filters)
        assert n > 2
        assert store.tally(filters, cap=n) == Tally(n, exact=True)
        assert store.tally(filters, cap=n - 1) == Tally(n - 1, exact=False)
        assert str(store.tally(filters, cap=2)) == "2+"


def test_probing_and_listing_finding_filters_give_the_same_page(month_db: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    with Store(month_db, readonly=True) as store:
        rule = next(f["rule"] for f in store.findings(filters=Filter(article=9)) if f["article"] == 9)
        cases = [{"article": 10, "flagged": True}, {"rule": rule, "review": "unreviewed"},
                 {"article": 9, "rule": rule, "since": "2026-11-01"}, {"article": 6}]
        pages = {}
        for forced in (False, True):
            monkeypatch.setattr(Store, "_common", lambda self, f, rows, v=forced: v)
            pages[forced] = [store.interactions(Filter.of(f), order="score", limit=20, offset=5)
                             for f in cases]
        monkeypatch.undo()
        assert pages[True] == pages[False]
        assert all(pages[True][:3]) and not pages[True][3]
        # a common article is probed, a rare one listed
        assert store._common(Filter(article=10), 25) and not store._common(Filter(article=6), 25)


def test_statements_keep_triggers_whole() -> None:
    parts = statements("CREATE TABLE a (x); CREATE TRIGGER t AFTER INSERT ON a BEGIN "
                       "SELECT 1; SELECT 2; END; CREATE INDEX i ON a(x);")
    assert len(parts) == 3 and parts[1].endswith("END;")


def _rollups(db: Path) -> tuple[list, list, list, list]:
    """The rollup tables and the same sums recomputed from the rows."""
    con = sqlite3.connect(db)
    try:
        kept_i = con.execute(
            "SELECT day, hall, window, staff, channel, grade, n, score_sum, auto_sum, flagged "
            "FROM rollup_interactions WHERE n != 0 ORDER BY 1, 2, 3, 4, 5, 6").fetchall()
        fresh_i = con.execute(
            "SELECT day, hall, window, staff, channel, grade, COUNT(*), SUM(score), "
            "SUM(auto_score), SUM(n_findings > 0) FROM interactions "
            "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6").fetchall()
        kept_f = con.execute(
            "SELECT day, hall, window, staff, channel, article, rule, n, breaches, confirmed, "
            "dismissed FROM rollup_findings WHERE n != 0 ORDER BY 1, 2, 3, 4, 5, 6, 7").fetchall()
        fresh_f = con.execute(
            "SELECT i.day, i.hall, i.window, i.staff, i.channel, f.article, f.rule, COUNT(*), "
            "SUM(f.verdict IS NULL OR f.verdict != 'dismiss'), SUM(f.verdict IS 'confirm'), "
            "SUM(f.verdict IS 'dismiss') FROM findings f JOIN interactions i ON "
            "i.id = f.interaction_pk GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7"
        ).fetchall()
    finally:
        con.close()
    return kept_i, fresh_i, kept_f, fresh_f


#: Version 5's coarse rollups and facets and version 6's monthly rollups, and the
#: same sums recomputed from the rows.
_COARSE = {
    "windows": ("SELECT day, hall, window, channel, n, score_sum, auto_sum, flagged, findings, "
                "breaches, confirmed, dismissed FROM rollup_windows WHERE n != 0 OR findings != 0 "
                "ORDER BY 1, 2, 3, 4",
                "SELECT i.day, i.hall, i.window, i.channel, COUNT(*), SUM(i.score), "
                "SUM(i.auto_score), SUM(i.n_findings > 0), COALESCE(SUM(f.n), 0), "
                "COALESCE(SUM(f.b), 0), COALESCE(SUM(f.c), 0), COALESCE(SUM(f.d), 0) "
                "FROM interactions i LEFT JOIN (SELECT interaction_pk, COUNT(*) AS n, "
                "SUM(verdict IS NULL OR verdict != 'dismiss') AS b, SUM(verdict IS 'confirm') AS c, "
                "SUM(verdict IS 'dismiss') AS d FROM findings GROUP BY interaction_pk) f "
                "ON f.interaction_pk = i.id GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"),
    "articles": ("SELECT day, hall, window, channel, article, n, breaches, confirmed, dismissed "
                 "FROM rollup_articles WHERE n != 0 ORDER BY 1, 2, 3, 4, 5",
                 "SELECT i.day, i.hall, i.window, i.channel, f.article, COUNT(*), "
                 "SUM(f.verdict IS NULL OR f.verdict != 'dismiss'), SUM(f.verdict IS 'confirm'), "
                 "SUM(f.verdict IS 'dismiss') FROM findings f JOIN interactions i ON "
                 "i.id = f.interaction_pk GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"),
    "months_i": ("SELECT month, hall, window, staff, channel, grade, n, score_sum, auto_sum, "
                 "flagged FROM rollup_months_interactions WHERE n != 0 ORDER BY 1, 2, 3, 4, 5, 6",
                 "SELECT substr(day, 1, 7), hall, window, staff, channel, grade, COUNT(*), "
                 "SUM(score), SUM(auto_score), SUM(n_findings > 0) FROM interactions "
                 "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"),
    "months_f": ("SELECT month, hall, window, staff, channel, article, rule, n, breaches, "
                 "confirmed, dismissed FROM rollup_months_findings WHERE n != 0 "
                 "ORDER BY 1, 2, 3, 4, 5, 6, 7",
                 "SELECT substr(i.day, 1, 7), i.hall, i.window, i.staff, i.channel, f.article, "
                 "f.rule, COUNT(*), SUM(f.verdict IS NULL OR f.verdict != 'dismiss'), "
                 "SUM(f.verdict IS 'confirm'), SUM(f.verdict IS 'dismiss') FROM findings f "
                 "JOIN interactions i ON i.id = f.interaction_pk GROUP BY 1, 2, 3, 4, 5, 6, 7 "
                 "ORDER BY 1, 2, 3, 4, 5, 6, 7"),
    "facets": ("SELECT facet, value, n FROM facets WHERE n != 0 ORDER BY 1, 2",
               "SELECT * FROM (SELECT 'hall', hall, COUNT(*) FROM interactions GROUP BY hall "
               "UNION ALL SELECT 'window', window, COUNT(*) FROM interactions GROUP BY window "
               "UNION ALL SELECT 'staff', staff, COUNT(*) FROM interactions GROUP BY staff "
               "UNION ALL SELECT 'article', CAST(article AS TEXT), COUNT(*) FROM findings "
               "GROUP BY article UNION ALL SELECT 'rule', rule, COUNT(*) FROM findings "
               "GROUP BY rule UNION ALL SELECT 'matched', lexicon_version, COUNT(*) "
               "FROM example_index GROUP BY lexicon_version) ORDER BY 1, 2"),
}


def _coarse(db: Path) -> tuple[dict[str, list], dict[str, list]]:
    """The coarse rollups and facets as kept, and as recomputed from the rows."""
    con = sqlite3.connect(db)
    try:
        kept = {k: con.execute(a).fetchall() for k, (a, _) in _COARSE.items()}
        fresh = {k: con.execute(b).fetchall() for k, (_, b) in _COARSE.items()}
    finally:
        con.close()
    return kept, fresh


def test_rollups_stay_equal_to_the_rows(db: Path) -> None:
    with Store(db) as store:
        findings = store.findings(filters=Filter(staff="S-0004"))
        store.set_verdict(findings[0]["id"], "dismiss", "", "insp")
        store.set_verdict(findings[1]["id"], "confirm", "", "insp")
        store.set_verdict(findings[1]["id"], "dismiss", "", "insp")
        f = _confirmed(store, "S-0006")
        store.rule_appeal(store.file_appeal(f["id"], "r", "sup"), "overturned", "c", "sup2")
        # the same content analysed again under other metadata replaces the row in place
        pk = findings[0]["interaction_pk"]
        row = store.interaction(pk)
        report = store.report(pk)
        report.staff, report.window = "S-0099", "9"
        store.save_report(report, run_id=None, content_hash=row["content_hash"],
                          path=row["source_path"], key=row["key"] + "x")
    kept_i, fresh_i, kept_f, fresh_f = _rollups(db)
    assert kept_i == fresh_i and kept_f == fresh_f
    kept, fresh = _coarse(db)
    assert kept == fresh
    assert ("staff", "S-0099", 1) in kept["facets"]
    assert any(r[3] == "S-0099" for r in kept_i)


def test_writes_of_candidates_read_one_interactions_rows(db: Path) -> None:
    """Each write replaces one interaction's candidates through its own index, not a
    scan of the lexicon version's (which made a month's store slower with each row)."""
    from analyzer.store.hits import DELETE_HITS_SQL

    con = sqlite3.connect(db)
    plan = " ".join(r[-1] for r in con.execute("EXPLAIN QUERY PLAN " + DELETE_HITS_SQL,
                                                 (1, "v")))
    con.close()
    assert "ix_example_hits_pk" in plan, plan


def test_a_queue_page_on_hall_and_days_sorts_ids_from_one_covering_index(month_db: Path
                                                                         ) -> None:
    """The page's ids come from ``ix_interactions_queue`` alone; only the page's rows
    are read (sorting whole rows read every row of the hall: seconds on a cold cache)."""
    with Store(month_db, readonly=True) as store:
        read: list[str] = []
        store.db.read().set_trace_callback(read.append)  # this thread's reads
        page = store.interactions(Filter(hall="第1政务服务大厅", since="2026-11-01", until="2026-11-30", flagged=True), order="score",
                                  limit=5, offset=2)
        store.db.read().set_trace_callback(None)
        plan = " | ".join(r[-1] for r in store.db.query("EXPLAIN QUERY PLAN " + read[-1]))
        everything = store.interactions(Filter(hall="第1政务服务大厅", since="2026-11-01", until="2026-11-30", flagged=True), order="score")
    assert "COVERING INDEX ix_interactions_queue" in plan, plan
    assert page == everything[2:7]
