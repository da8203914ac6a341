"""Rings before answer: the call-record rule and ringback detection in audio."""

from __future__ import annotations

import numpy as np
import pytest
from audio_factory import (
    CADENCES,
    SR,
    add_noise,
    gain,
    music,
    phone_line,
    place,
    ringback,
    speech,
    telephone_band,
)

from analyzer.errors import TranscriptError
from analyzer.options import RingOptions
from analyzer.speech.rings import detect_rings, ring_period, rings_from_record
from analyzer.types import Interaction, Utterance

GREETING = "您好，这里是政务服务中心，请问有什么可以帮您？"


def _call(ring_seconds: float | None = None, rings: int | None = None) -> Interaction:
    return Interaction(
        id="c1", channel="phone", utterances=[Utterance("staff", 0.0, 2.0, "您好")],
        rings=rings, ring_seconds=ring_seconds,
    )


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0.0, 0), (0.1, 1), (4.9, 1), (5.0, 1), (5.1, 2), (10.0, 2), (14.0, 3), (15.0, 3), (15.1, 4)],
)
def test_record_ring_seconds_count_rings_once_their_tone_starts(seconds, expected):
    result = rings_from_record(_call(ring_seconds=seconds), RingOptions())
    assert result.rings == expected
    assert result.source == "record"
    assert result.answer_time == seconds


def test_record_rings_win_over_ring_seconds_and_period_follows_the_cadence():
    assert rings_from_record(_call(ring_seconds=30.0, rings=2), RingOptions()).rings == 2
    uk = CADENCES["uk"].ring_options()
    assert ring_period(uk) == pytest.approx(3.0)
    assert rings_from_record(_call(ring_seconds=6.5), uk).rings == 3
    assert rings_from_record(_call(), RingOptions()) is None


@pytest.mark.parametrize("bad", [-1.0, "5", True])
def test_record_bad_values_raise_naming_the_field(bad):
    with pytest.raises(TranscriptError, match="ring_seconds"):
        rings_from_record(_call(ring_seconds=bad), RingOptions())


CONDITIONS = {
    "clean": lambda x: x,
    "telephone_band": lambda x: telephone_band(x),
    "mulaw": lambda x: phone_line(x),
    "noise_10db": lambda x: add_noise(x, 10.0, seed=3),
    "level_-30dBFS": lambda x: gain(x, -27.0),  # ring tone at about -42 dBFS RMS
    "level_0dBFS": lambda x: gain(x, 12.0),  # tone peaks at full scale
    "mulaw_noise_quiet": lambda x: phone_line(add_noise(gain(x, -12.0), 10.0, seed=4)),
}


def _answered_call(cadence: str, rings: int, into_ring: float = 0.6) -> tuple[np.ndarray, float]:
    """Ringback answered ``into_ring`` s into the last ring, then staff speech."""
    tone, spans = ringback(cadence, rings)
    answer = spans[-1][0] + into_ring
    signal = place([(0.0, tone[: int(answer * SR)]), (answer, speech(GREETING, pitch=35))])
    return signal, answer


@pytest.mark.parametrize("condition", sorted(CONDITIONS))
@pytest.mark.parametrize("cadence", sorted(CADENCES))
def test_detects_ring_count_across_cadences_and_line_conditions(cadence, condition):
    options = CADENCES[cadence].ring_options()
    for rings in (2, 5):
        signal, answer = _answered_call(cadence, rings)
        x = CONDITIONS[condition](signal)
        given = detect_rings(x, SR, options, answer_time=answer)
        assert (given.rings, given.source) == (rings, "audio"), (cadence, condition, rings)
        assert given.answer_time == pytest.approx(answer, abs=0.2)
        assert given.ring_spans[0][0] == pytest.approx(0.0, abs=0.15)
        # Without the answer time the speech that follows must not add rings.
        assert detect_rings(x, SR, options).rings == rings, (cadence, condition, rings)


def test_ring_spans_follow_the_cadence_and_confidence_is_high():
    x, spans = ringback("cn", 4)
    result = detect_rings(x, SR, RingOptions())
    assert result.rings == 4
    for (s, e), (ts, te) in zip(result.ring_spans, spans, strict=True):
        assert s == pytest.approx(ts, abs=0.1)
        assert e == pytest.approx(te, abs=0.1)
    assert result.confidence > 0.9


def test_rings_after_the_answer_do_not_count():
    x, spans = ringback("cn", 6)
    result = detect_rings(x, SR, RingOptions(), answer_time=spans[2][0] + 0.5)
    assert result.rings == 3


def test_recording_starting_mid_ring_counts_that_ring():
    x, _ = ringback("cn", 3)
    result = detect_rings(x[int(0.6 * SR):], SR, RingOptions())
    assert result.rings == 3


def test_works_at_the_native_8khz_phone_rate():
    x, _ = ringback("cn", 4, sr=8000)
    assert detect_rings(x, 8000, RingOptions()).rings == 4


def test_a_double_ring_is_one_ring_not_two():
    x, _ = ringback("uk", 3)
    assert detect_rings(x, SR, CADENCES["uk"].ring_options()).rings == 3


def test_a_wrong_cadence_setting_does_not_count_foreign_tones():
    x, _ = ringback("us", 4)
    assert detect_rings(x, SR, CADENCES["cn"].ring_options()).rings == 0


@pytest.fixture(scope="module")
def long_speech() -> np.ndarray:
    lines = ["您好，这里是政务服务中心，请问有什么可以帮您？", "我想问一下营业执照怎么办理",
             "请您带上身份证和申请材料到三号窗口", "好的，谢谢你", "不客气，请您对我的服务进行评价，再见"]
    clips, t = [], 0.0
    for i in range(6):
        for pitch in (20, 45, 70, 95):
            clip = speech(lines[i % len(lines)], pitch=pitch)
            clips.append((t, clip))
            t += clip.size / SR + 0.3
    return place(clips)


@pytest.mark.parametrize("cadence", sorted(CADENCES))
def test_speech_and_music_are_not_counted_as_rings(cadence, long_speech):
    options = CADENCES[cadence].ring_options()
    for name, x in [("speech", long_speech), ("speech_phone", phone_line(long_speech)),
                    ("music", music(90.0, seed=5)), ("music_phone", phone_line(music(90.0, seed=6)))]:
        result = detect_rings(x, SR, options)
        assert result.rings == 0, (cadence, name, result.ring_spans)


def test_stereo_input_is_refused():
    with pytest.raises(ValueError, match="mono"):
        detect_rings(np.zeros((2, SR), dtype=np.float32), SR, RingOptions())


def test_a_ring_hidden_by_a_dropout_is_still_counted_with_less_confidence():
    x, spans = ringback("cn", 5)
    clean = detect_rings(x, SR, RingOptions())
    s, e = spans[2]
    x[int(s * SR): int(e * SR)] = 0.0  # the third ring is lost on the line
    result = detect_rings(x, SR, RingOptions(), answer_time=spans[-1][0] + 0.5)
    assert result.rings == 5
    assert len(result.ring_spans) == 4
    assert result.confidence < clean.confidence
