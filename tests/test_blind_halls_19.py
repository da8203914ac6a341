"""blind-halls-19: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-19"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    interactions, labels = build.build_all(DATA / "source.txt")
    jsonl, lab = build.render(interactions, labels)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lab
    assert len(interactions) == 40


def test_validator_finds_no_problem():
    validate = _load("validate")
    with open(DATA / "interactions.jsonl", encoding="utf-8") as fh:
        interactions = [json.loads(line) for line in fh if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
