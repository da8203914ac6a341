"""train-halls-16: the committed files are a rebuild of source.txt, and they pass the set's validator."""

import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-16"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_16_{name}", SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up here
    spec.loader.exec_module(mod)
    return mod


def _committed():
    with open(SET_DIR / "interactions.jsonl", encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    with open(SET_DIR / "labels.json", encoding="utf-8") as f:
        labels = json.load(f)
    return recs, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    rebuilt = [build.build_one(b) for b in blocks]
    recs, labels = _committed()
    assert [r for r, _ in rebuilt] == recs
    assert [lab for _, lab in rebuilt] == labels
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r, _ in rebuilt)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs, labels = _committed()
    assert validate.check(recs, labels) == []
    assert len(recs) == 50
