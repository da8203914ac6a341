"""train-halls-23: the committed files are a rebuild of source.txt, and the validator finds no problem."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-23"


def _load(name: str):
    return set_script(DATA, name)


def _committed():
    inter = [json.loads(lab) for lab in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if lab.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    return inter, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    pairs = [build.build_one(b) for b in build.parse((DATA / "source.txt").read_text(encoding="utf-8"))]
    inter, labels = _committed()
    assert inter == [p[0] for p in pairs]
    assert labels == [p[1] for p in pairs]


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter, labels = _committed()
    assert validate.check(inter, labels) == []
