"""blind-halls-10: the committed files are a rebuild of source.txt, and they pass the set's validator."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-10"


def _script(name: str):
    return set_script(SET_DIR, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _script("build")
    source = (SET_DIR / "source.txt").read_text(encoding="utf-8")
    jsonl, labels = build.build_all(source)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse(source)
    assert [b.id for b in blocks] == [f"b10-{i:04d}" for i in range(1, 41)]
    rec, lab = build.build_one(blocks[0])
    assert rec["id"] == lab["id"] == "b10-0001"


def test_validator_finds_no_problem():
    validate = _script("validate")
    with open(SET_DIR / "interactions.jsonl", encoding="utf-8") as f:
        interactions = [json.loads(line) for line in f if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
    assert len(interactions) == 40
