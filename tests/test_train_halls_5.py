"""train-halls-5's own checks: the files rebuild byte for byte from the hand-written source, and its validator passes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-5"


def _build_module():
    spec = importlib.util.spec_from_file_location("train_halls_5_build", FOLDER / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_rebuild_from_source_matches_committed_files() -> None:
    mod = _build_module()
    inters, labels = mod.build(mod.parse((FOLDER / "source.txt").read_text(encoding="utf-8")))
    with open(FOLDER / "interactions.jsonl", encoding="utf-8") as fh:
        assert [json.loads(line) for line in fh] == inters
    assert json.loads((FOLDER / "labels.json").read_text(encoding="utf-8")) == labels


def test_validator_passes() -> None:
    run = subprocess.run(
        [sys.executable, str(FOLDER / "validate.py")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
