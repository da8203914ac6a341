"""blind-halls-27: the committed files are a rebuild of source.txt, and the validator is satisfied."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-27"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labs = build.build_all((DATA / "source.txt").read_text(encoding="utf-8"))
    inter, labels = build.render(recs, labs)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == inter
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    assert len(recs) == 40
    assert [b.id for b in build.parse((DATA / "source.txt").read_text(encoding="utf-8"))] == [r["id"] for r in recs]


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs = [json.loads(line) for line in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labs = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(recs, labs) == []
