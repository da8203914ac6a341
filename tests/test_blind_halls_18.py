"""blind-halls-18: the committed files are a rebuild of source.txt, and the validator finds no problem."""
import importlib.util
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-18"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"blind_halls_18_{name}", DATA / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labs = build.build((DATA / "source.txt").read_text(encoding="utf-8"))
    inter, labels = build.render(recs, labs)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == inter
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert build.build_one(blocks[0]) == (recs[0], labs[0])


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(inter, labels) == []
