"""train-halls-2 beyond the shared format checks (tests/test_hall_sets.py): rebuild and validator."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from test_hall_sets import DATA, load

SET = DATA / "train-halls-2"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"train_halls_2_{name}", SET / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_source_rebuilds_the_committed_files() -> None:
    build = _module("build")
    built = [build.build(item) for item in build.parse(SET / "source.txt")]
    pairs = load("train-halls-2")
    assert [inter for inter, _ in built] == [rec for rec, _ in pairs]
    assert [lab for _, lab in built] == [lab for _, lab in pairs]


def test_validator_passes() -> None:
    assert _module("validate").check() == []
