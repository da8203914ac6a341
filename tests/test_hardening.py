"""Hostile and broken inputs (part of the hardening work): the batch goes on, the app answers 4xx."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import httpx
import pytest

from analyzer.batch import run_batch
from analyzer.store import Filter, Store
from analyzer.web import auth, create_app

ROOT = Path(__file__).resolve().parent.parent
GOOD = json.loads((ROOT / "examples" / "counter-model.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("bad", [
    '{"id": "m", "channel": "phone", "rings": 99999999999999999999, "utterances": []}',
    '{"id": "s", "channel": "counter", "hall": "\\ud800", "utterances": []}',
], ids=["rings-overflow", "lone-surrogate"])
def test_one_bad_record_is_an_error_row_and_the_batch_goes_on(tmp_path, bad):
    folder = tmp_path / "in"
    folder.mkdir()
    good = {**GOOD, "id": "good-1"}
    (folder / "day.jsonl").write_text(bad + "\n" + json.dumps(good, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    shutil.copy(ROOT / "examples" / "counter-forbidden.json", folder / "later.json")
    db = tmp_path / "r.sqlite"
    summary = run_batch(folder, db)
    assert summary.errors == 1 and summary.analysed == 2
    with Store(db, readonly=True) as store:
        ids = {r["interaction_id"] for r in store.interactions()}
        (error,) = store.errors()
    assert ids == {"good-1", "counter-forbidden"}
    assert "day.jsonl" in error["path"]
    again = run_batch(folder, db)  # and every re-run goes on too
    assert again.skipped == 2 and again.errors == 1


@pytest.fixture
def app_db(tmp_path) -> Path:
    db = tmp_path / "r.sqlite"
    run_batch(ROOT / "examples" / "counter-model.json", db)
    with auth.connect(db) as con:
        auth.add_user(con, "boss", "admin", "admin-pass-123")
    return db


async def _login(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/login", data={"name": "boss", "password": "admin-pass-123",
                                          "csrf_token": token, "next": "/"})
    assert r.status_code == 303


def _in_process(db: Path, script) -> object:
    async def run():
        transport = httpx.ASGITransport(app=create_app(db))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return await script(client)
    return asyncio.run(run())


def test_out_of_range_numbers_are_4xx_not_500(app_db):
    async def script(client):
        await _login(client)
        huge = "99999999999999999999999"
        paths = [f"/audio/{huge}", f"/interactions/{huge}", f"/api/interactions/{huge}",
                 f"/api/interactions?offset={huge}", "/queue?article=%C2%B2",
                 "/queue?article=99999999999999999999"]
        return {p: (await client.get(p)).status_code for p in paths}

    codes = _in_process(app_db, script)
    assert all(400 <= c < 500 for c in codes.values()), codes


def test_login_takes_only_a_small_urlencoded_form(app_db):
    async def script(client):
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        multipart = await client.post("/login", files={"f": ("x.bin", b"0" * 10000)},
                                      data={"csrf_token": token})
        big = await client.post("/login", data={"name": "x" * 10000, "csrf_token": token})
        return multipart.status_code, big.status_code

    assert _in_process(app_db, script) == (415, 413)


def test_the_last_admin_cannot_give_up_the_admin_role(app_db):
    with auth.connect(app_db) as con:
        with pytest.raises(ValueError, match="last admin"):
            auth.add_user(con, "boss", "trainer", "admin-pass-123")
        auth.add_user(con, "second", "admin", "admin-pass-456")
        auth.add_user(con, "boss", "trainer", "admin-pass-123")  # now another admin exists
        roles = {u.name: u.role for u in auth.list_users(con)}
    assert roles == {"boss": "trainer", "second": "admin"}


def test_links_that_lead_nowhere_and_folders_named_like_audio_are_reported(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "counter-model.json", folder / "ok.json")
    (folder / "gone.wav").symlink_to(tmp_path / "missing.wav")
    (folder / "loop.wav").symlink_to(folder / "loop.wav")
    (folder / "x.wav").mkdir()
    (folder / "inside.json").symlink_to(folder / "ok.json")  # resolves inside: fine
    db = tmp_path / "r.sqlite"
    summary = run_batch(folder, db)
    with Store(db, readonly=True) as store:
        errors = {Path(e["path"]).name: e["message"] for e in store.errors()}
    assert set(errors) == {"gone.wav", "loop.wav", "x.wav"}
    assert "symbolic link" in errors["gone.wav"] and "folder" in errors["x.wav"]
    assert summary.errors == 3 and summary.analysed + summary.skipped == 2


@pytest.mark.parametrize("started_at", ["20230504T093000+0800", "2023-W18-4",
                                        "2023-05-04T09:30:00+08:00"])
def test_every_iso_form_of_a_start_time_gives_its_day(tmp_path, started_at):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "v.json").write_text(json.dumps({**GOOD, "started_at": started_at},
                                              ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "r.sqlite"
    run_batch(folder, db)
    with Store(db, readonly=True) as store:
        (row,) = store.interactions(Filter(since="2023-05-04", until="2023-05-04"))
    assert row["day"] == "2023-05-04"


def test_a_killed_run_is_marked_interrupted_when_the_next_starts(tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with Store(tmp_path / "r.sqlite") as store:
        killed = store.begin_run({}, ["conduct", "batch"])
        live = store.begin_run({}, ["conduct", "batch"])  # this process: still alive
        store.db.write(lambda db: db.execute("UPDATE runs SET pid = ? WHERE id = ?",
                                             (dead.pid, killed)))
        store.begin_run({}, ["conduct", "batch"])
        status = {r["id"]: r["status"] for r in store.runs()}
    assert status[killed] == "interrupted" and status[live] == "running"


def test_a_template_typo_stops_the_batch_before_any_work(tmp_path):
    """Exit 2 naming the template; no run, no error row, nothing keyed as bad input."""
    from click.testing import CliRunner

    from analyzer.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "v.json").write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "r.sqlite"
    missing = tmp_path / "nonexistent.toml"
    result = CliRunner().invoke(main, ["batch", str(folder), "--db", str(db), "--no-progress",
                                       "--set", f"score.template={missing}"])
    assert result.exit_code == 2 and "nonexistent.toml" in result.output
    assert not db.exists()
    ok = CliRunner().invoke(main, ["batch", str(folder), "--db", str(db), "--no-progress"])
    assert ok.exit_code == 0 and "1 interactions analysed" in ok.output


def test_configuration_errors_are_never_keyed_as_bad_input():
    from analyzer.batch.jobs import WorkerError
    from analyzer.errors import AudioError, LexiconError, OptionError, TranscriptError

    assert WorkerError.of(AudioError("truncated", source="a.wav")).bad_input
    assert WorkerError.of(TranscriptError("bad key", source="t.json")).bad_input
    for exc in (LexiconError("template: no such file", source="s.toml"),
                OptionError("bad value", field="score.template"), RuntimeError("bug")):
        assert not WorkerError.of(exc).bad_input


def test_a_relative_template_keeps_working_after_the_folder_and_file_change(tmp_path, monkeypatch):
    """The report keeps the template it was scored with; verdicts re-score with that copy."""
    from analyzer.options import AnalyzerOptions
    from analyzer.rules.score import DEFAULT_TEMPLATE

    work = tmp_path / "work"
    work.mkdir()
    text = DEFAULT_TEMPLATE.read_text(encoding="utf-8")
    (work / "my-scoring.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(work)
    db = tmp_path / "r.sqlite"
    options = AnalyzerOptions().with_overrides({"score.template": "my-scoring.toml"})
    run_batch(ROOT / "examples" / "counter-forbidden.json", db, options)
    with Store(db) as store:
        (row,) = store.interactions()
        report = store.report(row["id"])
        kept = report.analyzer.scoring_template
        assert Path(kept.source).is_absolute() and kept.text == text
        assert len(kept.sha256) == 64
    (work / "my-scoring.toml").unlink()  # the file is gone, the app runs elsewhere
    monkeypatch.chdir(tmp_path)
    with Store(db) as store:
        findings = store.findings(row["id"])
        assert findings, "the example must have findings to rule on"
        for f in findings:
            store.set_verdict(f["id"], "dismiss", "not a breach", "insp")
        (after,) = store.interactions()
    assert after["score"] == 100  # every finding dismissed: the kept template scored it
    assert all(r["verdict"] == "dismiss" for r in Store(db, readonly=True).findings(row["id"]))


_HEAD = '[lexicon]\nname = "x"\nversion = "1"\n'


@pytest.mark.parametrize("text", [
    _HEAD + 'disable = ["A9-F-05"]\n',  # a key of [lexicon], not a [[disable]] block
    _HEAD + "rule = [1]\n",
    _HEAD + "override = 1\n",
    'disable = ["A9-F-05"]\n' + _HEAD,  # top level, but not blocks
    "rule = [1]\n" + _HEAD,
    _HEAD + '[[rule]]\nid = "X-1"\nconfidence = 5\n',
])
def test_a_lexicon_of_the_wrong_shape_is_a_file_line_error(tmp_path, text):
    from analyzer.errors import LexiconError
    from analyzer.text.lexicon import load_lexicon

    path = tmp_path / "local.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        load_lexicon([path])
    assert caught.value.source == str(path) and caught.value.line


@pytest.mark.parametrize("text", [
    "grades = [1]\n", "veto = [1]\n", 'version = "1"\nconfidence = 5\n',
    'version = "1"\nlimits = [2]\n', "[points]\nA9-F-05 = [1]\n", "a = {b = {c = {d = 1}}}\n",
])
def test_a_template_of_the_wrong_shape_exits_2_naming_the_file(tmp_path, text):
    from click.testing import CliRunner

    from analyzer.cli import main

    path = tmp_path / "my-scoring.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(ROOT / "examples" / "counter-model.json"),
                                       "--set", f"score.template={path}"])
    assert result.exit_code == 2 and "my-scoring.toml" in result.output
    assert "Traceback" not in result.output


def _foreign(path: Path) -> Path:
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("kind", ["foreign", "corrupt", "empty", "newer"])
def test_every_command_refuses_a_database_that_is_not_ours_and_leaves_it_alone(tmp_path, kind):
    import sqlite3

    from click.testing import CliRunner

    from analyzer.cli import main

    db = tmp_path / f"{kind}.sqlite"
    if kind == "foreign":
        _foreign(db)
    elif kind == "corrupt":
        db.write_bytes(b"\x00garbage" * 500)
    elif kind == "empty":
        db.touch()
    else:
        run_batch(ROOT / "examples" / "counter-model.json", db)
        with sqlite3.connect(db) as con:
            con.execute("INSERT INTO schema_version VALUES (99, 'later')")
    before = db.read_bytes()
    reading = [["examples", "search"], ["users", "list"], ["report"], ["errors"]]
    writing = [["batch", str(ROOT / "examples" / "counter-model.json"), "--no-progress"],
               ["users", "add", "x", "--role", "trainer", "--password-stdin"]]
    for args in reading + (writing if kind != "empty" else []):
        result = CliRunner().invoke(main, [*args, "--db", str(db)], input="a-long-password\n")
        assert result.exit_code == 2, (args, result.output)
        assert db.name in result.output and "Traceback" not in result.output, args
    assert db.read_bytes() == before  # untouched


def test_example_search_matches_each_analysis_once(tmp_path, monkeypatch):
    """The batch matches what it stored, once; searches re-match nothing; a new
    interaction is matched alone."""
    import analyzer.training.examples as ex
    from analyzer.training.examples import search_examples

    calls = []
    real = ex.candidates
    monkeypatch.setattr(ex, "candidates", lambda *a, **k: calls.append(a[0].id) or real(*a, **k))
    db = tmp_path / "r.sqlite"
    for name in ("counter-model.json", "phone-five-rings.json"):
        run_batch(ROOT / "examples" / name, db)
    assert sorted(calls) == ["counter-model", "phone-five-rings"]  # once each, by the batch
    calls.clear()
    with Store(db, readonly=True) as store:
        first = search_examples(store, practice="good")
        again = search_examples(store, practice="good")
    assert calls == [] and again == first and first
    run_batch(ROOT / "examples" / "counter-forbidden.json", db)
    assert calls == ["counter-forbidden"]
    calls.clear()
    with Store(db, readonly=True) as store:
        search_examples(store, practice="good")
    assert calls == []


def test_parallel_logins_cannot_outrun_the_lockout(tmp_path):
    """30 attempts at once from different addresses: at most `limit` wrong passwords are tried."""
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor

    db = tmp_path / "r.sqlite"
    Store(db).close()
    with auth.connect(db) as con:
        auth.add_user(con, "boss", "admin", "admin-pass-123")
    limit = 5

    def attempt(k: int):
        con = auth.connect(db)
        try:
            password = "admin-pass-123" if k == 30 else f"wrong-{k}"
            return auth.attempt_login(con, "boss", password, f"127.0.1.{k}", limit=limit,
                                      seconds=900.0)
        finally:
            con.close()

    # all wrong: a right password among them would clear the count whenever it ran first
    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(attempt, range(30)))
    wrong_tried = sum(1 for o in outcomes if isinstance(o, auth.Refused))
    assert wrong_tried <= limit
    assert all(isinstance(o, auth.LockedOut) and o.wait > 0  # refused unchecked
               for o in outcomes if not isinstance(o, auth.Refused))
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM login_failures").fetchone()[0] <= limit
    locked = attempt(30)  # the right password, after the burst: still locked out
    assert isinstance(locked, auth.LockedOut) and locked.wait > 0


def test_a_file_name_that_is_not_utf8_is_analysed_and_shown_escaped(tmp_path):
    """Analysed by `conduct analyze` and the batch; its name written with the bytes escaped."""
    import os

    from click.testing import CliRunner

    from analyzer.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    record = {**GOOD}
    record.pop("id", None)
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.json"), "w", encoding="utf-8") as fh:
        json.dump(record, fh, ensure_ascii=False)
    result = CliRunner().invoke(main, ["analyze", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["id"] == "caf\\xe9" and report["source"].endswith("caf\\xe9.json")
    db = tmp_path / "r.sqlite"
    summary = run_batch(folder, db)
    assert (summary.analysed, summary.errors) == (1, 0)
    with Store(db, readonly=True) as store:
        (row,) = store.interactions()
    assert row["source_path"].endswith("caf\\xe9.json")
