"""train-halls-3 beyond the shared format checks (tests/test_hall_sets.py): its files rebuild."""

from __future__ import annotations

import importlib.util

from test_hall_sets import DATA, load


def test_files_rebuild_from_the_hand_written_source() -> None:
    folder = DATA / "train-halls-3"
    spec = importlib.util.spec_from_file_location("train3_build", folder / "build_times.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.parse(folder / "source.txt")
    assert [(inter, lab) for inter, lab in rebuilt] == load("train-halls-3")
