"""train-halls-2 beyond the shared format checks (tests/test_hall_sets.py): rebuild and validator."""

from __future__ import annotations

from test_hall_sets import DATA, load, set_script

SET = DATA / "train-halls-2"


def test_source_rebuilds_the_committed_files() -> None:
    build = set_script(SET, "build")
    built = [build.build(item) for item in build.parse(SET / "source.txt")]
    pairs = load("train-halls-2")
    assert [inter for inter, _ in built] == [rec for rec, _ in pairs]
    assert [lab for _, lab in built] == [lab for _, lab in pairs]


def test_validator_passes() -> None:
    assert set_script(SET, "validate").check() == []
