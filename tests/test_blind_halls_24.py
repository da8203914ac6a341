"""blind-halls-24: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-24"


def _load(name: str):
    return set_script(DATA, name)


@pytest.fixture(scope="module")
def build():
    return _load("build")


@pytest.fixture(scope="module")
def validate():
    return _load("validate")


def test_committed_files_are_a_rebuild_of_source(build):
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    jsonl, labels = build.render([p[0] for p in pairs], [p[1] for p in pairs])
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    assert len(blocks) == 40


def test_validator_finds_no_problem(validate):
    lines = (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    interactions = [json.loads(line) for line in lines if line.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
