"""paraphrases-3: the committed corpus passes its own validator and is exactly the numbering of source.txt."""
import importlib.util
import pathlib

SET = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "paraphrases-3"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(f"paraphrases_3_{name}", SET / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validator_finds_no_problem():
    validate = _script("validate")
    assert validate.check(validate.load(SET / "utterances.jsonl")) == []


def test_utterances_are_the_numbered_source():
    convert = _script("convert")
    items = convert.parse((SET / "source.txt").read_text(encoding="utf-8"))
    assert (SET / "utterances.jsonl").read_text(encoding="utf-8") == convert.render(items)
