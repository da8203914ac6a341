"""train-halls-13: the committed files are a rebuild of source.txt, and the validator finds no problem."""
import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-13"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_13_{name}", SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    inter, labels = build.build((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    jl, lj = build.render(inter, labels)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == lj
    assert len(build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))) == 50


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter = [json.loads(x) for x in (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(inter, labels) == []
    assert len(inter) == 50
