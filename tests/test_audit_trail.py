"""The audit trail against someone editing the database by hand (issue 26, #10 and #11).

What the trail guards (verdicts, appeals, rectifications, assignments, the staff
directory, interactions' scores and attribution, accounts) cannot be rewritten or
deleted through SQL written by hand, on a plain ``sqlite3`` connection or with the
``sqlite3`` command-line tool: ``INSERT OR REPLACE`` (whose REPLACE deletes the old row
without firing delete triggers unless ``recursive_triggers`` is on), ``UPDATE OR
REPLACE`` onto another row's key, ``DELETE``, an edit of a verdict. Every change that is
allowed names its user, and every audit row has one; re-attribution and account
changes write rows; ``conduct batch --rescore`` writes none under a person's name.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from month_fixture import old_schema

from analyzer.batch import run_batch
from analyzer.errors import InvalidRequest
from analyzer.store import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> Path:
    """Two examples in a store, with a verdict, an appeal, a ruling, a rectification and an
    assignment, built once; tests use copies."""
    from analyzer.rules.score import SamplingRules
    from analyzer.store.periods import days

    db = tmp_path_factory.mktemp("audit") / "results.sqlite"
    src = tmp_path_factory.mktemp("audit-src")
    for name in ("counter-forbidden.json", "counter-upset-materials.json"):
        shutil.copy(EXAMPLES / name, src / name)
    run_batch(src, db)
    with Store(db) as store:
        findings = [f for f in store.findings(1) if f["points"] > 0]
        store.set_verdict(findings[0]["id"], "confirm", "听录音确认", "insp")
        store.set_verdict(findings[1]["id"], "dismiss", "误报", "insp")
        aid = store.file_appeal(findings[0]["id"], "当时在接电话", "sup")
        store.rule_appeal(aid, "upheld", "证据确凿", "sup2")
        store.set_rectification("S-0422", "2023-05", "服务用语培训", "2023-06-30", "sup")
        day = store.interaction(1)["day"]
        store.sample(days(day, day), SamplingRules(), ["insp"], seed="1", user="sup")
        store.set_staff([("S-0422", "张三", "东城区政务服务大厅")], user="admin")
    return db


@pytest.fixture()
def db(reviewed: Path, tmp_path: Path) -> Path:
    out = tmp_path / "results.sqlite"
    shutil.copy(reviewed, out)
    return out


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]


def _replace_sql(con: sqlite3.Connection, table: str, where: str, **changes: object
                 ) -> tuple[str, list[object]]:
    """``INSERT OR REPLACE`` of an existing row with some columns changed."""
    cols = _columns(con, table)
    row = dict(zip(cols, con.execute(f"SELECT * FROM {table} WHERE {where}").fetchone(),
                   strict=True))
    row.update(changes)
    return (f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' * len(cols))})", list(row.values()))


def _snapshot(con: sqlite3.Connection) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
            for t in ("audit", "appeals", "reviews", "rectifications", "assignments",
                      "staff_directory", "interactions")}


@pytest.mark.parametrize("recursive", [False, True], ids=["plain", "recursive-triggers"])
def test_replace_and_delete_by_hand_are_refused(db: Path, recursive: bool) -> None:
    con = sqlite3.connect(db, isolation_level=None)  # what a person with sqlite3 has
    if recursive:
        con.execute("PRAGMA recursive_triggers = ON")
    before = _snapshot(con)
    other_pk = con.execute("SELECT MAX(id) FROM interactions").fetchone()[0]
    attempts = [
        _replace_sql(con, "audit", "id = 1", user="nobody", action="nothing"),
        _replace_sql(con, "appeals", "id = 1", status="overturned", ruled_by="mallory"),
        _replace_sql(con, "interactions", "id = 1", score=100, grade="优秀"),
        _replace_sql(con, "interactions", "id = 1", id=999, score=100),  # same key, new id
        _replace_sql(con, "reviews", "id = 1", verdict="dismiss"),
        _replace_sql(con, "rectifications", "id = 1", id=99, action="无"),  # same staff+period
        _replace_sql(con, "assignments", "id = 1", id=99, inspector="mallory"),
        _replace_sql(con, "staff_directory", "staff = 'S-0422'", name="李四"),
        ("UPDATE OR REPLACE interactions SET key = (SELECT key FROM interactions WHERE id = 1), "
         "changed_by = 'mallory' WHERE id = ?", [other_pk]),
        ("UPDATE OR REPLACE interactions SET id = 1, changed_by = 'mallory' WHERE id = ?",
         [other_pk]),
        ("UPDATE OR REPLACE reviews SET id = 1 WHERE id = 2", []),
        ("UPDATE OR REPLACE appeals SET id = 5, updated_by = 'mallory' WHERE id = 1", []),
        ("DELETE FROM reviews", []),
        ("DELETE FROM interactions WHERE id = 1", []),
        ("DELETE FROM audit", []),
        ("DELETE FROM appeals", []),
        ("DELETE FROM staff_directory", []),
        ("UPDATE reviews SET verdict = 'confirm', user = 'mallory' WHERE id = 2", []),
        ("UPDATE findings SET verdict = 'dismiss' WHERE verdict = 'confirm'", []),
        ("UPDATE findings SET points = 0 WHERE interaction_pk = 1", []),
        ("INSERT INTO reviews (finding_id, interaction_pk, rule, verdict, user, at) "
         "SELECT id, interaction_pk, rule, 'dismiss', '', '2026-01-01' FROM findings LIMIT 1", []),
        ("INSERT INTO audit (at, user, entity, entity_id, action) "
         "VALUES ('2020-01-01', '', 'x', 1, 'x')", []),
    ]
    for sql, params in attempts:
        with pytest.raises(sqlite3.DatabaseError):
            con.execute(sql, params)
            pytest.fail(f"not refused: {sql}")
    assert _snapshot(con) == before
    con.close()


def test_the_sqlite3_command_line_tool_cannot_replace_an_audit_row(db: Path) -> None:
    tool = shutil.which("sqlite3")
    if tool is None:
        pytest.skip("the sqlite3 command-line tool is not installed")
    con = sqlite3.connect(db)
    first = con.execute("SELECT * FROM audit WHERE id = 1").fetchone()
    con.close()
    for sql in ("INSERT OR REPLACE INTO audit (id, at, user, entity, entity_id, action) "
                "VALUES (1, '2020-01-01', 'nobody', 'appeal', 1, 'nothing');",
                "PRAGMA recursive_triggers = ON; REPLACE INTO audit (id, at, user, entity, "
                "entity_id, action) VALUES (1, '2020-01-01', 'nobody', 'appeal', 1, 'x');",
                "DELETE FROM reviews;"):
        out = subprocess.run([tool, str(db), sql], capture_output=True, text=True)
        assert out.returncode != 0 and "Error" in out.stderr, (sql, out)
    con = sqlite3.connect(db)
    assert con.execute("SELECT * FROM audit WHERE id = 1").fetchone() == first
    con.close()


def test_a_change_by_hand_must_name_its_user_and_is_audited(db: Path) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    n = con.execute("SELECT MAX(id) FROM audit").fetchone()[0]
    # the last person to touch a row is not whoever edits it next: no name, no change
    for sql in ("UPDATE interactions SET score = 100 WHERE id = 1",
                "UPDATE interactions SET staff = 'S-0001' WHERE id = 1",
                "UPDATE appeals SET status = 'overturned' WHERE id = 1",
                "UPDATE rectifications SET action = '无' WHERE id = 1",
                "UPDATE assignments SET inspector = 'mallory' WHERE id = 1",
                "UPDATE staff_directory SET name = '李四'"):
        with pytest.raises(sqlite3.DatabaseError, match="needs its user"):
            con.execute(sql)
    con.execute("UPDATE interactions SET score = 100, changed_by = 'mallory' WHERE id = 1")
    con.execute("UPDATE interactions SET staff = 'S-0001', changed_by = 'mallory' WHERE id = 1")
    con.execute("UPDATE appeals SET ruling_comment = '改', updated_by = 'mallory' WHERE id = 1")
    rows = con.execute("SELECT user, entity, action, before_json, after_json FROM audit "
                       "WHERE id > ? ORDER BY id", (n,)).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("mallory", "interaction", "score"), ("mallory", "interaction", "reattributed"),
        ("mallory", "appeal", "upheld")]
    assert '"S-0422"' in rows[1][3] and '"S-0001"' in rows[1][4]
    # the name is spent: the next change by hand needs one again
    with pytest.raises(sqlite3.DatabaseError, match="needs its user"):
        con.execute("UPDATE interactions SET score = 0 WHERE id = 1")
    con.close()


def test_every_audit_row_has_its_user(reviewed: Path) -> None:
    with Store(reviewed, readonly=True) as store:
        trail = store.audit()
    assert trail and all(t.user for t in trail), [t for t in trail if not t.user]
    scores = [t for t in trail if t.entity == "interaction" and t.action == "score"]
    # the dismissal changed a score: the row carries the inspector who dismissed
    assert [t.user for t in scores] == ["insp"]


def test_store_actions_without_a_user_are_refused(db: Path) -> None:
    with Store(db) as store:
        fid = store.findings(2)[0]["id"]
        with pytest.raises(InvalidRequest, match="user"):
            store.set_verdict(fid, "confirm")
        with pytest.raises(InvalidRequest, match="user"):
            store.set_staff([("S-0001", "王五", "大厅")])


def test_reattribution_by_reanalysis_is_audited(db: Path) -> None:
    from dataclasses import replace

    with Store(db) as store:
        row = store.interaction(1)
        report = replace(store.report(1), staff="S-0999")
        interaction, _audio = store.stored_input(1)
        store.save_report(report, run_id=None, content_hash=row["content_hash"],
                          path=row["source_path"], key=row["key"],
                          interaction=replace(interaction, staff="S-0999"), actor="listener")
        trail = [t for t in store.audit("interaction", 1) if t.action == "reattributed"]
    assert len(trail) == 1 and trail[0].user == "listener"
    assert trail[0].before["staff"] == "S-0422" and trail[0].after["staff"] == "S-0999"


def test_account_changes_are_audited(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from analyzer.cli import main
    from analyzer.web import auth

    db = tmp_path / "r.sqlite"
    with auth.connect(db) as con:
        uid = auth.add_user(con, "wang", "inspector", "password-123", by="boss")
        auth.add_user(con, "wang", "supervisor", "password-456", by="boss")
        auth.set_disabled(con, uid, True, by="boss")
        auth.set_disabled(con, uid, False, by="boss2")
        auth.clear_login_failures(con, "wang", by="boss2")
    CliRunner().invoke(main, ["users", "add", "li", "--role", "trainer", "--db", str(db),
                              "--password-stdin"], input="password-789\n")
    with Store(db, readonly=True) as store:
        trail = store.audit("account")
    acts = [(t.user, t.action) for t in trail]
    assert acts[:5] == [("boss", "created"), ("boss", "role"), ("boss", "disabled"),
                        ("boss2", "enabled"), ("boss2", "unlocked")]
    assert trail[1].before["role"] == "inspector" and trail[1].after["role"] == "supervisor"
    assert trail[1].after["password_changed"] is True
    assert trail[5].action == "created" and trail[5].user.startswith("cli:")
    assert not any("argon2" in str(t.before) + str(t.after) for t in trail)
    con = sqlite3.connect(db, isolation_level=None)
    with pytest.raises(sqlite3.DatabaseError, match="needs its user"):
        con.execute("UPDATE users SET role = 'admin' WHERE name = 'li'")
    with pytest.raises(sqlite3.DatabaseError):
        con.execute("DELETE FROM users")
    con.execute("UPDATE users SET role = 'admin', changed_by = 'root' WHERE name = 'li'")
    assert con.execute("SELECT user, action FROM audit ORDER BY id DESC LIMIT 1").fetchone() \
        == ("root", "role")
    con.close()


def test_rescore_writes_no_phantom_audit_rows(db: Path, tmp_path: Path) -> None:
    """#11: ``conduct batch --rescore`` wrote two backdated rows per appeal, under the name
    of the last person who touched it. A rescore that changes nothing writes nothing; one
    that changes a score writes it under the run, dated now."""
    from analyzer.store.schema import now

    src = tmp_path / "src"
    src.mkdir()
    for name in ("counter-forbidden.json", "counter-upset-materials.json"):
        shutil.copy(EXAMPLES / name, src / name)
    with Store(db, readonly=True) as store:
        before = len(store.audit())
        appeals = store.audit("appeal")
    started = now()
    run_batch(src, db, rescore=True)
    run_batch(src, db, rescore=True)
    with Store(db, readonly=True) as store:
        new = store.audit()[before:]
        assert store.audit("appeal") == appeals
        assert store.appeals()[0].finding_id is not None  # still linked to its finding
    people = {"insp", "sup", "sup2", "admin"}
    assert not [t for t in new if t.user in people or t.at < started], new


def test_a_version_6_database_gets_the_guards_and_its_masked_index(reviewed: Path,
                                                                     tmp_path: Path) -> None:
    """An upgraded file: the old triggers replaced, the last names spent (a change by hand
    is not filed under them), the trainers' masked index made on the first search."""
    from analyzer.store.schema import SCHEMA_VERSION

    path = tmp_path / "v6.sqlite"
    con = old_schema(path, 6)
    con.execute("ATTACH DATABASE ? AS new", (str(reviewed),))
    for table, actor in (("interactions", None), ("utterances", None), ("findings", None),
                         ("reviews", None), ("appeals", "updated_by")):
        cols = [c for c in _columns(con, table) if c != actor]
        values = ", ".join(f'"{c}"' for c in cols) + (", 'sup'" if actor else "")
        names = ", ".join(f'"{c}"' for c in cols) + (f', "{actor}"' if actor else "")
        con.execute(f"INSERT INTO main.{table} ({names}) SELECT {values} FROM new.{table}")
    con.execute("DETACH DATABASE new")
    con.close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.unmasked()  # nothing indexed for trainers yet ...
        assert store.search("您好", masked=True)  # ... the first search indexes it
        assert not store.unmasked()
    con = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.DatabaseError, match="needs its user"):
        con.execute("UPDATE appeals SET status = 'overturned' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError):
        con.execute("INSERT OR REPLACE INTO audit SELECT * FROM audit WHERE id = 1")
    con.close()
