"""blind-halls-16: the committed files are a rebuild of source.txt, and they pass the set's own validator."""

from __future__ import annotations

from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-16"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_exactly_a_rebuild_of_source():
    build = _load("build")
    blocks = build.parse((DATA / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"b16-{n:04d}" for n in range(1, 41)]
    jsonl, labels = build.render(blocks)
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (DATA / "labels.json").read_text(encoding="utf-8") == labels


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions, labels = validate.load(DATA)
    assert validate.check(interactions, labels) == []
