"""blind-halls-17: the committed files are a rebuild of source.txt and pass the set's own validator."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-17"


def _load(name: str):
    return set_script(DATA, name)


def _committed():
    recs = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    return recs, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    recs, labels = _committed()
    assert [p[0] for p in pairs] == recs
    assert [p[1] for p in pairs] == labels
    assert len(recs) == 40


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs, labels = _committed()
    assert validate.check(recs, labels) == []
