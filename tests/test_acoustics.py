"""Article 6/8 measures: shouting (audio), speech rate and ignoring (times)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from audio_factory import SR, phone_line, place, speech

from analyzer.options import AcousticOptions
from analyzer.rules.acoustics import loudness_findings, speech_chars, timing_findings
from analyzer.text.lexicon import load_lexicon
from analyzer.types import Interaction, Utterance

LINES = ["您好，请问您办理什么业务", "请您出示身份证", "请您稍等一下", "材料已经齐全了",
         "请您到三号窗口缴费", "请您慢走，再见"]


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def _staff_track(levels: list[float], who: str = "staff") -> tuple:
    """One utterance per level, 1 s apart; returns the track and the utterances."""
    clips, utts, t = [], [], 0.5
    for text, level in zip(LINES, levels, strict=False):
        clip = speech(text, dbfs=level, pitch=35)
        clips.append((t, clip))
        utts.append(Utterance(who, t, t + clip.size / SR, text))
        t += clip.size / SR + 1.0
    return place(clips, t + 0.5), utts


def test_a_shouted_utterance_is_flagged_with_its_measurements(lexicon):
    track, utts = _staff_track([-26, -25, -27, -8, -26, -26])
    found = loudness_findings(track, SR, utts, AcousticOptions(), lexicon)
    assert [f.rule for f in found] == ["A6-SHOUT"]
    f = found[0]
    assert (f.start, f.end) == (utts[3].start, utts[3].end)
    assert f.kind == "acoustic" and f.article == 6 and f.points == lexicon.get("A6-SHOUT").points
    # Active level (loudest half of the frames) sits a little above the RMS of the clip.
    assert -9 <= f.detail["level_dbfs"] <= -4
    assert 14 <= f.detail["over_median_db"] <= 19  # 18 dB louder before peak clipping
    assert f.detail["threshold_over_median_db"] == AcousticOptions().shout_over_median_db
    assert f.detail["threshold_dbfs"] == AcousticOptions().shout_min_dbfs
    assert f.detail["text"] == LINES[3]


def test_shouting_survives_the_phone_line(lexicon):
    track, utts = _staff_track([-24, -25, -6, -26, -24])
    found = loudness_findings(phone_line(track), SR, utts, AcousticOptions(), lexicon)
    assert [(f.start, f.rule) for f in found] == [(utts[2].start, "A6-SHOUT")]


@pytest.mark.parametrize(
    "levels",
    [
        [-8, -7, -8, -9, -8],  # loud throughout: that is the microphone, not a raised voice
        [-45, -44, -30, -46, -45],  # far above the median but below the absolute floor
        [-26, -25, -20, -26, -25],  # a little louder, not far above
    ],
)
def test_no_shout_without_both_conditions(levels, lexicon):
    track, utts = _staff_track(levels)
    assert loudness_findings(track, SR, utts, AcousticOptions(), lexicon) == []


def test_citizen_loudness_is_not_staff_shouting(lexicon):
    track, utts = _staff_track([-26, -25, -27, -8, -26], who="citizen")
    assert loudness_findings(track, SR, utts, AcousticOptions(), lexicon) == []


def _utts(*rows: tuple[str, float, float, str]) -> list[Utterance]:
    return [Utterance(s, a, b, t) for s, a, b, t in rows]


def test_speech_chars_count_spoken_characters_only():
    assert speech_chars("您好，请问！") == 4
    assert speech_chars("請問 ABC 123") == 8


@pytest.mark.parametrize(
    ("chars_per_utt", "expected"),
    [(60, "fast"), (20, None), (8, "slow")],  # 6 utterances x 5 s = 30 s of staff speech
)
def test_speech_rate_band(chars_per_utt, expected, lexicon):
    rows = [("staff", 10.0 * i, 10.0 * i + 5.0, "办" * chars_per_utt) for i in range(6)]
    found = timing_findings(Interaction("r", "counter", _utts(*rows)), AcousticOptions(), lexicon)
    rates = [f for f in found if f.rule == "A6-RATE"]
    if expected is None:
        assert rates == []
        return
    (f,) = rates
    assert f.detail["direction"] == expected
    assert f.detail["chars_per_minute"] == pytest.approx(chars_per_utt * 12, rel=0.01)
    assert (f.start, f.end) == (0.0, 55.0)


def test_speech_rate_needs_enough_speech(lexicon):
    rows = [("staff", 0.0, 5.0, "办" * 60)]
    found = timing_findings(Interaction("r", "counter", _utts(*rows)), AcousticOptions(), lexicon)
    assert [f for f in found if f.rule == "A6-RATE"] == []


def _ignore(rows, typed=False, **kw):
    """A8-IGNORE on a recording's utterances (a measured level), or on a typed transcript."""
    lex = load_lexicon()
    utts = [Utterance(s, a, b, t, level_dbfs=None if typed else -20.0) for s, a, b, t in rows]
    interaction = Interaction("i", "counter", utts, **kw)
    return [f for f in timing_findings(interaction, AcousticOptions(), lex) if f.rule == "A8-IGNORE"]


def test_a_typed_transcripts_silence_is_not_ignoring():
    """No audio: 40 s between the citizen's 好 and the clerk's next words is the clerk at work."""
    rows = [("staff", 0, 2, "您好，办什么？"), ("citizen", 3, 5, "补办残疾证，材料都在这。"),
            ("staff", 6, 8, "好，我录一下。"), ("citizen", 8.5, 9, "好。"),
            ("staff", 50, 52, "录好了，签个字。")]
    assert _ignore(rows, typed=True) == []
    assert len(_ignore(rows)) == 1  # the same silence heard in a recording


def test_a_typed_transcript_shows_ignoring_by_the_citizen_calling_again():
    rows = [("citizen", 0, 2, "师傅，问一下，残疾证在这办吗？"), ("citizen", 8, 9, "师傅？听见没？"),
            ("staff", 14, 16, "嗯，等着。")]
    (f,) = _ignore(rows, typed=True)
    assert f.detail["evidence"] == "repeated call for attention" and f.start == 0
    handed = [("citizen", 0, 2, "东西给你。"), ("citizen", 30, 31, "好了没？"), ("staff", 32, 33, "好了。")]
    assert _ignore(handed, typed=True) == []  # handing papers over is not asking for attention


def test_a_typed_wait_the_clerk_says_was_work_is_not_ignoring_once_she_took_the_citizen_up():
    """Mid-visit, the citizen asks twice and the clerk turns back with 我这正忙着呢，你稍等: the typed
    transcript says the wait was work (her words are their own article's), not ignoring. A citizen
    never taken up at all is ignored whatever the clerk says then (issue 23, duty3)."""
    served = [("staff", 0, 2, "您好，办什么？"), ("citizen", 3, 6, "我来问低保复核的事。"),
              ("staff", 7, 9, "身份证给我，我查一下。"), ("citizen", 10, 13, "复核结果啥时候出来？"),
              ("citizen", 40, 43, "同志，问你呢，结果啥时候出来？"), ("staff", 44, 47, "我这正忙着呢，你稍等。")]
    assert _ignore(served, typed=True) == []
    unserved = served[3:]  # the same words with nobody having attended to the citizen
    assert len(_ignore(unserved, typed=True)) == 1


def test_citizen_left_unanswered_is_ignoring_with_times():
    (f,) = _ignore([("staff", 0, 2, "您好"), ("citizen", 3, 5, "请问这个怎么办"), ("staff", 25, 27, "嗯")])
    assert (f.start, f.end) == (3, 25)
    assert f.detail["silence_seconds"] == pytest.approx(20.0)
    assert f.detail["threshold_seconds"] == 15.0
    assert "请问这个怎么办" in f.evidence


def test_prompt_reply_is_not_ignoring_and_citizen_talk_is_not_waiting():
    assert _ignore([("staff", 0, 2, "您好"), ("citizen", 3, 5, "请问"), ("staff", 12, 14, "好的")]) == []
    # The citizen talks for 16 s: the staff listening is not ignoring.
    rows = [("staff", 0, 2, "您好"), ("citizen", 3, 10, "我想办"), ("citizen", 10.5, 19, "还有"),
            ("staff", 22, 24, "好的")]
    assert _ignore(rows) == []


def test_repeated_unanswered_attempts_count_even_at_the_end():
    rows = [("staff", 0, 2, "您好"), ("citizen", 3, 5, "请问"), ("citizen", 14, 16, "你好？")]
    (f,) = _ignore(rows, duration=30.0)
    assert f.detail["silence_seconds"] == pytest.approx(25.0 - 2.0)
    assert f.detail["staff_reply"] is None
    # A single last citizen utterance at the end of a visit is not judged.
    assert _ignore(rows[:2], duration=30.0) == []


def test_disabled_rule_is_not_measured(tmp_path):
    override = tmp_path / "local.toml"
    override.write_text('[lexicon]\nname = "local"\nversion = "1"\n\n[[disable]]\nid = "A8-IGNORE"\n'
                        'reason = "test"\n', encoding="utf-8")
    lex = load_lexicon([override])
    rows = _utts(("staff", 0, 2, "您好"), ("citizen", 3, 5, "请问"), ("staff", 40, 41, "嗯"))
    found = timing_findings(Interaction("d", "counter", rows), AcousticOptions(), lex)
    assert [f.rule for f in found] == []
    assert _ignore([(u.speaker, u.start, u.end, u.text) for u in rows])  # enabled by default
    assert replace(AcousticOptions(), ignore_seconds=60.0).ignore_seconds == 60.0


def test_a_typed_question_mid_visit_is_not_a_call_unless_the_citizen_hails_the_clerk_again():
    """Once the clerk has taken the citizen up, a typed wait with the citizen's own questions in it
    (a spouse answering, the citizen asking himself where to sign and then signing) is no ignoring;
    hailing her again by address (同志？) still is (issue 23, cue6)."""
    head = [("staff", 0, 2, "您好，办什么？"), ("citizen", 3, 6, "我们来办个居住证明。"),
            ("staff", 7, 9, "户口本带了吗？")]
    bicker = [("citizen", 10, 13, "带了，放哪个包里了？"), ("citizen", 13.5, 16, "不是在你包里吗，早上我就说了。"),
              ("citizen", 16.5, 19, "你咋不早说？"), ("staff", 25, 28, "不着急，找到了给我。")]
    assert _ignore(head + bicker, typed=True) == []
    own = [("citizen", 10, 12, "这张写哪儿？这儿？"), ("citizen", 16, 20, "写完了。那要几天能出来？"),
           ("staff", 24, 26, "三个工作日。")]
    assert _ignore(head + own, typed=True) == []
    hail = [("citizen", 10, 12, "这张写哪儿？"), ("citizen", 18, 20, "同志？这张写哪儿？"),
            ("staff", 24, 26, "下面那栏。")]
    assert len(_ignore(head + hail, typed=True)) == 1
    called = [("citizen", 10, 12, "这张写哪儿？"), ("citizen", 18, 20, "喂，我问你话呢。"),
              ("staff", 24, 26, "下面那栏。")]
    assert len(_ignore(head + called, typed=True)) == 1  # telling her he is calling her
