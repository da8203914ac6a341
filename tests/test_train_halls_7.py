"""train-halls-7 alone: its files are exactly what build.py makes of the hand-written source.txt,
and its own validator (format, quotes, labelling rules) finds nothing wrong."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-7"


def test_files_rebuild_from_the_hand_written_source() -> None:
    build = set_script(FOLDER, "build")
    built = [build.build(item) for item in build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))]
    lines = (FOLDER / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [inter for inter, _ in built]
    assert json.loads((FOLDER / "labels.json").read_text(encoding="utf-8")) == [lab for _, lab in built]


def test_own_validator_finds_no_error() -> None:
    assert set_script(FOLDER, "validate").check() == []
