"""citizen-turns-2: the committed corpus passes its own validator, and its ids run consecutively."""
import importlib.util
import json
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "citizen-turns-2"


def _validate():
    spec = importlib.util.spec_from_file_location("citizen_turns_2_validate", FOLDER / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text():
    return (FOLDER / "utterances.jsonl").read_text(encoding="utf-8")


def test_validate_finds_no_problem():
    validate = _validate()
    records, problems = validate.parse(_text())
    assert problems == []
    assert validate.check(records) == []


def test_ids_consecutive():
    ids = [json.loads(line)["id"] for line in _text().splitlines()]
    assert ids == [f"ct2-{i:04d}" for i in range(1, len(ids) + 1)]
