"""train-halls-29: the committed files are a rebuild of source.txt, and they validate."""
from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-29"


def _load(name: str):
    return set_script(DATA, name)


def _committed():
    text = (DATA / "interactions.jsonl").read_text(encoding="utf-8")
    interactions = [json.loads(line) for line in text.splitlines() if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    return text, interactions, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    text, interactions, labels = _committed()
    assert interactions == [p[0] for p in pairs]
    assert labels == [p[1] for p in pairs]
    assert text == "".join(json.dumps(p[0], ensure_ascii=False) + "\n" for p in pairs)


def test_validate_finds_no_problem():
    validate = _load("validate")
    _, interactions, labels = _committed()
    assert validate.check(interactions, labels) == []
    assert len(interactions) == 50
