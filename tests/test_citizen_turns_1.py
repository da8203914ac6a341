"""benchmarks/data/citizen-turns-1: the committed corpus passes its own validator."""
import importlib.util
import json
from pathlib import Path

SET_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "citizen-turns-1"


def _validate_module():
    spec = importlib.util.spec_from_file_location("citizen_turns_1_validate", SET_DIR / "validate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_validate_finds_no_problem():
    mod = _validate_module()
    assert mod.check_file(SET_DIR / "utterances.jsonl") == []


def test_ids_consecutive():
    lines = (SET_DIR / "utterances.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == [f"ct1-{i:04d}" for i in range(1, len(ids) + 1)]
