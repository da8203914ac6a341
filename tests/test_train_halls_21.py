"""train-halls-21: the committed files are a rebuild of source.txt, and they pass the set's own validator."""
import importlib.util
import sys
import json
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-21"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_21_{name}", FOLDER / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    jl, lj = build.render([r for r, _ in pairs], [l for _, l in pairs])
    assert (FOLDER / "interactions.jsonl").read_text(encoding="utf-8") == jl
    assert (FOLDER / "labels.json").read_text(encoding="utf-8") == lj


def test_validator_finds_no_problem():
    validate = _load("validate")
    inters = [json.loads(l) for l in (FOLDER / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    labels = json.loads((FOLDER / "labels.json").read_text(encoding="utf-8"))
    assert len(inters) == 50
    assert validate.check(inters, labels) == []
