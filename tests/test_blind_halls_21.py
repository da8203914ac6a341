"""blind-halls-21: the committed files are a rebuild of source.txt, and they pass the set's own validator."""
import importlib.util
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-21"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"blind_halls_21_{name}", DATA / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look the module up while the class is built
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    text = (DATA / "source.txt").read_text(encoding="utf-8")
    blocks = build.parse(text)
    assert len(blocks) == 40
    recs, labels = zip(*(build.build_one(b) for b in blocks))
    jsonl, lab = build.render(list(recs), list(labels))
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == lab


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions = [json.loads(x) for x in (DATA / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
