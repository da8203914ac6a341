"""blind-halls-12: the committed files are a rebuild of source.txt, and they pass the set's own validator."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-12"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"blind_halls_12_{name}", SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build():
    return _load("build")


@pytest.fixture(scope="module")
def validate():
    return _load("validate")


def test_committed_files_are_a_rebuild_of_source(build):
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    records, labels = zip(*(build.build_one(b) for b in blocks))
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
