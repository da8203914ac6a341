"""train-halls-19 (hand-written training set): the committed files are a rebuild of source.txt and pass its validator."""


from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-19"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_the_source():
    build = _load("build")
    jsonl, labels = build.render((DATA / "source.txt").read_text(encoding="utf-8"))
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    record, label = build.build_one(blocks[0])
    assert record["id"] == label["id"] == "t19-0001"


def test_validator_finds_no_problem():
    validate = _load("validate")
    text = (DATA / "interactions.jsonl").read_text(encoding="utf-8")
    interactions = [json.loads(line) for line in text.splitlines()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert len(interactions) == 50
    assert validate.check(interactions, labels) == []
