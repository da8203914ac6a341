"""train-halls-27: the committed files are a rebuild of source.txt, and they pass the set's validator."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-27"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"train_halls_27_{name}", DATA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"t27-{k:04d}" for k in range(1, 51)]
    jsonl, labels = build.render(blocks)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    inter, label = build.build_one(blocks[0])
    assert inter["id"] == label["id"] == "t27-0001"


def test_validator_finds_no_problem():
    validate = _load("validate")
    inters = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert len(inters) == len(labels) == 50
    assert validate.check(inters, labels) == []
