"""citizen-turns-2: the committed corpus passes its own validator, and its ids run consecutively."""
import json
from pathlib import Path

from test_hall_sets import set_script

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "citizen-turns-2"


def _validate():
    return set_script(FOLDER, "validate")


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
