"""train-halls-9: the committed files are a rebuild of source.txt, and they pass their validator."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-9"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"train_halls_9_{name}", SET_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    recs = [p[0] for p in pairs]
    labels = [p[1] for p in pairs]
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == build.dump_interactions(recs)
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == build.dump_labels(labels)
    assert len(recs) == 50


def test_validator_finds_no_problem():
    validate = _load("validate")
    with open(SET_DIR / "interactions.jsonl", encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(recs, labels) == []
