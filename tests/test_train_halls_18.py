"""train-halls-18: the committed files are a rebuild of source.txt and pass the set's validator."""


from __future__ import annotations

from pathlib import Path

from test_hall_sets import set_script

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-18"


def _load(name: str):
    return set_script(DATA, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _load("build")
    interactions, labels = build.build_all((DATA / "source.txt").read_text(encoding="utf-8"))
    assert (DATA / "interactions.jsonl").read_text(encoding="utf-8") == build.dump_interactions(
        interactions
    )
    assert (DATA / "labels.json").read_text(encoding="utf-8") == build.dump_labels(labels)
    assert [r["id"] for r in interactions] == [f"t18-{i:04d}" for i in range(1, 51)]


def test_validator_finds_no_problem():
    validate = _load("validate")
    interactions, labels = validate.load(DATA)
    assert validate.check(interactions, labels) == []
