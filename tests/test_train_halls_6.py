"""train-halls-6 only: its files rebuild from the hand-written source, and its own validator passes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-6"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"train_halls_6_{name}", FOLDER / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_rebuild_from_source_gives_the_committed_files() -> None:
    build = _module("build")
    blocks = build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    items = [build.build_one(b) for b in blocks]
    labels = [{"id": b["head"][0], **b["label"]} for b in blocks]
    with open(FOLDER / "interactions.jsonl", encoding="utf-8") as fh:
        committed = [json.loads(line) for line in fh if line.strip()]
    assert items == committed
    assert labels == json.loads((FOLDER / "labels.json").read_text(encoding="utf-8"))


def test_own_validator_passes() -> None:
    assert _module("validate").validate(FOLDER) == []
