"""train-halls-11: the committed files are a rebuild of source.txt and pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-11"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labs = build.build_all((DATA / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = build.render(recs, labs)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"t11-{i:04d}" for i in range(1, 51)]
    assert build.build_one(blocks[0]) == (recs[0], labs[0])


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs = [json.loads(line) for line in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labs = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(recs, labs) == []
    c = validate.counts(recs, labs)
    assert c["interactions"] == 50 and c["calls"] == 8
    assert 450 <= c["utterances"] <= 600
    assert all(n >= 3 for n in c["breaches_per_article"].values())
