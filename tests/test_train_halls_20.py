"""train-halls-20: the committed files rebuild from source.txt and pass the set's validator."""

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-20"


def _load(name):
    module_name = f"_train_halls_20_{name}"
    spec = importlib.util.spec_from_file_location(module_name, SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _committed():
    jsonl = (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8")
    labels = (SET_DIR / "labels.json").read_text(encoding="utf-8")
    return jsonl, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"t20-{n:04d}" for n in range(1, 51)]
    assert build.render([build.build_one(block) for block in blocks]) == _committed()


def test_validator_finds_no_problem():
    validate = _load("validate")
    jsonl, labels = _committed()
    interactions = [json.loads(line) for line in jsonl.splitlines() if line.strip()]
    assert validate.check(interactions, json.loads(labels)) == []
