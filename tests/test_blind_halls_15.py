"""blind-halls-15: the committed files are a rebuild of source.txt and pass their validator."""

import importlib.util
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-15"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"blind_halls_15_{name}", DATA / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"b15-{i:04d}" for i in range(1, 41)]
    jsonl, labels = build.render(blocks)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    rec, lab = build.build_one(blocks[0])
    assert rec == json.loads(jsonl.splitlines()[0])
    assert lab == json.loads(labels)[0]


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter, labels = validate.load(DATA)
    assert validate.check(inter, labels) == []
    assert len(inter) == 40
