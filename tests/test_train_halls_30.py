"""train-halls-30: the committed files are a rebuild of source.txt and pass the set's validator."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-30"


def _load(name: str):
    return set_script(DATA, name)


def _committed():
    inter = [json.loads(line) for line in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    return inter, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    inter, labels = _committed()
    assert [p[0] for p in pairs] == inter
    assert [p[1] for p in pairs] == labels
    jsonl = "".join(json.dumps(p[0], ensure_ascii=False) + "\n" for p in pairs)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter, labels = _committed()
    assert validate.check(inter, labels) == []
