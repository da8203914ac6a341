"""The phrase detector: its features, its model file, and its training on a corpus."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from analyzer.errors import ModelError
from analyzer.options import AnalyzerOptions
from analyzer.pipeline import get_lexicon
from analyzer.speech.detector import (
    FEATURES,
    NO_RIVAL_LEAD,
    PhraseDetector,
    bundled_detector,
    heard_features,
    text_similarity,
)
from analyzer.training import detector as train
from analyzer.types import Heard


@pytest.fixture(scope="module")
def lexicon():
    return get_lexicon(AnalyzerOptions())


def _heard(margin: float, start: float, **kw) -> Heard:
    base = dict(rule="A10-F-02", phrase="你的记性真差", start=start, end=start + 1.5,
                evidence="你的激性遵查", margin=margin, confidence=0.5, phrase_score=-9.0,
                hypothesis_score=-9.0 - 6 * margin, similarity=0.5, text_similarity=0.5,
                word_confidence=0.6)
    return Heard(**{**base, **kw})


def test_features_come_from_the_heard_item_alone():
    h = _heard(-1.0, 0.0, competitor="请您慢走", competitor_margin=-3.5, source="nbest")
    f = heard_features(h, forbidden=True)
    assert list(f) == list(FEATURES)
    assert f["lead"] == pytest.approx(2.5) and f["chars"] == 6 and f["nbest"] == 1.0
    assert heard_features(_heard(-1.0, 0.0), forbidden=False)["lead"] == NO_RIVAL_LEAD


def test_text_similarity_is_one_minus_the_relative_edit_distance():
    assert text_similarity("没看我就忙着吗", "没看我正忙着吗") == pytest.approx(1 - 1 / 7)
    assert text_similarity("你的记性真差", "你的记性真差") == 1.0
    assert text_similarity("", "你的记性真差") == 0.0


def test_the_bundled_model_reads_and_rises_with_the_margin():
    model = bundled_detector()
    low, high = (model.probability(heard_features(_heard(m, 0.0), forbidden=True))
                 for m in (-5.0, 0.0))
    assert 0.0 <= low < high <= 1.0


def test_a_model_file_with_other_features_is_refused():
    bad = {**bundled_detector().to_dict(), "features": ["margin"]}
    with pytest.raises(ModelError, match="features"):
        PhraseDetector.from_dict(bad)
    pooled = {k: v for k, v in bundled_detector().to_dict().items() if k != "required"}
    with pytest.raises(ModelError, match="regression"):
        PhraseDetector.from_dict(pooled)


def _corpus(path: Path, lexicon, takes=("a/1.0", "b/1.1")) -> Path:
    """Visits where the clerk said 你的记性真差 in one turn and not in another; the said
    stretches score near 0, the unsaid ones far below, with noise."""
    rng = random.Random(5)
    with path.open("w", encoding="utf-8") as fh:
        for take in takes:
            for k in range(30):
                said_at, other_at = 1.0, 10.0
                heard = [_heard(rng.gauss(-0.8, 0.6), said_at).to_dict(),
                         _heard(rng.gauss(-4.0, 0.8), other_at).to_dict()]
                report = {"transcript": [{"speaker": "staff", "start": 0.0, "end": 12.0,
                                          "text": "x", "heard": heard}]}
                turns = [[0.5, 3.0, "staff", "好的，你的记性真差。"],
                         [9.5, 12.0, "staff", "这个我看一下，就这样。"]]
                fh.write(json.dumps({"id": f"{take}-{k}", "take": take.split("/"),
                                     "condition": ("clean", "phone")[k % 2], "turns": turns,
                                     "report": report}, ensure_ascii=False) + "\n")
    return path


def test_a_tried_phrase_is_said_where_a_turn_overlapping_it_says_the_rule(tmp_path, lexicon):
    rows = list(train.rows(_corpus(tmp_path / "c.jsonl", lexicon), lexicon))
    said = {r.x[0] > -2.4 for r in rows if r.said}
    assert len(rows) == 120 and sum(r.said for r in rows) == 60 and said == {True}
    assert train.said_in("我们五点下班，您明天上午来也行。", lexicon).isdisjoint({"A9-F-01"})


def test_training_cross_validates_by_take_and_chooses_the_bars_on_held_out_rows(tmp_path,
                                                                              lexicon):
    data = list(train.rows(_corpus(tmp_path / "c.jsonl", lexicon), lexicon))
    held = train.cross_validate(data)
    y = __import__("numpy").array([r.said for r in data])
    assert train.auc(held, y) > 0.95
    accept, review = train.choose_bars(held, y)
    assert 0.0 < accept <= review < 1.0
    precision, _ = train.precision_recall(held, y, accept)
    assert precision >= train.ACCEPT_PRECISION
    model = train.fit(data)
    back = PhraseDetector.from_dict(json.loads(json.dumps(model.to_dict())))
    assert back == model


def test_nested_bars_are_chosen_without_the_take_they_judge(tmp_path, lexicon):
    takes = ("a/1.0", "b/1.1", "c/0.9")
    data = list(train.rows(_corpus(tmp_path / "c.jsonl", lexicon, takes), lexicon))
    bars = train.nested_bars(data)
    assert sorted(bars) == sorted(takes)
    for take, (accept, review) in bars.items():
        inner = [r for r in data if r.take != take]
        y = __import__("numpy").array([r.said for r in inner])
        assert (accept, review) == train.choose_bars(train.cross_validate(inner), y)
    # two takes leave one take inside: no inner cross-validation, no nested bars
    assert train.nested_bars([r for r in data if r.take != "c/0.9"]) == {}


def test_a_phone_visit_heard_float32_is_a_condition_of_its_own(tmp_path, lexicon):
    """The same phone audio heard int8 and float32 (``asr.phone_compute_type``, the
    ``hearing`` a corpus records) gives rows of two conditions, one take: trained on both,
    still judged by take; corpora without ``hearing`` were heard int8."""
    path = _corpus(tmp_path / "c.jsonl", lexicon)
    lines = path.read_text(encoding="utf-8").splitlines()
    again = [{**json.loads(line), "hearing": "float32"} for line in lines
             if json.loads(line)["condition"] == "phone"]
    path.write_text("\n".join([*lines, *(json.dumps(v) for v in again)]) + "\n",
                    encoding="utf-8")
    data = list(train.rows(path, lexicon))
    assert {r.condition for r in data} == {"clean", "phone", "phone float32"}
    assert sum(r.condition == "phone" for r in data) == sum(
        r.condition == "phone float32" for r in data) == 60
    assert train.condition_heard({"condition": "phone", "hearing": "int8_float32"}) == "phone"
    assert sorted(train.nested_bars(data)) == [] and train.auc(
        train.cross_validate(data), __import__("numpy").array([r.said for r in data])) > 0.95


def _two_kinds(path: Path) -> Path:
    """Visits where a forbidden phrase said scores near 0 and one not said far below, while
    an owed phrase said (garbled) scores far below and one not said near 0: the two kinds
    read the margin oppositely."""
    rng = random.Random(7)
    owed = dict(rule="A7-R-04", phrase="请您稍等一下", evidence="请您稍等一下")
    with path.open("w", encoding="utf-8") as fh:
        for take in ("a/1.0", "b/1.1"):
            for k in range(30):
                heard = [_heard(rng.gauss(-0.8, 0.5), 1.0).to_dict(),
                         _heard(rng.gauss(-4.0, 0.5), 10.0).to_dict(),
                         _heard(rng.gauss(-4.0, 0.5), 20.0, **owed).to_dict(),
                         _heard(rng.gauss(-0.8, 0.5), 30.0, **owed).to_dict()]
                report = {"transcript": [{"speaker": "staff", "start": 0.0, "end": 32.0,
                                          "text": "x", "heard": heard}]}
                turns = [[0.5, 3.0, "staff", "好的，你的记性真差。"],
                         [9.5, 12.0, "staff", "这个我看一下，就这样。"],
                         [19.5, 22.0, "staff", "请您稍等一下。"],
                         [29.5, 32.0, "staff", "这个我看一下，就这样。"]]
                fh.write(json.dumps({"id": f"{take}-{k}", "take": take.split("/"),
                                     "condition": "clean", "turns": turns,
                                     "report": report}, ensure_ascii=False) + "\n")
    return path


def test_a_visit_heard_in_short_windows_is_a_condition_of_its_own():
    """``pack.min_window_seconds`` under 30 is recorded in a corpus's ``hearing``
    (``benchmarks/verify.py``) and read back as a condition of its own, with or
    without float32 phone lines; int8 with full windows stays the plain condition."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import verify

    full = AnalyzerOptions()
    short = full.with_overrides({"pack.min_window_seconds": 10})
    both = short.with_overrides({"asr.phone_compute_type": "float32"})
    heard = {name: {"condition": "phone", "hearing": verify.hearing(o, "phone")}
             for name, o in (("full", full.with_overrides({"pack.min_window_seconds": 30})),
                             ("short", short), ("both", both))}
    assert {k: train.condition_heard(v) for k, v in heard.items()} == {
        "full": "phone", "short": "phone w10", "both": "phone float32 w10"}
    assert train.condition_heard({"condition": "clean", "hearing": "int8_float32 w15"}) \
        == "clean w15"


def test_each_kind_of_rule_gets_its_own_regression(tmp_path, lexicon):
    """A polite near-miss of a forbidden phrase must not borrow what an owed phrase's
    evidence means: the trainer fits forbidden and owed phrases apart."""
    data = list(train.rows(_two_kinds(tmp_path / "k.jsonl"), lexicon))
    assert {(r.forbidden, r.said) for r in data} == {(True, True), (True, False),
                                                     (False, True), (False, False)}
    model = train.fit(data)
    forbidden_near, forbidden_far = (heard_features(_heard(m, 0.0), forbidden=True)
                                     for m in (-0.8, -4.0))
    owed_near, owed_far = (heard_features(_heard(m, 0.0, rule="A7-R-04", phrase="请您稍等一下"),
                                          forbidden=False) for m in (-0.8, -4.0))
    assert model.probability(forbidden_near) > 0.9 > 0.1 > model.probability(forbidden_far)
    assert model.probability(owed_far) > 0.9 > 0.1 > model.probability(owed_near)
    assert model.forbidden != model.required
