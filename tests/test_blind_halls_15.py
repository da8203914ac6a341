"""blind-halls-15: the committed files are a rebuild of source.txt and pass their validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-15"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"b15-{i:04d}" for i in range(1, 41)]
    jsonl, labels = build.render(blocks)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    rec, lab = build.build_one(blocks[0])
    assert rec == json.loads(jsonl.splitlines()[0])
    assert lab == json.loads(labels)[0]


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter, labels = validate.load(DATA)
    assert validate.check(inter, labels) == []
    assert len(inter) == 40
