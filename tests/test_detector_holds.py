"""What the phrase detector doubts is held for review, not deducted (issue 25, item 2).

An owed phrase the verifier heard only with low probability: "missing", held.

The acoustic verifier tries a window's owed phrases (greeting, evaluation) in
its staff pieces; a wording it rated but did not accept may still have been
said. :func:`analyzer.pipeline.scoring.hold_maybe_said` holds such a
"missing" finding for review (no deduction) when the detector's probability
is at least ``verify.missing_review_probability``.

A forbidden phrase the text matched only loosely (sound-alike) passes the same
detector as one heard from the audio: where the verifier rated that rule over
the same stretch below ``verify.review_probability``, the finding is held
(:func:`analyzer.pipeline.scoring.detection_probability`).
"""

from __future__ import annotations

import pytest

from analyzer.options import AnalyzerOptions
from analyzer.pipeline import analyze_interaction
from analyzer.types import Heard, Interaction, InteractionReport, Utterance, Word

EVALUATE = "A10-G-EVALUATE"
PHRASE = "请您为我的服务做出评价,谢谢"


def _utt(start: float, text: str, heard: tuple[Heard, ...] = (), speaker: str = "staff"
         ) -> Utterance:
    step = 0.25
    words = tuple(Word(c, start + i * step, start + (i + 1) * step, 0.9)
                  for i, c in enumerate(text))
    return Utterance(speaker, start, start + step * len(text), text, words, 0.9, heard=heard)


def _tried(confidence: float, reason: str = "probability") -> Heard:
    """The evaluation request tried on a garbled last piece and not accepted."""
    return Heard(rule="A10-R-01", phrase=PHRASE, start=20.0, end=23.0,
                 evidence="前面慢做栽减", margin=-2.0, confidence=confidence,
                 phrase_score=-20.0, hypothesis_score=-8.0, source="owed", similarity=0.5,
                 text_similarity=0.2, word_confidence=0.4, accepted=False, reason=reason)


def _report(heard: tuple[Heard, ...], options: AnalyzerOptions | None = None
            ) -> InteractionReport:
    utts = [_utt(0.5, "您好请问要办理什么业务"), _utt(4.0, "我想办理社保卡", speaker="citizen"),
            _utt(6.0, "请您出示一下身份证"), _utt(10.0, "好的谢谢", speaker="citizen"),
            _utt(20.0, "前面慢做栽减", heard)]
    return analyze_interaction(Interaction("v", "counter", utts, duration=24.0), options)


def _evaluate(report: InteractionReport):
    found = [f for f in report.findings if f.kind == "missing" and f.rule == EVALUATE]
    assert len(found) == 1, [f.rule for f in report.findings]
    return found[0]


def test_an_owed_phrase_nobody_tried_is_missing_and_deducts():
    f = _evaluate(_report(()))
    assert not f.review and f.points > 0


@pytest.mark.parametrize("confidence", [0.06, 0.3, 0.79])
def test_an_owed_phrase_heard_with_some_probability_is_missing_but_held(confidence):
    f = _evaluate(_report((_tried(confidence),)))
    assert f.review == "detector"
    assert f.detail["probability"] == confidence and f.detail["heard"] == PHRASE
    assert f.detail["review_bar"] == AnalyzerOptions().verify.missing_review_probability
    plain = _evaluate(_report(()))
    report = _report((_tried(confidence),))
    assert report.score > _report(()).score  # held: no points taken
    assert f.points == 0 and f.detail["held_points"] == plain.points


def test_an_unlikely_or_unrated_owed_phrase_does_not_hold_the_finding():
    assert not _evaluate(_report((_tried(0.01),))).review
    assert not _evaluate(_report((_tried(0.5, reason="margin"),))).review


def test_the_bar_is_an_option():
    never = AnalyzerOptions().with_overrides({"verify.missing_review_probability": 1.0})
    assert not _evaluate(_report((_tried(0.5),), never)).review


LOOSE = "有排子自己看"  # 有牌子,自己看 (A8-F-02) as a sound-alike


def _loose(heard: tuple[Heard, ...]) -> list:
    utts = [_utt(0.5, "您好请问要办理什么业务"), _utt(4.0, "我想办理社保卡", speaker="citizen"),
            _utt(6.0, LOOSE, heard)]
    report = analyze_interaction(Interaction("v", "counter", utts, duration=12.0))
    return [f for f in report.findings if f.rule == "A8-F-02"]


def _rated(confidence: float, accepted: bool) -> Heard:
    return Heard(rule="A8-F-02", phrase="有牌子,自己看", start=6.0, end=7.5, evidence=LOOSE,
                 margin=-1.0, confidence=confidence, phrase_score=-12.0,
                 hypothesis_score=-6.0, similarity=0.9, text_similarity=0.83,
                 word_confidence=0.7, accepted=accepted,
                 reason="" if accepted else "probability")


def test_a_loose_text_match_the_detector_doubts_is_held():
    [plain] = _loose(())  # a typed transcript: nothing rated, the text match stands
    assert plain.detail["method"] == "pinyin" and not plain.review
    [doubted] = _loose((_rated(0.3, False),))
    assert doubted.review == "detector" and doubted.detail["probability"] == 0.3
    assert doubted.points == 0
    [sure] = _loose((_rated(0.97, True),))
    assert not sure.review and sure.points == plain.points > 0
