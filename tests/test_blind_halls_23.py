"""blind-halls-23: the committed files are a rebuild of source.txt and pass the set's validator."""
import importlib.util
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-23"


def _load(name):
    modname = f"_blind_halls_23_{name}"
    spec = importlib.util.spec_from_file_location(modname, DATA / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod


def _committed():
    inter_text = (DATA / "interactions.jsonl").read_text(encoding="utf-8")
    labels_text = (DATA / "labels.json").read_text(encoding="utf-8")
    return inter_text, labels_text


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    recs, labels = [], []
    for block in build.parse((DATA / "source.txt").read_text(encoding="utf-8")):
        rec, lab = build.build_one(block)
        recs.append(rec)
        labels.append(lab)
    inter_text, labels_text = _committed()
    assert [json.loads(x) for x in inter_text.splitlines() if x.strip()] == recs
    assert json.loads(labels_text) == labels
    assert build.render(recs, labels) == (inter_text, labels_text)
    assert len(recs) == 40


def test_validator_finds_no_problem():
    validate = _load("validate")
    inter_text, labels_text = _committed()
    interactions = [json.loads(x) for x in inter_text.splitlines() if x.strip()]
    labels = json.loads(labels_text)
    assert validate.check(interactions, labels) == []
