"""train-halls-17: the committed files are a rebuild of source.txt, and they pass the set's validator."""

import importlib.util
import json
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-17"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_17_{name}", FOLDER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(block) for block in blocks]
    interactions = [rec for rec, _ in pairs]
    labels = [lab for _, lab in pairs]
    jsonl, lab = build.render(interactions, labels)
    assert (FOLDER / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (FOLDER / "labels.json").read_text(encoding="utf-8") == lab
    assert len(blocks) == 50


def test_validator_finds_no_problem():
    validate = _load("validate")
    with open(FOLDER / "interactions.jsonl", encoding="utf-8") as fh:
        interactions = [json.loads(line) for line in fh if line.strip()]
    with open(FOLDER / "labels.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    assert validate.check(interactions, labels) == []
