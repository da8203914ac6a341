"""The training sets' first-run records and the veto model's use of them."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from analyzer.training import first_runs, flags
from analyzer.training import judge as training

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RECORDS = sorted(DATA.glob(f"*/{first_runs.FILE}"))


def _module():
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    spec = importlib.util.spec_from_file_location("first_run_bench", ROOT / "benchmarks" / "first_run.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["first_run_bench"] = mod
    spec.loader.exec_module(mod)
    return mod


FR = _module()


def test_every_set_with_a_recorded_first_run_commit_has_its_record():
    for name in FR.FIRST_RUNS:
        if (DATA / name / "labels.json").is_file():
            assert (DATA / name / first_runs.FILE).is_file(), name


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.parent.name)
def test_a_first_run_record_matches_its_sets_ids_and_labels(path):
    rec = json.loads(path.read_text("utf-8"))
    name = path.parent.name
    assert rec["set"] == name and rec["commit"] == FR.FIRST_RUNS[name][0]
    records, labels = FR.read_set(DATA / name)
    ids = [i["id"] for i in rec["interactions"]]
    assert ids == rec["ids"] and len(set(ids)) == len(ids)
    assert set(ids) <= set(records), "an id the set no longer has"
    wanted = FR.FIRST_RUNS[name][1]
    assert set(ids) == set(wanted or records), "the first run scored other interactions"
    for inter in rec["interactions"]:
        findings = inter["findings"]
        marks = FR.label_findings(records[inter["id"]], labels[inter["id"]], findings)
        assert [f["label"] for f in findings] == marks, (name, inter["id"])
    assert rec["totals"] == FR.totals(rec, records, labels), "totals as articles.py scores"


def test_a_finding_is_labelled_as_articles_py_scores_it():
    record = {"id": "x", "utterances": [
        {"speaker": "staff", "text": "你自己看牌子。", "start": 0.0, "end": 2.0},
        {"speaker": "staff", "text": "好的。", "start": 3.0, "end": 4.0}]}
    label = {"breaches": [{"article": 9, "quote": "你自己看牌子", "duty": ""}],
             "clean_articles": [6]}
    found = [{"article": 9, "start": 0.5, "end": 1.5}, {"article": 9, "start": 0.6, "end": 1.0},
             {"article": 6, "start": 3.0, "end": 4.0}, {"article": 10, "start": 3.0, "end": 4.0},
             {"article": 23, "start": 0.0, "end": 1.0}]
    # one finding per breach (maximum matching), a clean article's finding false, the rest none
    assert FR.label_findings(record, label, found) == [True, None, False, None, None]


def test_first_run_items_carry_the_old_findings_and_their_recorded_labels(tmp_path):
    items = training.prepare(training.load_folder(DATA / "train-halls-15")[:3])
    old = {"rule": "A10-G-X", "article": 10, "kind": "missing", "canonical": "", "speaker": "staff",
           "start": None, "end": None, "evidence": "", "confidence": 0.9, "points": 5,
           "detail": {"detector": "lexicon"}, "review": "", "an_old_field": 1}
    inters = [{"id": i.record["id"], "findings": [{**old, "label": lab}]}
              for i, lab in zip(items, (False, True, None), strict=True)]
    (tmp_path / "train-halls-15").mkdir()
    (tmp_path / "train-halls-15" / first_runs.FILE).write_text(
        json.dumps({"interactions": inters}), "utf-8")
    got = first_runs.first_run_items(items, tmp_path)
    assert [i.source for i in got] == ["train-halls-15"] * 3, "same fold as the set"
    assert all(i.first_run and not b.first_run for i, b in zip(got, items, strict=True))
    assert [[f.rule for f in i.findings] for i in got] == [["A10-G-X"]] * 3
    assert got[0].utterances is items[0].utterances, "today's analysis of the same visit"
    assert [[y for _, _, y in flags.flag_units(i)] for i in got] == [[0], [1], [None]]
    toks = flags.flag_units(got[0])[0][1]
    assert "rule:A10-G-X" in toks and "det:lexicon" in toks, "today's features of the old finding"
    # the turn models never train on a first-run item: out of fold, it is only rated
    assert flags.pool(got[0], training.GUARD_SETS) == flags.FIRST
    assert flags.pool(items[0], training.GUARD_SETS) == "blind"


def test_a_veto_bar_is_kept_on_the_first_run_pool_only_within_the_cap_everywhere():
    # [false, found, labelled] rules alone, then with the vetoes
    assert flags.confirmed({"first": [40, 100, 110, 30, 100, 110], "blind": [5, 90, 95, 5, 90, 95]})
    assert not flags.confirmed({"first": [40, 100, 110, 39, 100, 110],
                                "blind": [30, 90, 95, 20, 90, 95]}), "the gain counts on first runs"
    assert not flags.confirmed({"first": [40, 100, 110, 30, 100, 110],
                                "blind": [5, 90, 95, 5, 88, 95]}), "today's findings lost recall"


def test_the_shipped_veto_model_trained_on_every_first_run_record():
    from analyzer.resources import data_path

    meta = json.loads(data_path("models", "judge.json").read_text(encoding="utf-8"))["meta"]
    want = {p.parent.name: len(json.loads(p.read_text("utf-8"))["ids"]) for p in RECORDS}
    assert meta.get("first_runs") == want, "retrain: .venv/bin/python -m analyzer.training.judge"
