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


# ---------------------------------------------- typed transcripts: the clerk ends it on the caller
# Our own wording (not taken from any evaluation set): the clerk's closing words are the
# last staff words, and the caller was still talking, broke off, or is left calling.
ASKING = ("citizen", 6.5, 11.0, "还有个事想问，我爸的养老金这两个月都没进卡，银行那边说要找社保")


def test_closing_over_the_callers_words_is_a_forced_hang_up():
    rows = [*OPENING, ASKING, ("staff", 9.0, 10.5, "行了行了，手头忙着呢，挂了")]
    (f,) = _findings(rows)
    assert f.rule == "A7-HANGUP" and f.detail["reason"] == "talked_over"
    assert f.detail["staff_text"] == "行了行了，手头忙着呢，挂了"
    assert "养老金" in f.evidence


def test_closing_as_the_callers_words_break_off_is_a_forced_hang_up():
    rows = [*OPENING, ("citizen", 6.5, 9.0, "那我周六过去的话，窗口是不是——"),
            ("staff", 9.2, 10.5, "不聊了，就这样")]
    (f,) = _findings(rows)
    assert f.detail["reason"] == "cut_off"
    # a farewell in the closing words does not excuse it
    polite = [*rows[:-1], ("staff", 9.2, 10.5, "好了不说了，再见")]
    assert [g.detail["reason"] for g in _findings(polite)] == ["cut_off"]


def test_a_caller_left_calling_into_the_line_is_a_forced_hang_up():
    rows = [*OPENING, ("citizen", 6.5, 9.0, "我是想问那个补贴什么时候发下来。"),
            ("staff", 9.3, 10.5, "我挂了啊"), ("citizen", 11.0, 12.0, "喂？喂？")]
    (f,) = _findings(rows)
    assert f.detail["reason"] == "left_calling"


def test_a_call_closed_after_the_caller_is_done_is_no_hang_up():
    leave = [*OPENING, ("citizen", 6.5, 8.5, "行，清楚了，谢谢啊，再见。"),
             ("staff", 8.8, 9.6, "好，就这样，再见")]
    assert _findings(leave) == []
    trailing = [*OPENING, ("citizen", 6.5, 8.5, "嗯……我再想想还有什么……"),
                ("staff", 8.8, 10.0, "您慢慢想，不着急"),
                ("citizen", 10.5, 12.0, "哦，复印件要几份？"), ("staff", 12.5, 13.5, "一份就行"),
                ("citizen", 14.0, 15.0, "好的谢谢")]
    assert _findings(trailing) == []
    went_on = [*OPENING, ("citizen", 6.5, 9.0, "我周六过去的话——"), ("staff", 9.2, 10.0, "先这样"),
               ("citizen", 10.5, 12.0, "好，那我周一去，窗口在几楼？"), ("staff", 12.5, 13.5, "三楼")]
    assert _findings(went_on) == []  # the conversation went on after the closing words


def test_sending_the_caller_off_the_line_over_his_words_is_a_forced_hang_up():
    """别打了 / 换个地方再打吧 as the clerk's last words end the call (session 13)."""
    rows = [*OPENING, ("citizen", 6.5, 9.5, "那我这个到底啥时候能批下来，你今天给我个准话，不然我……"),
            ("staff", 9.2, 10.8, "批下来自然会通知，别打了。")]
    (f,) = _findings(rows)
    assert f.rule == "A7-HANGUP" and "别打了" in f.detail["staff_text"]
    weak = [*OPENING, ("citizen", 6.5, 9.0, "喂？我这边……听不……"),
            ("staff", 9.2, 10.8, "听不清，你换个信号好的地方再打吧。"), ("citizen", 10.5, 12.0, "不是，你等一下，我走两步……")]
    assert _findings(weak)
    # said once the caller is done, the same words end nothing early
    done = [*OPENING, ("citizen", 6.5, 8.5, "好，那我过两天再问，谢谢。"), ("staff", 9.0, 10.0, "好的，到时候再打吧。")]
    assert _findings(done) == []
