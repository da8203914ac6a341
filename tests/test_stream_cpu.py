"""Less CPU per call-second on a live line: ``stream.first_window_seconds`` (a first hearing
in a shorter encoder window, its second hearings in the file path's bins) and ``stream.feed_ms``
(a listener line analysed in steps of several frames)."""

from __future__ import annotations

import numpy as np
from audio_factory import SR, phone_call
from test_stream import Scripted, _run

from analyzer.options import AnalyzerOptions, StreamOptions
from analyzer.speech.packing import GAP_SECONDS, Bin, Piece, window_seconds
from analyzer.stream import StreamAnalyzer

#: Turns enough that a clause's context would fill far more than 10 s.
SCRIPT = [("staff", "您好，这里是政务服务中心，请问有什么可以帮您"),
          ("citizen", "我想问一下营业执照怎么办理，需要带哪些材料过来"),
          ("staff", "您需要带身份证原件和复印件，还有经营场所的证明材料"),
          ("citizen", "那我今天下午过来可以吗，大概要等多久才能办好"),
          ("staff", "下午可以的，一般当天就能办好，您直接到三号窗口"),
          ("citizen", "好的，谢谢你"), ("staff", "不客气，再见")]


class Requests(Scripted):
    """Records each request's tracks (what the engine would pack into the request's bin)."""

    def __init__(self) -> None:
        super().__init__({"staff": "好的", "citizen": "嗯"})
        self.requests: list[list] = []

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        self.requests.append(list(tracks))
        return super().transcribe_many(tracks, options, verifier=verifier, cut=cut)


def _bin_seconds(tracks) -> float:
    """Seconds the request's tracks fill in one bin (each heard whole, a gap between)."""
    return sum(t.samples.size / SR for t in tracks) + GAP_SECONDS * (len(tracks) - 1)


def _requests(first_window: float) -> list[list]:
    audio, _, _, _ = phone_call(rings=1, script=SCRIPT)
    log = Requests()
    options = AnalyzerOptions(stream=StreamOptions(partial_interval=0.0,
                                                   first_window_seconds=first_window))
    line = StreamAnalyzer(options, SR, 2, recognizer=log)
    _run(line, [audio[:, i: i + 3200] for i in range(0, audio.shape[1], 3200)])
    return log.requests


def test_a_first_hearing_holds_only_the_context_its_window_does():
    """With ``first_window_seconds`` 10 every first hearing (a piece after its context) asks
    for a 10 s window and brings at most 9 s of audio (1 s of silence after it), the
    latest speech first; the second hearings (the file path's bins) ask for no window of
    their own. With the default 30 the context fills the 30 s bin as before."""
    full, short = _requests(30.0), _requests(10.0)
    first = [r for r in short if not any(t.again for t in r)]
    again = [r for r in short if any(t.again for t in r)]
    assert first and again
    for tracks in first:
        assert {t.window for t in tracks} == {10.0}
        asked = tracks[-1]  # the piece heard; its context before it
        assert _bin_seconds(tracks) <= 9.0 + 1e-6 or len(tracks) == 1
        assert [t.offset for t in tracks] == sorted(t.offset for t in tracks)
        assert all(t.context for t in tracks[:-1]) and not asked.context
    assert all(t.window == 0.0 for r in again for t in r)
    assert all(t.window == 0.0 for r in full for t in r)
    # the same pieces asked, and the longest context of the default is longer than 9 s
    assert len([r for r in full if not any(t.again for t in r)]) == len(first)
    assert max(_bin_seconds(r) for r in full if not any(t.again for t in r)) > 9.0
    # the second hearings are the same bins whatever the first hearings' window
    assert [[(t.offset, t.samples.size) for t in r] for r in again] == \
        [[(t.offset, t.samples.size) for t in r] for r in full if any(t.again for t in r)]


def test_a_bin_is_heard_in_the_shortest_window_its_pieces_ask_for():
    """:func:`window_seconds`: a piece's own window (a live first hearing) shortens its
    bin's encoder input below the engine's minimum, never below what the audio needs."""
    def bin_of(seconds: float, window: float = 0.0) -> Bin:
        b = Bin()
        b.add(Piece(0, 0, 0.0, np.zeros(int(seconds * SR), np.float32), window=window))
        return b

    assert window_seconds(bin_of(4.0), 30.0) == 30.0  # no window of its own: the engine's
    assert window_seconds(bin_of(4.0, 10.0), 30.0) == 10.0
    assert window_seconds(bin_of(8.9, 10.0), 30.0) == 10.0
    assert window_seconds(bin_of(12.0, 10.0), 30.0) == 15.0  # its audio needs more
    assert window_seconds(bin_of(4.0, 15.0), 10.0) == 10.0  # the engine's shorter minimum
    assert window_seconds(bin_of(28.5, 10.0), 30.0) == 30.0


def test_a_listener_line_is_analysed_in_steps_of_feed_ms():
    """``stream.feed_ms``: spooled frames wait until they hold that much audio (one
    analysis step for several of the client's 20 ms frames); a line's end takes the rest at
    once, and 0 takes every frame as it comes."""
    from analyzer.stream.server import feed_due

    frame = 160 * 2  # 20 ms of 8 kHz mu-law stereo
    least = 800 * 2  # 100 ms of it
    assert not feed_due(0, least, False) and not feed_due(0, 0, False)
    assert feed_due(0, least, True)  # ended with nothing left: on to finishing the line
    assert not feed_due(frame, least, False)
    assert not feed_due(4 * frame, least, False)
    assert feed_due(5 * frame, least, False) and feed_due(40 * frame, least, False)
    assert feed_due(frame, least, True)  # the line ended: what is left goes now
    assert feed_due(frame, 0, False)  # feed_ms 0: every frame
