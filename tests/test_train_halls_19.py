"""train-halls-19 (hand-written training set): the committed files are a rebuild of source.txt and pass its validator."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "train-halls-19"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"train_halls_19_{name}", SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_the_source():
    build = _load("build")
    jsonl, labels = build.render((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    record, label = build.build_one(blocks[0])
    assert record["id"] == label["id"] == "t19-0001"


def test_validator_finds_no_problem():
    validate = _load("validate")
    text = (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8")
    interactions = [json.loads(line) for line in text.splitlines()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert len(interactions) == 50
    assert validate.check(interactions, labels) == []
