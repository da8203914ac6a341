"""blind-halls-20: the committed files are a rebuild of source.txt, and they pass the set's validator."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-20"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"blind_halls_20_{name}", SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    text = (SET_DIR / "source.txt").read_text(encoding="utf-8")
    interactions, labels = build.build(text)
    assert len(build.parse(text)) == 40
    jsonl, labels_text = build.render(interactions, labels)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == labels_text


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions = [json.loads(line) for line in
                    (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
