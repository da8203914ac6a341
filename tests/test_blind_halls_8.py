"""blind-halls-8 alone: its files are exactly what build.py makes of the hand-written source,
and its own validator passes (the shared format checks live in test_hall_sets.py)."""

from __future__ import annotations

from pathlib import Path

from test_hall_sets import set_script

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-8"


def test_files_rebuild_from_the_hand_written_source() -> None:
    jsonl, labels, count = set_script(FOLDER, "build").render()
    assert count == 40
    assert (FOLDER / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (FOLDER / "labels.json").read_text(encoding="utf-8") == labels


def test_own_validator_finds_no_error() -> None:
    assert set_script(FOLDER, "validate").check() == []
