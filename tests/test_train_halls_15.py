"""train-halls-15: the committed files are a rebuild of source.txt, and they pass the set's own validator."""

import importlib.util
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-15"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_15_{name}", DATA / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    jsonl, labels = build.render([p[0] for p in pairs], [p[1] for p in pairs])
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    assert len(blocks) == 50


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter, labels = validate.load(DATA)
    assert validate.check(inter, labels) == []
