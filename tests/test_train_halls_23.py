"""train-halls-23: the committed files are a rebuild of source.txt, and the validator finds no problem."""
import importlib.util
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-23"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_23_{name}", DATA / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _committed():
    inter = [json.loads(l) for l in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    return inter, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    pairs = [build.build_one(b) for b in build.parse((DATA / "source.txt").read_text(encoding="utf-8"))]
    inter, labels = _committed()
    assert inter == [p[0] for p in pairs]
    assert labels == [p[1] for p in pairs]


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter, labels = _committed()
    assert validate.check(inter, labels) == []
