"""train-halls-9: the committed files are a rebuild of source.txt, and they pass their validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-9"


def _load(name: str):
    return set_script(SET_DIR, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    recs = [p[0] for p in pairs]
    labels = [p[1] for p in pairs]
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == build.dump_interactions(recs)
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == build.dump_labels(labels)
    assert len(recs) == 50


def test_validator_finds_no_problem():
    validate = _load("validate")
    with open(SET_DIR / "interactions.jsonl", encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(recs, labels) == []
