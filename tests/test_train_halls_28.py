"""train-halls-28: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-28"


def _load(name: str):
    return set_script(DATA, name)


@pytest.fixture(scope="module")
def build():
    return _load("build")


@pytest.fixture(scope="module")
def validate():
    return _load("validate")


def test_committed_files_are_a_rebuild_of_source(build):
    text = (DATA / "source.txt").read_text(encoding="utf-8")
    blocks = build.parse(text)
    assert len(blocks) == 50
    recs, labels = zip(*(build.build_one(b) for b in blocks), strict=False)
    jsonl, lab = build.render(list(recs), list(labels))
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lab


def test_validator_finds_no_problem(validate):
    recs = [json.loads(line) for line in
            (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert len(recs) == 50
    assert validate.check(recs, labels) == []
