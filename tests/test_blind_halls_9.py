"""blind-halls-9 alone: its files are a rebuild of its hand-written source and pass its validator."""

from __future__ import annotations

from pathlib import Path

from test_hall_sets import load, set_script

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-9"


def _files() -> tuple[list[dict], list[dict]]:
    pairs = load("blind-halls-9")
    return [rec for rec, _ in pairs], [lab for _, lab in pairs]


def test_files_are_the_rebuild_of_the_source() -> None:
    build = set_script(FOLDER, "build")
    blocks = build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    pairs = [build.build_one(block) for block in blocks]
    inters, labels = _files()
    assert [p[0] for p in pairs] == inters
    assert [p[1] for p in pairs] == labels


def test_validator_finds_no_problem() -> None:
    inters, labels = _files()
    assert set_script(FOLDER, "validate").check(inters, labels) == []
