"""What only blind-halls-6 has: the files rebuild from its hand-written source, and its validator passes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-6"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"blind_halls_6_{name}", FOLDER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_files_rebuild_from_source() -> None:
    build = _module("build")
    built = [
        build.build(item)
        for item in build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    ]
    with open(FOLDER / "interactions.jsonl", encoding="utf-8") as fh:
        interactions = [json.loads(line) for line in fh if line.strip()]
    labels = json.loads((FOLDER / "labels.json").read_text(encoding="utf-8"))
    assert [i for i, _ in built] == interactions
    assert [lab for _, lab in built] == labels


def test_validator_passes() -> None:
    assert _module("validate").check() == []
