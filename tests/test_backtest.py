"""``conduct lexicon backtest``: the stored interactions under new rules, compared exactly.

The diff is checked against a full re-analysis of each stored input with the
public API (:func:`analyzer.analyze`), the verdicts' side against the
verdicts given here, read-only unless ``--apply``, and ``--apply`` against
the store's rows and audit trail afterwards.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from month_fixture import MonthSpec, build_month_db, private_copy

from analyzer import analyze
from analyzer.batch.backtest import finding_key
from analyzer.cli import main
from analyzer.options import AnalyzerOptions
from analyzer.store import Store

SPEC = MonthSpec(halls=1, windows_per_hall=2, staff=4, per_staff=6, previous_month=False)


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    return build_month_db(tmp_path_factory.mktemp("backtest") / "results.sqlite", SPEC)


@pytest.fixture()
def db(small_db: Path, tmp_path: Path) -> Path:
    return private_copy(small_db, tmp_path)


def two_rules(found: list) -> tuple[str, str]:
    """The two lexicon rules (not groups) with the most findings."""
    from analyzer.text.lexicon import load_lexicon

    ids = {r.id for r in load_lexicon().rules}
    common = [r for r, _n in Counter(f["rule"] for f in found).most_common() if r in ids]
    return common[0], common[1]


def override(tmp_path: Path, drop: str, heavier: str) -> Path:
    path = tmp_path / "new.toml"
    path.write_text(f'[lexicon]\nname = "trial"\nversion = "2"\n\n[[disable]]\nid = "{drop}"\n'
                    f'reason = "too many false alarms"\n\n[[override]]\nid = "{heavier}"\n'
                    "points = 40\n", "utf-8")
    return path


def snapshot(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT i.id, i.score, i.grade, i.auto_score, f.rule, f.start, f.verdict "
                       "FROM interactions i LEFT JOIN findings f ON f.interaction_pk = i.id "
                       "ORDER BY i.id, f.id").fetchall()
    con.close()
    return rows


def test_the_diff_equals_a_full_reanalysis_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    with Store(db) as store:
        found = store.findings()
        drop, heavier = two_rules(found)
        mine = [f for f in found if f["rule"] == drop]
        store.set_verdict(mine[0]["id"], "confirm", "", "insp")
        store.set_verdict(mine[1]["id"], "dismiss", "", "insp", reason="misheard")
        other = next(f for f in found if f["rule"] == heavier)
        store.set_verdict(other["id"], "dismiss", "", "insp", reason="context")
        stored = {pk: store.interaction(pk) for pk in
                  [r["id"] for r in store.interactions(limit=10000)]}
        old = {pk: {finding_key(f["rule"], f["start"]): f["verdict"] for f in store.findings(pk)}
               for pk in stored}
    new_lexicon = override(tmp_path, drop, heavier)
    before = snapshot(db)
    out = CliRunner().invoke(main, ["lexicon", "backtest", "--db", str(db), "--lexicon",
                                    str(new_lexicon), "--format", "json", "--no-progress"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert snapshot(db) == before  # read-only

    # the full re-analysis: every stored input through the public API with the new lexicon
    options = replace(AnalyzerOptions(), lexicon=(str(new_lexicon),))
    from analyzer.store import interaction_from_dict

    expected = {}
    for pk, row in stored.items():
        report = analyze(interaction_from_dict(row["input"]), options)
        new = {finding_key(f.rule, f.start) for f in report.findings}
        appeared, gone = new - old[pk].keys(), old[pk].keys() - new
        if appeared or gone or report.score != row["auto_score"]:
            expected[pk] = (sorted(map(list, appeared), key=str), sorted(map(list, gone), key=str),
                            [row["auto_score"], report.score], [row["auto_grade"], report.grade])
    got = {c["pk"]: (sorted(map(list, c["appeared"]), key=str),
                     sorted(map(list, c["disappeared"]), key=str), c["score"], c["grade"])
           for c in data["changes"]}
    assert got == expected and len(got) >= len(mine)
    assert data["disappeared"] == sum(len(v[1]) for v in expected.values()) >= len(mine)
    assert data["interactions"] == len(stored) and data["errors"] == []
    # against the verdicts: the confirmed finding of the dropped rule is lost; the
    # dismissed one of the heavier rule stays; the dismissed one of the dropped rule goes
    assert data["confirmed_lost"] == 1 and data["dismissed_kept"] == 1
    lost = [c for c in data["changes"] if c["confirmed_lost"]]
    assert lost[0]["confirmed_lost"][0][0] == drop
    assert sum(len(c["dismissed_removed"]) for c in data["changes"]) == 1
    assert data["lexicon_version"]["new"] != data["lexicon_version"]["old"]
    text = CliRunner().invoke(main, ["lexicon", "backtest", "--db", str(db), "--lexicon",
                                     str(new_lexicon), "--lang", "en"])
    assert text.exit_code == 0, text.output
    assert "1 confirmed findings would vanish" in text.output and "nothing written" in text.output
    assert f"backtest: {len(stored)}/{len(stored)}" in text.output  # the progress, as lines


def test_apply_rescores_and_keeps_the_old_results_in_the_audit_trail(db: Path,
                                                                    tmp_path: Path) -> None:
    with Store(db) as store:
        found = store.findings()
        drop, heavier = two_rules(found)
        kept = next(f for f in found if f["rule"] == heavier)
        store.set_verdict(kept["id"], "confirm", "", "insp")
    new_lexicon = override(tmp_path, drop, heavier)
    out = CliRunner().invoke(main, ["lexicon", "backtest", "--db", str(db), "--lexicon",
                                    str(new_lexicon), "--apply", "--format", "json",
                                    "--no-progress"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["applied"] and data["changes"]
    with Store(db, readonly=True) as store:
        assert not [f for f in store.findings() if f["rule"] == drop]
        for c in data["changes"]:
            row = store.interaction(c["pk"])
            assert row["auto_score"] == c["score"][1] and row["auto_grade"] == c["grade"][1]
        trail = store.db.query("SELECT entity_id, before_json FROM audit WHERE action = 'backtest'")
        assert sorted(r[0] for r in trail) == sorted(c["pk"] for c in data["changes"])
        old = json.loads(trail[0][1])
        assert any(f[0] == drop for r in trail for f in json.loads(r[1])["findings"])
        assert {"score", "grade", "findings", "lexicon_version"} <= old.keys()
        # the confirmed finding of the rule that stays keeps its verdict
        same = [f for f in store.findings(kept["interaction_pk"]) if f["rule"] == heavier]
        assert any(f["verdict"] == "confirm" for f in same)
    again = CliRunner().invoke(main, ["lexicon", "backtest", "--db", str(db), "--lexicon",
                                      str(new_lexicon), "--format", "json", "--no-progress"])
    assert json.loads(again.output)["changes"] == []  # applied: nothing left to change


def test_worker_processes_give_the_same_diff(db: Path, tmp_path: Path, monkeypatch) -> None:
    from analyzer.batch import backtest as bt
    from analyzer.pipeline import get_lexicon
    from analyzer.pipeline.scoring import get_template

    with Store(db) as store:
        drop, heavier = two_rules(store.findings())
    options = replace(AnalyzerOptions(), lexicon=(str(override(tmp_path, drop, heavier)),))
    lexicon = get_lexicon(options)
    template = get_template(options, lexicon)
    monkeypatch.setattr(bt, "CHUNK", 4)  # small chunks: the pool path on a small store
    with Store(db, readonly=True) as store:
        one = bt.run_backtest(store, options, lexicon, template, workers=1)
        two = bt.run_backtest(store, options, lexicon, template, workers=2)
    assert one.to_dict() == two.to_dict() and one.changes


#: Changes of each kind the backtest scopes differently (analyzer.batch.backtest_scope).
RULE = ('[[rule]]\nid = "X-LOOK"\narticle = 9\nkind = "forbidden"\nrole = "staff"\n'
        'context = "handling"\ncanonical = "我看一下您的材料"\npoints = 7\ntitle = "试验"\n')
CHANGES = {
    # a new forbidden phrase said in some interactions only: only those are analysed again
    "new rule": (RULE, None, "changed rules"),
    # a variant added to a forbidden rule the act detector also targets
    "variant": ('[[override]]\nid = "A9-F-02"\nvariants = ["不着急,您慢慢填"]\n', None,
                "changed rules"),
    # a farewell no longer owed: every interaction is analysed again
    "owed": ('[[override]]\nid = "A10-R-02"\nowed = false\n', None, "A10-R-02"),
    # the template alone: stored findings re-scored, the changed ones analysed again
    "template": (None, ('version = "trial"\n', '"A6-UNCIVIL" = 5', '"A6-UNCIVIL" = 40\n'
                        '"A10-G-GOODBYE" = 30'), "changed rules"),
}


def full_diff(stored: dict, old: dict, options: AnalyzerOptions) -> dict:
    """What a full re-analysis of every stored input gives: pk -> (appeared, gone, scores)."""
    from analyzer.store import interaction_from_dict

    expected = {}
    for pk, row in stored.items():
        report = analyze(interaction_from_dict(row["input"]), options)
        new = {finding_key(f.rule, f.start) for f in report.findings}
        appeared, gone = new - old[pk].keys(), old[pk].keys() - new
        if appeared or gone or report.score != row["auto_score"] or \
                report.grade != row["auto_grade"]:
            expected[pk] = (sorted(appeared, key=str), sorted(gone, key=str),
                            (row["auto_score"], report.score), (row["auto_grade"], report.grade))
    return expected


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_kind_of_change_gives_the_full_reanalysis_diff(name: str, small_db: Path,
                                                            tmp_path: Path) -> None:
    from analyzer.batch.backtest import run_backtest
    from analyzer.pipeline import get_lexicon
    from analyzer.pipeline.scoring import get_template
    from analyzer.resources import data_path

    lexicon_text, template_edit, scope = CHANGES[name]
    options = AnalyzerOptions()
    if lexicon_text:
        path = tmp_path / "new.toml"
        path.write_text('[lexicon]\nname = "trial"\nversion = "3"\n\n' + lexicon_text, "utf-8")
        options = replace(options, lexicon=(str(path),))
    if template_edit:
        text = data_path("lexicons", "scoring.toml").read_text("utf-8")
        for old_text, new_text in zip(template_edit[1::2], template_edit[2::2], strict=True):
            assert old_text in text
            text = text.replace(old_text, new_text)
        tpl = tmp_path / "scoring.toml"
        tpl.write_text(text, "utf-8")
        options = replace(options, score=replace(options.score, template=str(tpl)))
    with Store(small_db, readonly=True) as store:
        stored = {r["id"]: store.interaction(r["id"]) for r in store.interactions(limit=10000)}
        old = {pk: {finding_key(f["rule"], f["start"]): f["verdict"] for f in store.findings(pk)}
               for pk in stored}
        lexicon = get_lexicon(options)
        result = run_backtest(store, options, lexicon, get_template(options, lexicon))
    got = {c.pk: (sorted(c.appeared, key=str), sorted(c.disappeared, key=str), c.score, c.grade)
           for c in result.changes}
    assert got == full_diff(stored, old, options) and got, name
    assert result.errors == [] and result.analysed + result.kept == len(stored)
    assert scope in result.scope
    if scope == "changed rules":  # the prefilter kept the interactions the change cannot reach
        assert result.kept > 0 and result.analysed < len(stored)
    else:
        assert result.analysed == len(stored)
