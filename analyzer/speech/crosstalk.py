"""Crosstalk silenced before recognition: in a whole recording, or as a line's audio arrives.

Each party's microphone also hears the other party. A stretch of at least
``_MIN_LEAK`` seconds in which the other channel of a stereo recording is
``attribution.crosstalk_db`` louder (and not silent) is the other party's
voice leaking in: it is set to silence (with 10 ms fades) before the VAD,
so it is never recognised and cannot share a bin with, and blur, the speech
it leaked from (:func:`silence_crosstalk`, the file path's). A live line
silences the same stretches as its audio arrives (:class:`CrosstalkGate`,
exact to :func:`silence_crosstalk`, a fraction of a second behind). Words
that still leak through are handled after recognition
(:func:`analyzer.speech.attribution.crosstalk`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analyzer.options import AttributionOptions
from analyzer.rules.acoustics import LEVEL_FRAME_SECONDS
from analyzer.speech.attribution import SILENT_DB, Dropped, frame_levels, runs

#: Leaked stretches shorter than this (s) are left to the recognised-word check.
_MIN_LEAK = 0.3


def silence_crosstalk(samples: np.ndarray, sample_rate: int, speakers: Sequence[str],
                      options: AttributionOptions) -> tuple[np.ndarray, list[Dropped]]:
    """Stereo samples with each channel's leaked stretches silenced, before recognition.

    A stretch of at least ``_MIN_LEAK`` seconds in which the other channel is
    ``crosstalk_db`` louder (and not silent) is the other party's voice: it is
    set to silence (with 10 ms fades), so the VAD never sends it to Whisper and
    it cannot share a bin with, and blur, the speech it leaked from. A live
    line silences the same stretches as its audio arrives (:class:`CrosstalkGate`).

    Returns:
        The samples to recognise, and one ``silenced`` item per stretch.
    """
    levels = [frame_levels(c, sample_rate) for c in samples]
    n = min(lv.size for lv in levels)
    out = np.array(samples, dtype=np.float32, copy=True)
    dropped: list[Dropped] = []
    hop = int(LEVEL_FRAME_SECONDS * sample_rate)
    for k in (0, 1):
        own, other = levels[k][:n], levels[1 - k][:n]
        for a, b in _leak_runs(_leak_flags(own, other, options)):
            _fade_out(out[k], a * hop, b * hop, sample_rate)
            dropped += _silenced(speakers[k], own, other, a, b, options)
    return out, dropped


def _leak_flags(own: np.ndarray, other: np.ndarray, options: AttributionOptions) -> list[bool]:
    """Per 50 ms frame: the other channel is ``crosstalk_db`` louder and not silent."""
    return [bool(x) for x in (other - own >= options.crosstalk_db) & (other > SILENT_DB)]


def _leak_runs(flags: list[bool]) -> list[tuple[int, int]]:
    """The frame spans to silence: runs of leaking frames (short gaps filled) of ``_MIN_LEAK``."""
    return [(a, b) for a, b, flag in runs(_fill_gaps(flags, 3)) if flag and _long_enough(b - a)]


def _silenced(speaker: str, own: np.ndarray, other: np.ndarray, a: int, b: int,
              options: AttributionOptions) -> list[Dropped]:
    """The audit item of a silenced span (none when the channel was silent there)."""
    if not own[a:b].max() > SILENT_DB:
        return []
    level = float(10 * np.log10(np.mean(10 ** (own[a:b] / 10))))
    ref = float(10 * np.log10(np.mean(10 ** (other[a:b] / 10))))
    return [Dropped(speaker=speaker, start=a * LEVEL_FRAME_SECONDS, end=b * LEVEL_FRAME_SECONDS,
                    text="", reason="crosstalk", action="silenced", level_db=level,
                    reference_db=ref, threshold_db=options.crosstalk_db)]


class _Smoother:
    """:func:`_runs`' lone-flag smoothing, one frame behind its input (for :class:`CrosstalkGate`).

    The smoothing runs left to right and looks one flag ahead, so a flag is
    final once the next one is known; :attr:`out` holds the final ones.
    """

    def __init__(self) -> None:
        self.out: list[bool] = []

    def extend(self, flags: Sequence[bool]) -> None:
        """Finalize what ``flags`` (the whole input so far) decides."""
        out = self.out
        for i in range(len(out), len(flags) - 1):
            if i and out[i - 1] == flags[i + 1] != flags[i]:
                out.append(out[i - 1])
            else:
                out.append(flags[i])


class _Filler:
    """:func:`_fill_gaps`, final as far as its smoothed input says (for :class:`CrosstalkGate`)."""

    def __init__(self, gap: int = 3) -> None:
        self.gap = gap
        self.smooth = _Smoother()
        self.out: list[bool] = []
        self._start = 0  # where the current run of smoothed False flags started

    def extend(self, flags: Sequence[bool]) -> None:
        """Finalize what ``flags`` (the whole input so far) decides."""
        self.smooth.extend(flags)
        sm, out = self.smooth.out, self.out
        while len(out) < len(sm):
            j = len(out)
            if sm[j]:
                out.append(flags[j])
                continue
            if j == 0 or sm[j - 1]:
                self._start = j
            a = self._start
            b = next((i for i in range(j, len(sm)) if sm[i]), None)
            if b is None and len(sm) - a <= self.gap:
                return  # the run may still turn out short: wait
            fill = b is not None and a > 0 and b - a <= self.gap
            out.extend(True if fill else flags[i] for i in range(j, len(sm) if b is None else b))


def _long_enough(frames: int) -> bool:
    """A leaked run of this many frames is silenced (:func:`_leak_runs`' test)."""
    return not frames * LEVEL_FRAME_SECONDS < _MIN_LEAK


class CrosstalkGate:
    """:func:`silence_crosstalk` as a stereo line's audio arrives, a fraction of a second behind.

    Feed it the line's 16 kHz stereo samples; it gives them back with the
    same stretches silenced as :func:`silence_crosstalk` silences in the
    whole recording, as soon as that is certain (about a dozen 50 ms level
    frames after they arrived; a leaked stretch being silenced is let through
    as it goes on, its last frame once it has ended), and :meth:`flush` gives
    the rest at the end, with :attr:`dropped`, the file path's audit items.

    Args:
        speakers: The role of each channel.
        options: ``crosstalk_db``.
        sample_rate: The samples' rate.
    """

    def __init__(self, speakers: Sequence[str], options: AttributionOptions,
                 sample_rate: int) -> None:
        self.speakers = tuple(speakers)
        self.options = options
        self.sample_rate = sample_rate
        self.hop = int(LEVEL_FRAME_SECONDS * sample_rate)
        self.dropped: list[Dropped] = []
        self._levels: list[list[float]] = [[], []]
        self._flags: list[list[bool]] = [[], []]
        self._filled = [_Filler(), _Filler()]
        self._smooth = [_Smoother(), _Smoother()]
        self._spans: list[list[tuple[int, int]]] = [[], []]  # frame spans silenced, final
        self._open: list[int | None] = [None, None]  # a span being silenced, end not known
        self._decided = [0, 0]  # frames whose silencing is final
        self._buffer = np.zeros((2, 0), dtype=np.float32)
        self._from = 0  # absolute sample index of the buffer's first sample
        self._leveled = 0  # absolute sample index up to which frame levels are known

    @property
    def delay(self) -> int:
        """Samples taken but not given back yet."""
        return int(self._buffer.shape[1])

    def feed(self, x: np.ndarray) -> np.ndarray:
        """Take ``(2, n)`` samples; return the samples now certain, silenced where they leak."""
        self._buffer = np.concatenate([self._buffer, np.asarray(x, dtype=np.float32)], axis=1)
        self._level()
        for k in (0, 1):
            self._decide(k)
        return self._release(min(self._decided) * self.hop)

    def flush(self) -> np.ndarray:
        """The rest of the line, at its end, silenced as the whole recording would be."""
        levels = [np.array(lv, dtype=np.float64) for lv in self._levels]
        self._spans = [_leak_runs(_leak_flags(levels[k], levels[1 - k], self.options))
                       for k in (0, 1)]
        self._open = [None, None]
        self.dropped = [d for k in (0, 1) for a, b in self._spans[k]
                        for d in _silenced(self.speakers[k], levels[k], levels[1 - k], a, b,
                                           self.options)]
        return self._release(self._from + self._buffer.shape[1])

    def _level(self) -> None:
        """Levels and leak flags of the complete 50 ms frames not measured yet."""
        start = self._leveled - self._from
        count = (self._buffer.shape[1] - start) // self.hop
        if count <= 0:
            return
        part = self._buffer[:, start:start + count * self.hop]
        new = [frame_levels(part[k], self.sample_rate) for k in (0, 1)]
        for k in (0, 1):
            self._levels[k] += new[k].tolist()
            self._flags[k] += _leak_flags(new[k], new[1 - k], self.options)
        self._leveled += count * self.hop

    def _decide(self, k: int) -> None:
        """Settle the frames of channel ``k`` whose silencing can no longer change."""
        self._filled[k].extend(self._flags[k])
        self._smooth[k].extend(self._filled[k].out)
        sm = self._smooth[k].out
        i = self._decided[k]
        while i < len(sm):
            if not sm[i]:
                i += 1
                continue
            opened = self._open[k]
            a = opened if opened is not None else i
            b = next((j for j in range(i, len(sm)) if not sm[j]), None)
            if b is None:  # the run goes on past what is final
                if _long_enough(len(sm) - a):
                    self._open[k] = a  # silenced; its last known frame waits for its end
                    i = len(sm) - 1
                else:
                    i = a
                break
            if _long_enough(b - a):
                self._spans[k].append((a, b))
            self._open[k] = None
            i = b
        self._decided[k] = i

    def _release(self, upto: int) -> np.ndarray:
        """Samples from the buffer's start to absolute index ``upto``, silenced."""
        n = max(0, upto - self._from)
        out = self._buffer[:, :n].copy()
        for k in (0, 1):
            spans = list(self._spans[k])
            start = self._open[k]
            if start is not None:  # its end lies beyond what is released
                spans.append((start, start + max(6, self._decided[k] + 2 - start)))
            for a, b in spans:
                _fade_span(out[k], a * self.hop - self._from, b * self.hop - self._from,
                           self.sample_rate)
            self._spans[k] = [(a, b) for a, b in self._spans[k]
                              if b * self.hop > self._from + n]
        self._buffer = self._buffer[:, n:]
        self._from += n
        return out


def _fade_span(x: np.ndarray, a: int, b: int, sample_rate: int) -> None:
    """:func:`_fade_out` of ``[a, b)`` on the part of it inside ``x`` (indices relative to x)."""
    if b <= 0 or a >= x.size:
        return
    ramp = min(int(0.01 * sample_rate), (b - a) // 2)
    lo, hi = max(a + ramp, 0), min(b - ramp, x.size)
    if hi > lo:
        x[lo:hi] = 0.0
    if ramp:
        down = np.linspace(1.0, 0.0, ramp, dtype=np.float32)
        up = np.linspace(0.0, 1.0, ramp, dtype=np.float32)
        for start, curve in ((a, down), (b - ramp, up)):
            s0, s1 = max(start, 0), min(start + ramp, x.size)
            if s1 > s0:
                x[s0:s1] *= curve[s0 - start:s1 - start]


def _fill_gaps(flags: list[bool], frames: int) -> list[bool]:
    """Flags with False runs of at most ``frames`` between two True runs set True."""
    out = list(flags)
    for a, b, flag in runs(flags):
        if not flag and a > 0 and b < len(flags) and b - a <= frames:
            out[a:b] = [True] * (b - a)
    return out


def _fade_out(x: np.ndarray, a: int, b: int, sample_rate: int) -> None:
    """Silence ``x[a:b]`` in place, with 10 ms ramps at its edges."""
    ramp = min(int(0.01 * sample_rate), (b - a) // 2)
    x[a + ramp : b - ramp] = 0.0
    if ramp:
        x[a : a + ramp] *= np.linspace(1.0, 0.0, ramp, dtype=np.float32)
        x[b - ramp : b] *= np.linspace(0.0, 1.0, ramp, dtype=np.float32)
