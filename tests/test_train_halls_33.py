"""train-halls-33: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-33"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    inter = [r for r, _ in pairs]
    labels = [lab for _, lab in pairs]
    jsonl, lab = build.render(inter, labels)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lab
    assert len(inter) == 50


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter = [json.loads(line) for line in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(inter, labels) == []
