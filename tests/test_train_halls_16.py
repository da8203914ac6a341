"""train-halls-16: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-16"


def _load(name: str):
    return set_script(DATA, name)


def _committed():
    with open(DATA / "interactions.jsonl", encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    with open(DATA / "labels.json", encoding="utf-8") as f:
        labels = json.load(f)
    return recs, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    rebuilt = [build.build_one(b) for b in blocks]
    recs, labels = _committed()
    assert [r for r, _ in rebuilt] == recs
    assert [lab for _, lab in rebuilt] == labels
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r, _ in rebuilt)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs, labels = _committed()
    assert validate.check(recs, labels) == []
    assert len(recs) == 50
