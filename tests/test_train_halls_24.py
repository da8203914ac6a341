"""train-halls-24: the committed files are a rebuild of source.txt, and they pass the set's own validator."""


from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-24"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source() -> None:
    build = _load("build")
    interactions, labels = build.build((DATA / "source.txt").read_text(encoding="utf-8"))
    jl, lj = build.render(interactions, labels)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lj
    assert len(build.parse((DATA / "source.txt").read_text(encoding="utf-8"))) == 50


def test_validator_finds_no_problem() -> None:
    validate = _load("validate")
    interactions = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
