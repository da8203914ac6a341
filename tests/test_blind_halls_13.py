"""blind-halls-13: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-13"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert len(blocks) == 40
    inter, labels = build.render(blocks)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == inter
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    rec, lab = build.build_one(blocks[0])
    assert rec["id"] == lab["id"] == "b13-0001"


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(inter, labels) == []
