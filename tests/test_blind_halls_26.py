"""blind-halls-26: the committed files rebuild from source.txt and pass the set's validator."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-26"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    recs, labels = zip(*(build.build_one(b) for b in blocks), strict=False)
    jl, lj = build.dumps(list(recs), list(labels))
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lj
    assert len(recs) == 40


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs = [json.loads(line) for line in
            (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(recs, labels) == []
