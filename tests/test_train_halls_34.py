"""train-halls-34: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-34"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"train_halls_34_{name}", SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labels = build.build_all((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = build.render(recs, labels)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == lab
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    assert [build.build_one(b) for b in blocks] == list(zip(recs, labels, strict=True))


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs = [
        json.loads(line)
        for line in (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert len(recs) == 50
    assert validate.check(recs, labels) == []
