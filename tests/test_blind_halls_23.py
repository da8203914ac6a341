"""blind-halls-23: the committed files are a rebuild of source.txt and pass the set's validator."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-23"


def _load(name: str):
    return set_script(DATA, name)


def _committed():
    inter_text = (DATA / "interactions.jsonl").read_text(encoding="utf-8")
    labels_text = (DATA / "labels.json").read_text(encoding="utf-8")
    return inter_text, labels_text


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labels = [], []
    for block in build.parse((DATA / "source.txt").read_text(encoding="utf-8")):
        rec, lab = build.build_one(block)
        recs.append(rec)
        labels.append(lab)
    inter_text, labels_text = _committed()
    assert [json.loads(x) for x in inter_text.splitlines() if x.strip()] == recs
    assert json.loads(labels_text) == labels
    assert build.render(recs, labels) == (inter_text, labels_text)
    assert len(recs) == 40


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter_text, labels_text = _committed()
    interactions = [json.loads(x) for x in inter_text.splitlines() if x.strip()]
    labels = json.loads(labels_text)
    assert validate.check(interactions, labels) == []
