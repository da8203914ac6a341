"""train-halls-20: the committed files rebuild from source.txt and pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-20"


def _load(name: str):
    return set_script(DATA, name)


def _committed():
    jsonl = (DATA / "interactions.jsonl").read_text(encoding="utf-8")
    labels = (DATA / "labels.json").read_text(encoding="utf-8")
    return jsonl, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"t20-{n:04d}" for n in range(1, 51)]
    assert build.render([build.build_one(block) for block in blocks]) == _committed()


def test_validator_finds_no_problem():
    validate = _load("validate")
    jsonl, labels = _committed()
    interactions = [json.loads(line) for line in jsonl.splitlines() if line.strip()]
    assert validate.check(interactions, json.loads(labels)) == []
