"""train-halls-12: the committed files are a rebuild of source.txt, and the validator finds nothing."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-12"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    jsonl, labels = build.build_all((DATA / "source.txt").read_text(encoding="utf-8"))
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    rec, lab = build.build_one(blocks[0])
    assert rec["id"] == lab["id"] == "t12-0001"


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labs = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert len(recs) == 50
    assert validate.check(recs, labs) == []
