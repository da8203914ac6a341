"""paraphrases-3: the committed corpus passes its own validator and is exactly the numbering of source.txt."""
import pathlib

from test_hall_sets import set_script

SET = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "paraphrases-3"


def _script(name: str):
    return set_script(SET, name)


def test_validator_finds_no_problem():
    validate = _script("validate")
    assert validate.check(validate.load(SET / "utterances.jsonl")) == []


def test_utterances_are_the_numbered_source():
    convert = _script("convert")
    items = convert.parse((SET / "source.txt").read_text(encoding="utf-8"))
    assert (SET / "utterances.jsonl").read_text(encoding="utf-8") == convert.render(items)
