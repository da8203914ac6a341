"""train-halls-30: the committed files are a rebuild of source.txt and pass the set's validator."""
import importlib.util
import json
import sys
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-30"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_30_{name}", SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up here
    spec.loader.exec_module(mod)
    return mod


def _committed():
    inter = [json.loads(line) for line in (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    return inter, labels


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    inter, labels = _committed()
    assert [p[0] for p in pairs] == inter
    assert [p[1] for p in pairs] == labels
    jsonl = "".join(json.dumps(p[0], ensure_ascii=False) + "\n" for p in pairs)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter, labels = _committed()
    assert validate.check(inter, labels) == []
