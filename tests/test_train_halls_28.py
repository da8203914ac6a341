"""train-halls-28: the committed files are a rebuild of source.txt, and they pass the set's validator."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-28"


def _load(name: str):
    modname = f"train_halls_28_{name}"
    spec = importlib.util.spec_from_file_location(modname, SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def build():
    return _load("build")


@pytest.fixture(scope="module")
def validate():
    return _load("validate")


def test_committed_files_are_a_rebuild_of_source(build):
    text = (SET_DIR / "source.txt").read_text(encoding="utf-8")
    blocks = build.parse(text)
    assert len(blocks) == 50
    recs, labels = zip(*(build.build_one(b) for b in blocks))
    jsonl, lab = build.render(list(recs), list(labels))
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == lab


def test_validator_finds_no_problem(validate):
    recs = [json.loads(line) for line in
            (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert len(recs) == 50
    assert validate.check(recs, labels) == []
