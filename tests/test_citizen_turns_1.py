"""benchmarks/data/citizen-turns-1: the committed corpus passes its own validator."""
import json
from pathlib import Path

from test_hall_sets import set_script

SET_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "citizen-turns-1"


def _validate_module():
    return set_script(SET_DIR, "validate")


def test_validate_finds_no_problem():
    mod = _validate_module()
    assert mod.check_file(SET_DIR / "utterances.jsonl") == []


def test_ids_consecutive():
    lines = (SET_DIR / "utterances.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == [f"ct1-{i:04d}" for i in range(1, len(ids) + 1)]
