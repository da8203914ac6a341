"""train-halls-27: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-27"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"t27-{k:04d}" for k in range(1, 51)]
    jsonl, labels = build.render(blocks)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    inter, label = build.build_one(blocks[0])
    assert inter["id"] == label["id"] == "t27-0001"


def test_validator_finds_no_problem():
    validate = _load("validate")
    inters = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert len(inters) == len(labels) == 50
    assert validate.check(inters, labels) == []
