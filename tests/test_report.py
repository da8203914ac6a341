"""``conduct report``: per-hall, per-window, per-article summaries as text, CSV and HTML."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.batch.runner import run_batch
from analyzer.cli import main
from analyzer.i18n import language
from analyzer.options import AnalyzerOptions
from analyzer.reports.columns import LABELS
from analyzer.reports.summary import render_csv
from analyzer.store import Store
from analyzer.store.summaries import build_summary

#: English column label -> key (the CSV header is labelled)
COLUMNS = {v: k for k, v in LABELS.items()}

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = AnalyzerOptions().with_overrides({"classifier.enabled": False})


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example transcripts only (examples/recordings/ is audio: slow, tested elsewhere)."""
    folder = tmp_path_factory.mktemp("report")
    inputs = folder / "in"
    inputs.mkdir()
    for f in (ROOT / "examples").glob("*.json"):
        shutil.copy(f, inputs / f.name)
    path = folder / "r.sqlite"
    run_batch(inputs, path, OPTIONS)
    return path


def test_summary_counts_agree_with_the_store(db: Path) -> None:
    with Store(db, readonly=True) as store:
        summary = build_summary(store)
        rows = store.interactions()
        findings = store.findings()
    assert summary.totals.interactions == len(rows)
    assert summary.totals.findings == len(findings)
    per_article = {r["article"]: r["findings"] for r in summary.sections["article"]}
    for article in {f["article"] for f in findings}:
        assert per_article[article] == sum(f["article"] == article for f in findings)
    assert sum(r["interactions"] for r in summary.sections["window"]) == len(rows)


def test_csv_is_one_table_with_sections(db: Path) -> None:
    with Store(db, readonly=True) as store, language("en"):  # the header is in its language
            table = list(csv.DictReader(io.StringIO(
                render_csv(build_summary(store)).lstrip("\ufeff"))))
    table = [{COLUMNS.get(k, k): v for k, v in r.items()} for r in table]
    sections = {r["section"] for r in table}
    assert {"total", "hall", "window", "article", "rule", "day"} <= sections
    total = next(r for r in table if r["section"] == "total")
    assert int(total["interactions"]) == len(list((ROOT / "examples").glob("*.json")))


def test_cli_text_html_and_filters(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["report", "--db", str(db)])
    assert text.exit_code == 0, text.output
    assert "按大厅" in text.output and "按条款" in text.output
    out = tmp_path / "r.html"
    html = runner.invoke(main, ["report", "--db", str(db), "--format", "html", "-o", str(out)])
    assert html.exit_code == 0, html.output
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") >= 3 and "<rect" in page
    assert not re.search(r"<script|https?://(?!www\.w3\.org/2000/svg)", page)  # self-contained
    none = runner.invoke(main, ["report", "--db", str(db), "--format", "csv", "--hall", "无此大厅",
                                "--lang", "en"])
    assert none.exit_code == 0
    total = next(csv.DictReader(io.StringIO(none.output.lstrip("\ufeff"))))
    assert total["Section"] == "total" and total["Interactions"] == "0"
    later = runner.invoke(main, ["report", "--db", str(db), "--format", "csv",
                                 "--since", "2099-01-01"])
    assert next(csv.DictReader(io.StringIO(later.output.lstrip("\ufeff"))))["服务次数"] == "0"


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "nope.sqlite")])
    assert result.exit_code == 2 and "nope.sqlite" in result.output
