"""train-halls-24: the committed files are a rebuild of source.txt, and they pass the set's own validator."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-24"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"train_halls_24_{name}", DATA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_source() -> None:
    build = _load("build")
    interactions, labels = build.build((DATA / "source.txt").read_text(encoding="utf-8"))
    jl, lj = build.render(interactions, labels)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lj
    assert len(build.parse((DATA / "source.txt").read_text(encoding="utf-8"))) == 50


def test_validator_finds_no_problem() -> None:
    validate = _load("validate")
    interactions = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
