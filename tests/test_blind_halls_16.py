"""blind-halls-16: the committed files are a rebuild of source.txt, and they pass the set's own validator."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-16"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"blind_halls_16_{name}", DATA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_exactly_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"b16-{n:04d}" for n in range(1, 41)]
    jsonl, labels = build.render(blocks)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions, labels = validate.load(DATA)
    assert validate.check(interactions, labels) == []
