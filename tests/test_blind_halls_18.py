"""blind-halls-18: the committed files are a rebuild of source.txt, and the validator finds no problem."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-18"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labs = build.build((DATA / "source.txt").read_text(encoding="utf-8"))
    inter, labels = build.render(recs, labs)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == inter
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert build.build_one(blocks[0]) == (recs[0], labs[0])


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(inter, labels) == []
