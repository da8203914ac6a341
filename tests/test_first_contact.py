"""A new user's first hour: errors named, paths that travel, clean refusals, readable output.

Most web checks here run the app in-process over ``httpx.ASGITransport``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import analyzer
from analyzer.batch import run_batch
from analyzer.cli import main
from analyzer.i18n import language
from analyzer.reports.columns import LABELS
from analyzer.reports.summary import bar_chart, render_csv, width
from analyzer.store import Store
from analyzer.store.summaries import build_summary
from analyzer.tables import csv_cell, write_csv
from analyzer.web import auth, create_app
from analyzer.web.queries import calendar_days

#: English column label -> key (the CSV header is labelled)
COLUMNS = {v: k for k, v in LABELS.items()}

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def batch_folder(tmp_path: Path) -> Path:
    """Two good transcripts and one broken one."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("counter-model.json", "counter-forbidden.json"):
        shutil.copy(EXAMPLES / name, folder / name)
    (folder / "broken.json").write_text('{"id": "b", "channel": "counter", "utterances": [',
                                        encoding="utf-8")
    return folder


def test_batch_names_each_error_and_conduct_errors_lists_them(batch_folder, tmp_path):
    db = tmp_path / "r.sqlite"
    runner = CliRunner()
    result = runner.invoke(main, ["batch", str(batch_folder), "--db", str(db), "--no-progress"])
    assert result.exit_code == 1
    broken = str(batch_folder / "broken.json")
    assert f"error: {broken}" in result.stderr
    listed = runner.invoke(main, ["errors", "--db", str(db)])
    assert listed.exit_code == 0 and broken in listed.stdout and "TranscriptError" in listed.stdout
    as_json = runner.invoke(main, ["errors", "--db", str(db), "--run", "1", "--format", "json"])
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["path"].startswith(broken)  # file:line of the JSON error
    assert runner.invoke(main, ["errors", "--db", str(db), "--run", "2"]).stdout == ""
    report = runner.invoke(main, ["report", "--db", str(db)])
    assert "输入错误" in report.stdout and broken in report.stdout


def test_stored_recording_paths_are_absolute(batch_folder, tmp_path, monkeypatch):
    monkeypatch.chdir(batch_folder.parent)
    db = tmp_path / "r.sqlite"
    run_batch("in", db)  # a relative source, as a user types it
    with Store(db, readonly=True) as store:
        paths = [r["source_path"] for r in store.interactions(order="id")]
        errors = [e["path"] for e in store.errors()]
    assert paths and all(Path(p).is_absolute() and Path(p).is_file() for p in paths)
    assert errors and all(Path(p).is_absolute() for p in errors)


def test_missing_phrase_windows_end_with_the_interaction():
    record = {"id": "short", "channel": "counter", "utterances": [
        {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "您好，请问要办理什么业务？"},
        {"speaker": "citizen", "start": 2.5, "end": 6.0, "text": "我有个建议，你们的叫号太慢了"},
        {"speaker": "staff", "start": 6.5, "end": 8.0, "text": "好的"},
        {"speaker": "citizen", "start": 8.5, "end": 10.0, "text": "那我走了"},
        {"speaker": "staff", "start": 10.5, "end": 12.0, "text": "嗯"}]}
    report = analyzer.analyze(record)
    missing = [f for f in report.findings if f.kind == "missing"]
    assert any(f.rule == "A10-G-SUGGESTION" for f in missing)  # its window was 6 + 30 s
    assert all(f.end <= 12.0 and f.start <= f.end for f in missing)


@pytest.mark.parametrize("day", ["2023/05/05", "2023-5-5", "2023-02-30", "yesterday"])
def test_report_refuses_a_bad_day(tmp_path, day):
    db = tmp_path / "r.sqlite"
    Store(db).close()
    result = CliRunner().invoke(main, ["report", "--db", str(db), "--since", day])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_report_of_an_empty_selection_says_no_mean(tmp_path):
    db = tmp_path / "r.sqlite"
    Store(db).close()
    out = CliRunner().invoke(main, ["report", "--db", str(db)]).stdout
    assert "平均分 –" in out and "None" not in out


def test_csv_cells_are_integers_short_decimals_and_never_formulas():
    assert csv_cell(4.0) == 4 and csv_cell(7) == 7 and csv_cell(None) == ""
    assert csv_cell(0.9500000000000001) == "0.95"
    for text in ("=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("您好") == "您好"
    rows = list(csv.reader(io.StringIO(write_csv(["a", "b"], [{"a": "=1+1", "b": 2.0}]))))
    assert rows == [["a", "b"], ["'=1+1", "2"]]


def test_report_csv_counts_are_integers(batch_folder, tmp_path):
    db = tmp_path / "r.sqlite"
    run_batch(batch_folder, db)
    with Store(db, readonly=True) as store, language("en"):
        table = list(csv.DictReader(io.StringIO(
            render_csv(build_summary(store)).lstrip("\ufeff"))))
    table = [{COLUMNS.get(k, k): v for k, v in r.items()} for r in table]
    counts = [r["interactions"] for r in table if r["interactions"]]
    assert counts and all(re.fullmatch(r"\d+", c) for c in counts)
    assert all(len(r["mean_score"].partition(".")[2]) <= 3 for r in table)
    assert any(r["section"] == "error" and "broken.json" in r["path"] for r in table)


def test_users_add_needs_a_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["users", "add", "x", "--role", "trainer",
                                       "--password-stdin"], input="long-enough-pw\n")
    assert result.exit_code == 2 and "--db" in result.output
    assert not list(tmp_path.iterdir())  # no results.sqlite appeared


def test_lexicon_check_reports_every_problem_of_a_block(tmp_path):
    bad = tmp_path / "local.toml"
    bad.write_text('[lexicon]\nname = "t"\nversion = "1"\n[[rule]]\nid = "LOCAL-F-01"\n'
                   'article = 12\nkind = "nonsense"\nrole = "boss"\ncontext = "handling"\n'
                   'canonical = "这事不归我管"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["lexicon", "check", str(bad)])
    assert result.exit_code == 1
    for line, word in ((6, "article"), (7, "kind"), (8, "role")):
        assert f"{bad}:{line}: " in result.stderr and word in result.stderr


def test_chart_labels_fit_their_column():
    label = "东城区政务服务大厅 #综合窗口十二"
    svg = bar_chart("t", [(label, 3.0)]).svg()
    x = float(re.search(r'<text x="([\d.]+)" y="\d+" text-anchor="end">', svg).group(1))
    assert x >= 6.5 * width(label)  # the right-aligned label starts inside the picture


def test_day_axis_spaces_days_as_the_calendar_does():
    assert calendar_days(["2023-05-08", "2023-05-04"]) == [
        "2023-05-04", "2023-05-05", "2023-05-06", "2023-05-07", "2023-05-08"]
    assert calendar_days(["", "n/a"]) == ["n/a"]
    assert calendar_days(["2020-01-01", "2023-01-01"]) == ["2020-01-01", "2023-01-01"]


def test_help_shows_whole_command_summaries():
    out = CliRunner().invoke(main, ["--help", "--lang", "en"]).stdout.split("Commands:")[1]
    assert "..." not in out
    assert "Analyze transcripts (.json, .jsonl) and recordings for Chapter 3" in out
    zh = CliRunner().invoke(main, ["--help"]).stdout.split("命令:")[1]  # the default: 简体中文
    assert "..." not in zh and "按第三章服务规范分析文字记录（.json、.jsonl）和录音" in zh


def test_text_output_labels_the_seed_wording_as_the_web_app_does():
    out = CliRunner().invoke(main, ["analyze", str(EXAMPLES / "counter-forbidden.json"),
                                    "--format", "text"]).stdout
    assert "规范:" in out and "seed:" not in out


async def _asgi_session(db: Path) -> tuple[httpx.AsyncClient, list[int]]:
    """A client of the in-process app logged in as an inspector, and favicon statuses."""
    app = create_app(db)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app",
                               headers={"accept": "text/html"})
    icons = [(await client.get("/favicon.ico")).status_code]
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    await client.post("/login", data={"name": "ines", "password": "inspector-pass-1",
                                      "csrf_token": token, "next": "/"})
    icons.append((await client.get("/favicon.ico")).status_code)
    return client, icons


def test_review_app_shows_errors_and_answers_favicon(batch_folder, tmp_path):
    db = tmp_path / "r.sqlite"
    run_batch(batch_folder, db)
    with auth.connect(db) as con:
        auth.add_user(con, "ines", "inspector", "inspector-pass-1")

    async def run() -> tuple[list[int], str, str]:
        client, icons = await _asgi_session(db)
        try:
            errors = (await client.get("/errors")).text
            queue = (await client.get("/queue")).text
        finally:
            await client.aclose()
        return icons, errors, queue

    icons, errors, queue = asyncio.run(run())
    assert icons == [204, 204]  # no 401 before login, no 404 after
    assert "broken.json" in errors and "TranscriptError" in errors
    assert 'href="/errors"' in queue and 'rel="icon"' in queue
