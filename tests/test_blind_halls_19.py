"""blind-halls-19: the committed files are a rebuild of source.txt, and they pass the set's validator."""

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-19"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"blind_halls_19_{name}", SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    interactions, labels = build.build_all(SET_DIR / "source.txt")
    jsonl, lab = build.render(interactions, labels)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == lab
    assert len(interactions) == 40


def test_validator_finds_no_problem():
    validate = _load("validate")
    with open(SET_DIR / "interactions.jsonl", encoding="utf-8") as fh:
        interactions = [json.loads(line) for line in fh if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
