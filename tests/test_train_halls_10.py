"""train-halls-10: the committed files are a rebuild of source.txt, and the validator finds no problem."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-10"


def _load(name: str):
    return set_script(SET_DIR, name)


def _committed() -> tuple[list[dict], list[dict]]:
    lines = (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    interactions = [json.loads(line) for line in lines if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    return interactions, labels


def test_committed_files_are_a_rebuild_of_the_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(block) for block in blocks]
    interactions, labels = _committed()
    assert [p[0] for p in pairs] == interactions
    assert [p[1] for p in pairs] == labels
    assert build.dump_interactions(interactions) == (SET_DIR / "interactions.jsonl").read_text(
        encoding="utf-8"
    )
    assert build.dump_labels(labels) == (SET_DIR / "labels.json").read_text(encoding="utf-8")


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions, labels = _committed()
    assert validate.check(interactions, labels) == []
    assert len(interactions) == 50
