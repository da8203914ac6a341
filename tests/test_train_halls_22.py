"""train-halls-22: the committed files are a rebuild of source.txt, and they pass the set's validator."""
import importlib.util
import sys
import json
from pathlib import Path

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-22"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"train_halls_22_{name}", SET_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def _committed():
    recs = [json.loads(x) for x in (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labs = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    return recs, labs


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(b) for b in blocks]
    recs, labs = _committed()
    assert [p[0] for p in pairs] == recs
    assert [p[1] for p in pairs] == labs


def test_validator_finds_no_problem():
    validate = _load("validate")
    recs, labs = _committed()
    assert validate.check(recs, labs) == []
    assert len(recs) == 50
