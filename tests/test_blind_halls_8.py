"""blind-halls-8 alone: its files are exactly what build.py makes of the hand-written source,
and its own validator passes (the shared format checks live in test_hall_sets.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-8"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"blind_halls_8_{name}", FOLDER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_files_rebuild_from_the_hand_written_source() -> None:
    jsonl, labels, count = _module("build").render()
    assert count == 40
    assert (FOLDER / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (FOLDER / "labels.json").read_text(encoding="utf-8") == labels


def test_own_validator_finds_no_error() -> None:
    assert _module("validate").check() == []
