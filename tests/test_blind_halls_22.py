"""blind-halls-22: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-22"


def _load(name: str):
    return set_script(DATA, name)


@pytest.fixture(scope="module")
def committed():
    with open(DATA / "interactions.jsonl", encoding="utf-8") as f:
        interactions = [json.loads(line) for line in f if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    return interactions, labels


def test_committed_files_are_a_rebuild_of_source(committed):
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    interactions, labels = committed
    assert [p[0] for p in pairs] == interactions
    assert [p[1] for p in pairs] == labels
    jsonl, lab = build.render([p[0] for p in pairs], [p[1] for p in pairs])
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lab


def test_validator_finds_no_problem(committed):
    validate = _load("validate")
    interactions, labels = committed
    assert validate.check(interactions, labels) == []
    assert len(interactions) == 40
