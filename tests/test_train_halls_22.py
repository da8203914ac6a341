"""train-halls-22: the committed files are a rebuild of source.txt, and they pass the set's validator."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-22"


def _load(name: str):
    return set_script(DATA, name)


def _committed():
    recs = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labs = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    return recs, labs


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    recs, labs = _committed()
    assert [p[0] for p in pairs] == recs
    assert [p[1] for p in pairs] == labs


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs, labs = _committed()
    assert validate.check(recs, labs) == []
    assert len(recs) == 50
