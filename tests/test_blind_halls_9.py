"""blind-halls-9 alone: its files are a rebuild of its hand-written source and pass its validator."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-9"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"blind_halls_9_{name}", FOLDER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _files() -> tuple[list[dict], list[dict]]:
    with open(FOLDER / "interactions.jsonl", encoding="utf-8") as fh:
        inters = [json.loads(line) for line in fh if line.strip()]
    with open(FOLDER / "labels.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    return inters, labels


def test_files_are_the_rebuild_of_the_source() -> None:
    build = _module("build")
    blocks = build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(block) for block in blocks]
    inters, labels = _files()
    assert [p[0] for p in pairs] == inters
    assert [p[1] for p in pairs] == labels


def test_validator_finds_no_problem() -> None:
    inters, labels = _files()
    assert _module("validate").check(inters, labels) == []
