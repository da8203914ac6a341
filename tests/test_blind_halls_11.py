"""blind-halls-11: the committed files are a rebuild of source.txt and pass the set's validator."""
import json
from pathlib import Path

from test_hall_sets import set_script

SET_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-11"


def _script(name):
    return set_script(SET_DIR, name)


def test_committed_files_are_a_rebuild_of_source():
    build = _script("build")
    blocks = build.parse((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    assert [b.id for b in blocks] == [f"b11-{i:04d}" for i in range(1, 41)]
    interactions, labels = build.build_all((SET_DIR / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = build.render(interactions, labels)
    assert (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8") == jsonl
    assert (SET_DIR / "labels.json").read_text(encoding="utf-8") == lab
    assert build.build_one(blocks[0]) == (interactions[0], labels[0])


def test_validator_finds_no_problem():
    validate = _script("validate")
    lines = (SET_DIR / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    interactions = [json.loads(line) for line in lines if line.strip()]
    labels = json.loads((SET_DIR / "labels.json").read_text(encoding="utf-8"))
    assert validate.check(interactions, labels) == []
    assert len(interactions) == 40
    assert sum(r["channel"] == "phone" for r in interactions) == 6
    assert 380 <= sum(len(r["utterances"]) for r in interactions) <= 480
