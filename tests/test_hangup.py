"""Forced hang-up (Article 7) on phone calls."""

from __future__ import annotations

import pytest

from analyzer.options import AcousticOptions, MatchOptions
from analyzer.rules.hangup import hangup_findings, is_question
from analyzer.text.lexicon import load_lexicon
from analyzer.text.match import find_phrases
from analyzer.types import Interaction, Utterance


def _findings(rows, channel="phone", duration=None):
    lex = load_lexicon()
    utts = [Utterance(s, a, b, t) for s, a, b, t in rows]
    call = Interaction("h", channel, utts, duration=duration)
    hits = find_phrases(utts, lex, MatchOptions())
    return hangup_findings(call, hits, lex, AcousticOptions())


OPENING = [("staff", 0.0, 3.0, "您好，这里是市政务服务中心"), ("citizen", 3.5, 6.0, "我想办营业执照")]


@pytest.mark.parametrize(
    "text",
    ["营业执照要带什么材料？", "那个要多少钱", "周六能不能办", "在哪里办理", "这样可以吗", "你们几点下班",
     "請問怎麼預約"],
)
def test_questions_are_recognised(text):
    assert is_question(text)


@pytest.mark.parametrize("text", ["好的，我知道了", "我想办营业执照", "谢谢你"])
def test_statements_are_not_questions(text):
    assert not is_question(text)


def test_call_ended_while_the_citizen_was_speaking():
    rows = [*OPENING, ("staff", 6.5, 8.0, "带身份证来"), ("citizen", 8.5, 12.0, "可是我上次来的时候你们说")]
    (f,) = _findings(rows, duration=12.1)
    assert f.rule == "A7-HANGUP" and f.kind == "hangup" and f.article == 7
    assert (f.start, f.end) == (8.5, 12.1)
    assert f.detail["reason"] == "citizen_speaking"
    assert "可是我上次来的时候你们说" in f.evidence
    assert f.points == load_lexicon().get("A7-HANGUP").points


def test_call_ended_right_after_an_unanswered_question():
    rows = [*OPENING, ("staff", 6.5, 8.0, "带身份证来"), ("citizen", 8.5, 10.0, "还要带什么材料？")]
    (f,) = _findings(rows, duration=11.5)
    assert f.detail["reason"] == "after_question"
    assert f.detail["gap_seconds"] == pytest.approx(1.5)
    # Typed transcripts without a duration: the last utterance's end is the end.
    (g,) = _findings(rows)
    assert g.detail["reason"] == "after_question"


def test_staff_farewell_or_citizen_leave_taking_is_no_hang_up():
    farewell = [*OPENING, ("staff", 6.5, 9.0, "好的，请您慢走，再见"), ("citizen", 9.2, 10.0, "那个还要什么")]
    assert _findings(farewell, duration=10.1) == []
    leaving = [*OPENING, ("staff", 6.5, 8.0, "带身份证来"), ("citizen", 8.5, 10.0, "好的谢谢")]
    assert _findings(leaving, duration=10.1) == []


def test_answered_question_or_long_pause_or_counter_is_no_hang_up():
    answered = [*OPENING, ("citizen", 8.5, 10.0, "要带什么？"), ("staff", 10.5, 12.0, "带身份证")]
    assert _findings(answered, duration=20.0) == []
    pause = [*OPENING, ("staff", 6.5, 8.0, "带身份证来"), ("citizen", 8.5, 10.0, "要带什么？")]
    assert _findings(pause, duration=30.0) == []
    assert _findings(pause, channel="counter", duration=10.5) == []
