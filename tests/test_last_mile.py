"""The pages and reports a hall reads first: a visit's missing phrase shown once, dismissed
findings styled as dismissed, audio serving said to be off, labelled per-staff columns with
zeros, and no perfect interaction listed among the worst."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from analyzer import analyze
from analyzer.i18n import language
from analyzer.store import Store, analysis_key, content_hash_of_interaction
from analyzer.store.periods import days
from analyzer.text.transcript import parse_interaction
from analyzer.web import auth, create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("counter-forbidden", "counter-model")


@pytest.fixture()
def db(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "r.sqlite"
    pks = {}
    with Store(path) as store:
        for name in EXAMPLES:
            record = json.loads((ROOT / "examples" / f"{name}.json").read_text("utf-8"))
            record["staff"] = "S-0001"  # one staff member: a bad visit and a perfect one
            interaction = parse_interaction(record, f"{name}.json")
            report = analyze(interaction)
            digest = content_hash_of_interaction(interaction)
            pks[name] = store.save_report(
                report, run_id=None, content_hash=digest, path=f"{name}.json",
                key=analysis_key(digest, "", str(report.analyzer.lexicon_version)),
                interaction=interaction)
    con = auth.connect(path)
    auth.add_user(con, "insp", "inspector", "inspector-pass-1")
    con.close()
    return path, pks


def _client(app) -> TestClient:
    client = TestClient(app, headers={"accept": "text/html"}, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
    assert client.post("/login", data={"name": "insp", "password": "inspector-pass-1",
                                       "csrf_token": token, "next": "/"}).status_code == 303
    return client


def test_a_missing_phrase_of_the_visit_is_shown_once_and_dismissed_ones_look_dismissed(db):
    path, pks = db
    app = create_app(path)  # no --recordings-root: audio serving is off
    try:
        client = _client(app)
        url = f"/interactions/{pks['counter-forbidden']}"
        page = client.get(url).text
        strip = re.search(r'<div class="visit-findings".*?</div>', page, re.S)[0]
        assert "A8-G-GREETING" in strip  # no greeting: the whole visit's finding, once
        turns = re.findall(r'<div class="turn .*?</div>', page, re.S)
        assert turns and not any("A8-G-GREETING" in t for t in turns)
        assert 'id="audio-off"' in page and "--recordings-root" in page
        finding = re.search(r'id="finding-(\d+)" data-rule="A9-F-03"', page)[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        assert client.post(f"/findings/{finding}/verdict", data={
            "verdict": "dismiss", "comment": "", "csrf_token": token}).status_code == 303
        page = client.get(url).text
    finally:
        app.state.store.close()
    assert f'class="finding verdict-dismiss" id="finding-{finding}"' in page
    assert re.search(r'class="tag art9 dismissed" href="#finding-' + finding, page)


def test_the_per_staff_report_labels_its_columns_and_writes_zeros(db) -> None:
    from analyzer.reports.staff import render_html, render_text

    path, _pks = db
    with Store(path, readonly=True) as store:
        period = days("2023-05-01", "2023-05-31")
        results = store.results("staff", period, "不合格")
    (r,) = results
    assert [x.score for x in r.worst] and all(x.score < 100 for x in r.worst)
    assert 100 in [x.score for x in r.best]  # the perfect visit is among the best only
    text = render_text(period, results)
    assert "服务次数" in text and "平均分" in text and "不合格率" in text and "最差" in text
    assert "共 1 名工作人员" in text
    html = render_html(period, results)
    assert "<th class=\"fail_share\">不合格率</th>" in html and "fail_share</th>" not in html
    assert re.search(r'<td class="previous_mean num">–</td>', html)  # no previous period
    assert re.search(r'<td class="confirmed num">0</td>', html)  # a zero is written
    with language("en"):
        assert "1 staff member\n" in render_text(period, results)
        assert "Failing share" in render_html(period, results)
