"""blind-halls-25: the committed files are a rebuild of source.txt, and the set passes its own validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-25"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert len(blocks) == 40
    jsonl, labels = build.render(blocks)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    rec, lab = build.build_one(blocks[0])
    assert rec["id"] == lab["id"] == "b25-0001"


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions = [json.loads(line) for line in
                    (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert len(interactions) == len(labels) == 40
    assert validate.check(interactions, labels) == []
