"""blind-halls-12: the committed files are a rebuild of source.txt, and they pass the set's own validator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hall_sets import set_script

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-12"


def _load(name: str):
    return set_script(SET_DIR, name)


@pytest.fixture(scope="module")
def build():
    return _load("build")


@pytest.fixture(scope="module")
def validate():
    return _load("validate")


def test_committed_files_are_a_rebuild_of_source(build):
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    records, labels = zip(*(build.build_one(b) for b in blocks), strict=True)
    jsonl, labels_text = build.dump(list(records), list(labels))
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == labels_text


def test_validator_finds_no_problem(validate):
    interactions = [
        json.loads(line)
        for line in (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert len(interactions) == 40
    assert validate.check(interactions, labels) == []
