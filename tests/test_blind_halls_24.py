"""blind-halls-24: the committed files are a rebuild of source.txt, and they pass the set's validator."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-24"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"blind_halls_24_{name}", SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
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
    pairs = [build.build_one(b) for b in blocks]
    jsonl, labels = build.render([p[0] for p in pairs], [p[1] for p in pairs])
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == labels
    assert len(blocks) == 40


def test_validator_finds_no_problem(validate):
    lines = (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    interactions = [json.loads(line) for line in lines if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
