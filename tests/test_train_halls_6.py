"""train-halls-6 only: its files rebuild from the hand-written source, and its own validator passes."""

from __future__ import annotations

import json
from pathlib import Path

from test_hall_sets import set_script

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-6"


def test_rebuild_from_source_gives_the_committed_files() -> None:
    build = set_script(FOLDER, "build")
    blocks = build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    items = [build.build_one(b) for b in blocks]
    labels = [{"id": b["head"][0], **b["label"]} for b in blocks]
    with open(FOLDER / "interactions.jsonl", encoding="utf-8") as fh:
        committed = [json.loads(line) for line in fh if line.strip()]
    assert items == committed
    assert labels == json.loads((FOLDER / "labels.json").read_text(encoding="utf-8"))


def test_own_validator_passes() -> None:
    assert set_script(FOLDER, "validate").validate(FOLDER) == []
