"""train-halls-31: the committed files are a rebuild of source.txt, and they pass the set's validator."""
import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-31"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_31_{name}", SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labs = [], []
    for block in build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8")):
        rec, lab = build.build_one(block)
        recs.append(rec)
        labs.append(lab)
    jsonl, labels = build.dump(recs, labs)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == labels
    assert len(recs) == 50


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs = [json.loads(line) for line in
            (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labs = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(recs, labs) == []
