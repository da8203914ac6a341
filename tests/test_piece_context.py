"""Whisper hears a speech piece with the audio around it; the piece stays the VAD's.

A soft first syllable cut by the VAD's 200 ms padding was misheard; the
engine now gives Whisper ``asr.vad.context_ms`` more audio either side of a
piece (up to the neighbouring speech), while the piece's bounds, its word
times and what the verifier hears stay the piece proper — one rule for
analyze, batch and the stream.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzer.options import ASROptions
from analyzer.speech.decode import SAMPLE_RATE, decode_audio
from analyzer.speech.packing import (
    GAP_SECONDS,
    Bin,
    Piece,
    _speech_limits,
    assign_words,
    heard_span,
    vad_pieces,
)

SR = SAMPLE_RATE


def _piece(lead: float, proper: float, trail: float, start: float = 10.0) -> Piece:
    n = int(round((lead + proper + trail) * SR))
    samples = np.arange(1, n + 1, dtype=np.float32)  # every sample tells where it came from
    a, b = int(round(lead * SR)), n - int(round(trail * SR))
    return replace(Piece.within(0, 0, samples, (a, b), (0, n)), start=start)


def test_a_piece_is_heard_with_its_context_but_placed_and_timed_as_itself() -> None:
    first, second = _piece(0.2, 2.0, 0.2), _piece(0.2, 1.0, 0.2, start=20.0)
    bin_ = Bin()
    bin_.add(first)
    bin_.add(second)
    (off1, p1), (off2, p2) = bin_.pieces
    assert p1.seconds == pytest.approx(2.0) and p1.heard_seconds == pytest.approx(2.4)
    assert off1 == pytest.approx(0.2)  # the piece proper starts after its context
    assert off2 == pytest.approx(0.2 + 2.0 + 0.2 + GAP_SECONDS + 0.2)
    audio = bin_.audio()
    assert audio[0] == 1.0  # the first sample heard is the context's
    i = int(round((off2 - 0.2) * SR))
    assert audio[i] == 1.0 and audio[i - 1] == 0.0  # the gap is silence, then the context
    # Whisper times a first word inside the context and a last word past the piece's end:
    segments = [{"start": 0.0, "end": 2.4, "words": [
        {"word": "您好", "start": 0.0, "end": 0.5, "probability": 0.9},
        {"word": "再见", "start": 2.0, "end": 2.4, "probability": 0.9}]}]
    words = assign_words(bin_, segments)[(0, 0, 10.0)]
    assert [w.text for w in words] == ["您好", "再见"]
    assert words[0].start == pytest.approx(10.0)  # clamped to the piece proper
    assert words[-1].end == pytest.approx(12.0)
    assert all(10.0 <= w.start <= w.end <= 12.0 for w in words)


def test_a_context_piece_lets_the_decoder_start_at_the_next_piece_s_context() -> None:
    earlier = replace(_piece(0.0, 3.0, 0.0), context=True)
    bin_ = Bin()
    bin_.add(earlier)
    bin_.add(_piece(0.2, 1.0, 0.2))
    assert bin_.skip == pytest.approx(3.0 + GAP_SECONDS)  # where the live piece's audio starts


def test_the_context_stops_at_the_neighbouring_speech() -> None:
    pad = int(0.2 * SR)
    bounds = [(0, 16000), (40000, 56000), (56000, 70000)]  # the last two touch (a hard cut)
    assert _speech_limits(bounds, 0, pad, 100000) == (0, 40000 + pad)
    assert _speech_limits(bounds, 1, pad, 100000) == (16000 - pad, 56000)  # no context over the cut
    assert _speech_limits(bounds, 2, pad, 100000) == (56000, 100000)
    assert heard_span((40000, 56000), (12800, 56000), 200) == (40000 - 3200, 56000)
    assert heard_span((40000, 56000), (39000, 100000), 200) == (39000, 56000 + 3200)
    assert heard_span((40000, 56000), (0, 100000), 0) == (40000, 56000)


def test_vad_pieces_are_the_padded_speech_heard_with_context(real_speech_dir) -> None:
    """On two real clips laid 1.5 s apart: each piece is the VAD's padded speech (as with
    no context), heard with up to ``context_ms`` around it, never reaching the other clip's
    speech."""
    clips = sorted(real_speech_dir.glob("*.wav"))[:2]
    one, two = (decode_audio(c).samples[0] for c in clips)
    samples = np.concatenate([one, np.zeros(int(1.5 * SR), np.float32), two])
    options = ASROptions()
    plain = vad_pieces(samples, 0, 0, replace(options, vad=replace(options.vad, context_ms=0)))
    heard = vad_pieces(samples, 0, 0, options)
    assert [(p.start, round(p.seconds, 4)) for p in heard] == \
        [(p.start, round(p.seconds, 4)) for p in plain]  # the pieces are the VAD's
    assert all(p.lead == 0 and p.trail == 0 for p in plain)
    limit = options.vad.context_ms / 1000
    assert any(p.lead > 0 for p in heard[1:]) and any(p.trail > 0 for p in heard[:-1])
    for i, p in enumerate(heard):
        assert 0 <= p.lead <= limit + 1e-6 and 0 <= p.trail <= limit + 1e-6
        a = int(round((p.start - p.lead) * SR))
        assert np.array_equal(p.samples, samples[a:a + p.samples.size])  # the audio around it
        if i:
            prev = heard[i - 1]
            pad = options.vad.pad_ms / 1000
            assert p.start - p.lead >= prev.start + prev.seconds - pad - 1e-6


@pytest.mark.slow
def test_word_times_stay_inside_the_vad_piece_while_whisper_hears_its_context(
        real_speech_dir) -> None:
    """The engine on a real clip after a second of silence: Whisper hears the context,
    yet no word is timed outside the VAD's piece."""
    from analyzer.speech.engine import transcribe

    clip = sorted(real_speech_dir.glob("*.wav"))[0]
    speech = decode_audio(clip).samples[0]
    samples = np.concatenate([np.zeros(SR, np.float32), speech, np.zeros(SR, np.float32)])
    options = ASROptions()
    pieces = vad_pieces(samples, 0, 0, options)
    assert pieces and pieces[0].lead > 0  # heard with the audio before it
    utterances = transcribe(samples, options, speaker="staff")
    words = [w for u in utterances for w in u.words]
    assert words
    for w in words:
        assert any(p.start - 1e-3 <= w.start <= w.end <= p.start + p.seconds + 1e-3
                   for p in pieces), (w, [(p.start, p.seconds) for p in pieces])


class _Asked:
    """A stand-in recognizer: records the live piece the stream asks for (hears nothing)."""

    def __init__(self) -> None:
        self.asked: list[tuple[float, float, float, float]] = []  # offset, lead, trail, seconds

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        for t in tracks:
            if not t.context:
                self.asked.append((t.offset, t.lead, t.trail, t.samples.size / SR))
        return [[] for _ in tracks]


def test_the_stream_hears_its_pieces_with_the_same_context(real_speech_dir) -> None:
    """The stream asks for each ended piece with ``context_ms`` of audio around it, and
    the piece proper is where it is without that context."""
    from analyzer.errors import AnalyzerError
    from analyzer.options import AnalyzerOptions, StreamOptions
    from analyzer.stream import StreamAnalyzer

    clip = sorted(real_speech_dir.glob("*.wav"))[0]
    speech = decode_audio(clip).samples[0]
    staff = np.concatenate([np.zeros(SR, np.float32), speech, np.zeros(2 * SR, np.float32)])
    audio = np.stack([staff, np.zeros_like(staff)])
    whole = StreamOptions(partial_interval=0.0, decode_at_pause=False)
    proper = []
    for context_ms in (0, 200):
        options = AnalyzerOptions(stream=whole)
        options = replace(options, asr=replace(options.asr, vad=replace(
            options.asr.vad, context_ms=context_ms)))
        asked = _Asked()
        stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=asked)
        for i in range(0, audio.shape[1], 8000):
            list(stream.feed(audio[:, i:i + 8000]))
        with pytest.raises(AnalyzerError):  # the stand-in heard nothing
            list(stream.close())
        assert asked.asked
        offset, lead, trail, seconds = asked.asked[0]
        assert 0 <= lead <= context_ms / 1000 + 1e-6 and 0 <= trail <= context_ms / 1000 + 1e-6
        if context_ms:
            assert lead > 0 and trail > 0  # silence before and after: all of it heard
        proper.append((round(offset + lead, 3), round(seconds - lead - trail, 3)))
    assert proper[0] == proper[1]
