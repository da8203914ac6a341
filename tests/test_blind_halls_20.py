"""blind-halls-20: the committed files are a rebuild of source.txt, and they pass the set's validator."""


from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-20"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    text = (DATA / "source.txt").read_text(encoding="utf-8")
    interactions, labels = build.build(text)
    assert len(build.parse(text)) == 40
    jsonl, labels_text = build.render(interactions, labels)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels_text


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions = [json.loads(line) for line in
                    (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
