"""What only blind-halls-6 has: the files rebuild from its hand-written source, and its validator passes."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-6"


def test_files_rebuild_from_source() -> None:
    build = set_script(FOLDER, "build")
    built = [
        build.build(item)
        for item in build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    ]
    with open(FOLDER / "interactions.jsonl", encoding="utf-8") as fh:
        interactions = [json.loads(line) for line in fh if line.strip()]
    labels = json.loads((FOLDER / "labels.json").read_text(encoding="utf-8"))
    assert [i for i, _ in built] == interactions
    assert [lab for _, lab in built] == labels


def test_validator_passes() -> None:
    assert set_script(FOLDER, "validate").check() == []
