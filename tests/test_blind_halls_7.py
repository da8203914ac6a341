"""blind-halls-7's own check: its files are exactly the rebuild of its hand-written source."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-7"


def _build_module():
    spec = importlib.util.spec_from_file_location("blind_halls_7_build", FOLDER / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_files_rebuild_from_source() -> None:
    build = _build_module()
    blocks = build.parse((FOLDER / "source.txt").read_text(encoding="utf-8"))
    lines = (FOLDER / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == [build.timed(b) for b in blocks]
    labels = json.loads((FOLDER / "labels.json").read_text(encoding="utf-8"))
    assert labels == [build.label(b) for b in blocks]


def test_validator_passes(capsys) -> None:
    spec = importlib.util.spec_from_file_location("blind_halls_7_validate", FOLDER / "validate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main() == 0, capsys.readouterr().out
