"""blind-halls-26: the committed files rebuild from source.txt and pass the set's validator."""
import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "blind-halls-26"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"blind_halls_26_{name}", SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    recs, labels = zip(*(build.build_one(b) for b in blocks))
    jl, lj = build.dumps(list(recs), list(labels))
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == lj
    assert len(recs) == 40


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs = [json.loads(line) for line in
            (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(recs, labels) == []
