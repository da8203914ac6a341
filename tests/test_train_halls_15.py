"""train-halls-15: the committed files are a rebuild of source.txt, and they pass the set's own validator."""

from __future__ import annotations

from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-15"


def _load(name: str):
    return set_script(DATA, name)


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
