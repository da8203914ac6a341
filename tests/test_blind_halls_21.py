"""blind-halls-21: the committed files are a rebuild of source.txt, and they pass the set's own validator."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-21"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    text = (DATA / "source.txt").read_text(encoding="utf-8")
    blocks = build.parse(text)
    assert len(blocks) == 40
    recs, labels = zip(*(build.build_one(b) for b in blocks), strict=False)
    jsonl, lab = build.render(list(recs), list(labels))
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lab


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
