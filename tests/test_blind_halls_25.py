"""blind-halls-25: the committed files are a rebuild of source.txt, and the set passes its own validator."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-25"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"blind_halls_25_{name}", SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    assert len(blocks) == 40
    jsonl, labels = build.render(blocks)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == labels
    rec, lab = build.build_one(blocks[0])
    assert rec["id"] == lab["id"] == "b25-0001"


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions = [json.loads(line) for line in
                    (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert len(interactions) == len(labels) == 40
    assert validate.check(interactions, labels) == []
