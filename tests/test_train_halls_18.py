"""train-halls-18: the committed files are a rebuild of source.txt and pass the set's validator."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-18"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"train_halls_18_{name}", SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    interactions, labels = build.build_all((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == build.dump_interactions(
        interactions
    )
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == build.dump_labels(labels)
    assert [r["id"] for r in interactions] == [f"t18-{i:04d}" for i in range(1, 51)]


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions, labels = validate.load(SET_DIR)
    assert validate.check(interactions, labels) == []
