"""train-halls-34: the committed files are a rebuild of source.txt, and they pass the set's validator."""


from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-34"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labels = build.build_all((DATA / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = build.render(recs, labels)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lab
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [build.build_one(b) for b in blocks] == list(zip(recs, labels, strict=True))


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs = [
        json.loads(line)
        for line in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert len(recs) == 50
    assert validate.check(recs, labels) == []
