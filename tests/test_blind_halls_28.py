"""blind-halls-28: the committed files are a rebuild of source.txt, and the validator finds no problem."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "blind-halls-28"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"blind_halls_28_{name}", SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = mod  # dataclasses look their module up here
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labs = build.build((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = build.render(recs, labs)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    assert [build.build_one(b) for b in blocks] == list(zip(recs, labs))


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions = [json.loads(line) for line in
                    (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert len(interactions) == 40
    assert validate.check(interactions, labels) == []
