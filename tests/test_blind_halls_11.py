"""blind-halls-11: the committed files are a rebuild of source.txt and pass the set's validator."""
import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-11"


def _script(name):
    spec = importlib.util.spec_from_file_location(f"blind_halls_11_{name}", SET_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_a_rebuild_of_source():
    build = _script("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"b11-{i:04d}" for i in range(1, 41)]
    interactions, labels = build.build_all((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = build.render(interactions, labels)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == lab
    assert build.build_one(blocks[0]) == (interactions[0], labels[0])


def test_validator_finds_no_problem():
    validate = _script("validate")
    lines = (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    interactions = [json.loads(line) for line in lines if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
    assert len(interactions) == 40
    assert sum(r["channel"] == "phone" for r in interactions) == 6
    assert 380 <= sum(len(r["utterances"]) for r in interactions) <= 480
