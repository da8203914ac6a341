"""blind-halls-28: the committed files are a rebuild of source.txt, and the validator finds no problem."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-28"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labs = build.build((DATA / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = build.render(recs, labs)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [build.build_one(b) for b in blocks] == list(zip(recs, labs, strict=False))


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions = [json.loads(line) for line in
                    (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert len(interactions) == 40
    assert validate.check(interactions, labels) == []
