"""Rings before answer (Article 7): from the call record or from the ringback tone.

Two sources, in order of trust:

1. :func:`rings_from_record` - the phone system's call record gives ``rings``
   or ``ring_seconds``; when present it wins over the audio.
2. :func:`detect_rings` - the ringback tone heard in the recording.

Audio detection, stage by stage:

* **Frames.** 128 ms Hann frames every 25 ms (window rounded to a power of
  two at the input rate, so the bins are ~7.8 Hz wide at 8 or 16 kHz; no
  resampling). For each frame, the energy in the main lobe of every ringback
  frequency is compared with the energy of the telephone band (250-3500 Hz).
  A frame is *tone* when that share is at least ``min_tone_ratio``, every
  frequency holds a fair part of it, the spectral peak near each frequency
  lies within ``frequency_tolerance`` Hz (so a 440 Hz music note is not a
  450 Hz ringback), and the tone is louder than ``min_tone_dbfs``. These are
  ratios, so level changes and a mu-law codec do not move them; white noise
  10 dB below the tone only takes ~10 % of the band.
* **Bursts.** Runs of tone frames, with dropouts up to 0.1 s bridged and
  bursts shorter than ``min_tone_seconds`` dropped.
* **Rings.** Bursts closer than the cadence's inner gap join into one ring
  (a UK double ring ``0.4 on 0.2 off 0.4 on 2.0 off`` is one ring). A full
  ring spans the cadence's "on" part within ``cadence_tolerance`` and is tone
  for most of it. A shorter one counts when the recording start or the known
  answer cut it; elsewhere it may only close a chain (the ring during which
  the call was answered, when no answer time is given).
* **Cadence chain.** Consecutive rings must start one period apart (or a
  whole number of periods, up to four, when noise hid rings: the hidden
  rings are counted and the confidence lowered). The chain with the most
  rings is the ringback; lone tone-like bursts of speech or music form none.

Counting rule (both sources): **a ring counts once its tone has started**
before the answer. With ``ring_seconds`` from a record and a period ``P``
(``sum(pattern)``, 5 s in China), rings start at ``0, P, 2P, ...`` so
``rings = ceil(ring_seconds / P)``: 0 s -> 0 rings, 0.1-5.0 s -> 1,
5.1-10.0 s -> 2, 10.1-15.0 s -> 3, 15.1 s -> 4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analyzer.errors import TranscriptError
from analyzer.options import RingOptions
from analyzer.types import Interaction, RingResult

FRAME_SECONDS = 0.128  #: analysis window, rounded to a power of two in samples
HOP_SECONDS = 0.025  #: analysis hop
BAND = (250.0, 3500.0)  #: Hz, reference band (telephone band)
BRIDGE_SECONDS = 0.1  #: tone dropouts this short are bridged
EDGE_SECONDS = 0.25  #: a ring this close to the analysed span's edge may be cut short
MAX_SKIPPED_PERIODS = 3  #: rings hidden by noise that one link of a chain may bridge


def ring_pattern(options: RingOptions) -> tuple[float, ...]:
    """The on/off pattern of one ring period (``pattern`` or ``(cadence_on, cadence_off)``)."""
    pattern = tuple(options.pattern) or (options.cadence_on, options.cadence_off)
    if len(pattern) % 2 or any(p <= 0 for p in pattern):
        raise ValueError(f"ring pattern must be positive on/off pairs, got {pattern!r}")
    return pattern


def ring_period(options: RingOptions) -> float:
    """Seconds from one ring's start to the next one's."""
    return float(sum(ring_pattern(options)))


def rings_from_record(interaction: Interaction, options: RingOptions) -> RingResult | None:
    """Rings before answer from the call record, when it has them.

    ``interaction.rings`` wins; else ``interaction.ring_seconds`` is turned
    into rings with the module's counting rule (a ring counts once its tone
    has started: ``ceil(ring_seconds / period)``).

    Args:
        interaction: The call; its ``rings`` / ``ring_seconds`` come from the record.
        options: Ring options (the cadence gives the period).

    Returns:
        ``RingResult(source="record")`` with ``answer_time = ring_seconds``
        when known, or None when the record has neither field.

    Raises:
        TranscriptError: When a value is negative or not a number.
    """
    rings, seconds = interaction.rings, interaction.ring_seconds
    for name, value in (("rings", rings), ("ring_seconds", seconds)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
        ):
            raise TranscriptError(
                f"{name} must be a non-negative number, got {value!r}",
                source=interaction.source or interaction.id,
                field=name,
            )
    if rings is not None:
        return RingResult(rings=int(rings), source="record", answer_time=seconds)
    if seconds is None:
        return None
    count = math.ceil(round(seconds / ring_period(options), 9))
    return RingResult(rings=count, source="record", answer_time=float(seconds))


@dataclass
class _Frames:
    """Per-frame tone features (centre time, tone share, tone decision)."""

    times: np.ndarray
    ratio: np.ndarray
    tone: np.ndarray


class ToneTracker:
    """Incremental frame analysis of the ringback tone (used by the stream too).

    Args:
        sample_rate: Input rate in Hz (8 kHz and up).
        options: Ring options (frequencies, thresholds).
    """

    def __init__(self, sample_rate: int, options: RingOptions) -> None:
        if sample_rate < 2 * BAND[1] * 0.9:
            raise ValueError(f"sample rate {sample_rate} Hz is too low for ring detection")
        self.sr = int(sample_rate)
        self.options = options
        self.n = 1 << int(round(math.log2(FRAME_SECONDS * self.sr)))
        self.hop = max(1, int(round(HOP_SECONDS * self.sr)))
        self.window = np.hanning(self.n).astype(np.float32)
        self.df = self.sr / self.n
        freqs = np.arange(self.n // 2 + 1) * self.df
        self.band = (freqs >= BAND[0]) & (freqs <= BAND[1])
        self._pending = np.zeros(0, dtype=np.float32)
        self._consumed = 0  # samples before _pending
        self._ratio: list[np.ndarray] = []
        self._tone: list[np.ndarray] = []
        self.frame_count = 0

    @property
    def duration(self) -> float:
        """Seconds of audio fed so far."""
        return (self._consumed + self._pending.size) / self.sr

    def feed(self, samples: np.ndarray) -> None:
        """Analyse more mono float32 samples."""
        buf = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        count = 0 if buf.size < self.n else 1 + (buf.size - self.n) // self.hop
        if count:
            idx = np.arange(self.n)[None, :] + self.hop * np.arange(count)[:, None]
            ratio, tone = self._features(buf[idx])
            self._ratio.append(ratio)
            self._tone.append(tone)
            self.frame_count += count
        used = count * self.hop
        self._pending = buf[used:]
        self._consumed += used

    def frames(self) -> _Frames:
        """All frame features so far."""
        ratio = np.concatenate(self._ratio) if self._ratio else np.zeros(0)
        tone = np.concatenate(self._tone) if self._tone else np.zeros(0, dtype=bool)
        times = (np.arange(ratio.size) * self.hop + self.n / 2) / self.sr
        return _Frames(times, ratio, tone)

    def _features(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        opts = self.options
        spec = np.abs(np.fft.rfft(frames * self.window, axis=1)) ** 2
        band = spec[:, self.band].sum(axis=1) + 1e-20
        total = spec.sum(axis=1) + 1e-20
        power = np.mean(np.square(frames * self.window), axis=1) / np.mean(self.window**2)
        tone_energy = np.zeros(len(frames))
        ok = np.ones(len(frames), dtype=bool)
        nfreq = len(opts.frequencies)
        for f in opts.frequencies:
            k = int(round(f / self.df))
            lobe = spec[:, max(k - 2, 0) : k + 3].sum(axis=1)
            tone_energy += lobe
            ok &= lobe >= band * (0.35 / nfreq)
            ok &= np.abs(self._peak_frequency(spec, f) - f) <= opts.frequency_tolerance
        ratio = tone_energy / band
        level = 10 * np.log10(power * tone_energy / total + 1e-20)
        tone = ok & (ratio >= opts.min_tone_ratio) & (level >= opts.min_tone_dbfs)
        return ratio.astype(np.float32), tone

    def _peak_frequency(self, spec: np.ndarray, f: float) -> np.ndarray:
        """Parabolic-interpolated peak frequency within +-25 Hz of ``f``."""
        lo = max(int(math.floor((f - 25.0) / self.df)), 1)
        hi = min(int(math.ceil((f + 25.0) / self.df)), spec.shape[1] - 2)
        seg = np.log(spec[:, lo - 1 : hi + 2] + 1e-20)
        i = np.argmax(seg[:, 1:-1], axis=1) + 1
        rows = np.arange(len(seg))
        a, b, c = seg[rows, i - 1], seg[rows, i], seg[rows, i + 1]
        denom = a - 2 * b + c
        shift = np.where(np.abs(denom) > 1e-12, 0.5 * (a - c) / np.where(denom == 0, 1, denom), 0)
        return (lo - 1 + i + np.clip(shift, -0.5, 0.5)) * self.df


def _bursts(frames: _Frames, hop: float, options: RingOptions) -> list[tuple[float, float]]:
    """Runs of tone frames as (start, end) seconds, short dropouts bridged."""
    runs: list[list[float]] = []
    for t in frames.times[frames.tone]:
        if runs and t - runs[-1][1] <= BRIDGE_SECONDS + hop * 1.01:
            runs[-1][1] = t
        else:
            runs.append([t, t])
    half = hop / 2
    out = [(s - half, e + half) for s, e in runs]
    return [(s, e) for s, e in out if e - s >= options.min_tone_seconds]


@dataclass
class _Ring:
    """A candidate ring: span, seconds of tone inside it, and how it may be used."""

    start: float
    end: float
    tone: float
    cut: str = ""  # "" full, "edge" cut by the recording start / the answer, "inner" cut elsewhere


def _ring_groups(bursts: list[tuple[float, float]], options: RingOptions) -> list[_Ring]:
    """Join bursts of one ring (double rings) into ring candidates."""
    pattern = ring_pattern(options)
    offs = pattern[1::2]
    inner = offs[:-1]
    join = (max(inner) + offs[-1]) / 2 if inner else min(0.5 * offs[-1], 0.5)
    groups: list[_Ring] = []
    for s, e in bursts:
        if groups and s - groups[-1].end <= join:
            groups[-1].end = e
            groups[-1].tone += e - s
        else:
            groups.append(_Ring(s, e, e - s))
    return groups


@dataclass
class _Chain:
    spans: list[tuple[float, float]]
    rings: int  # detected + hidden
    error: float  # mean relative period error


def _valid_rings(
    groups: list[_Ring], options: RingOptions, begin: float, end: float, answered: bool
) -> list[_Ring]:
    """Candidates whose length fits the cadence, the others flagged ``cut``.

    A full ring spans the cadence's "on" part and is tone for most of it. A
    shorter one is ``edge`` when the recording start or the known answer cut
    it, else ``inner`` (it may only close a chain: the ring during which the
    call was answered). Longer ones (a continuous tone) are dropped.
    """
    pattern = ring_pattern(options)
    nominal = sum(pattern) - pattern[-1]
    on_total = sum(pattern[0::2])
    slack = options.cadence_tolerance * nominal + 0.15
    out = []
    for g in groups:
        d = g.end - g.start
        if d > nominal + slack:
            continue
        full = d >= nominal - slack and g.tone >= on_total * (1 - options.cadence_tolerance)
        at_edge = g.start - begin <= EDGE_SECONDS or (answered and end - g.end <= EDGE_SECONDS)
        g.cut = "" if full else ("edge" if at_edge else "inner")
        out.append(g)
    return out


def _chains(rings: list[_Ring], options: RingOptions) -> list[_Chain]:
    """Split rings into cadence-consistent chains (see the module docstring)."""
    period = ring_period(options)
    tol = options.cadence_tolerance * period
    chains: list[_Chain] = []
    errors: list[float] = []
    closed = False
    for r in rings:
        if chains and not closed:
            prev = chains[-1].spans[-1]
            steps = [r.start - prev[0]] if r.cut else [r.start - prev[0], r.end - prev[1]]
            best = min(
                (abs(d - k * period), k) for d in steps for k in range(1, MAX_SKIPPED_PERIODS + 2)
            )
            if best[0] <= tol:
                chains[-1].spans.append((r.start, r.end))
                chains[-1].rings += best[1]
                errors.append(best[0] / period)
                chains[-1].error = float(np.mean(errors))
                closed = r.cut == "inner"
                continue
        if r.cut == "inner":
            continue
        errors, closed = [], False
        chains.append(_Chain([(r.start, r.end)], 1, 0.0))
    return chains


def count_rings(
    frames: _Frames, hop: float, options: RingOptions, end: float, answered: bool
) -> tuple[_Chain | None, float]:
    """Find the ringback chain in ``frames`` up to ``end`` seconds.

    ``answered`` says that ``end`` is the known answer time, so a ring cut
    there is a ring; otherwise a short lone tone at the end is not counted.

    Returns:
        The chain (or None) and the mean tone share of its frames.
    """
    keep = frames.times <= end
    sub = _Frames(frames.times[keep], frames.ratio[keep], frames.tone[keep])
    groups = _ring_groups(_bursts(sub, hop, options), options)
    chains = _chains(_valid_rings(groups, options, 0.0, end, answered), options)
    if not chains:
        return None, 0.0
    best = max(chains, key=lambda c: (c.rings, -c.spans[0][0]))
    inside = np.zeros(sub.times.size, dtype=bool)
    for s, e in best.spans:
        inside |= (sub.times >= s) & (sub.times <= e) & sub.tone
    share = float(sub.ratio[inside].mean()) if inside.any() else 0.0
    return best, share


#: Seconds of audio :func:`detect_rings` analyses at a time (its memory is this block's).
FEED_SECONDS = 30.0


def detect_rings(
    samples: np.ndarray,
    sample_rate: int,
    options: RingOptions,
    answer_time: float | None = None,
) -> RingResult:
    """Count ringback rings heard in a recording before the answer.

    Args:
        samples: Mono float32 samples (for stereo, pass the channel mix).
        sample_rate: Their rate in Hz (8 kHz and up).
        options: Ring options: frequencies, cadence, thresholds.
        answer_time: Seconds into the recording when staff answered (first
            staff speech); rings whose tone starts before it count. When
            None, the answer is taken as the end of the last ring (a single
            short ring is then not trusted: pass the answer time).

    Returns:
        ``RingResult(source="audio")``: ``rings``, ``ring_spans`` (seconds in
        the recording), ``answer_time`` (seconds from the first ring's start
        to the answer; from the recording start when no ring was heard, None
        when neither is known) and ``confidence``.
    """
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError(f"detect_rings needs mono samples, got shape {x.shape}")
    duration = x.size / sample_rate
    end = duration if answer_time is None else max(0.0, min(answer_time, duration))
    tracker = ToneTracker(sample_rate, options)
    stop = int(math.ceil(end * sample_rate))
    step = int(FEED_SECONDS * sample_rate)  # a block at a time: frames of the whole call
    for at in range(0, stop, step):          # at once took gigabytes (issue 26 #3)
        tracker.feed(x[at:min(at + step, stop)])
    return ring_result(tracker, options, end, answer_time)


def ring_result(
    tracker: ToneTracker, options: RingOptions, end: float, answer_time: float | None
) -> RingResult:
    """Turn a tracker's frames into the :class:`RingResult` (see :func:`detect_rings`)."""
    frames = tracker.frames()
    chain, share = count_rings(
        frames, tracker.hop / tracker.sr, options, end, answer_time is not None
    )
    if chain is None:
        before = frames.ratio[frames.times <= end]
        doubt = float(np.mean(before >= options.min_tone_ratio)) if before.size else 0.0
        return RingResult(
            rings=0,
            source="audio",
            answer_time=answer_time,
            ring_spans=[],
            confidence=round(max(0.5, 0.95 - doubt), 3),
        )
    spans = [(round(float(s), 3), round(float(min(e, end)), 3)) for s, e in chain.spans]
    answer = answer_time if answer_time is not None else spans[-1][1]
    hidden = chain.rings - len(spans)
    confidence = min(1.0, 0.5 + 0.5 * share / 0.8) * (1.0 - min(chain.error, 0.5))
    confidence *= 0.8**hidden
    return RingResult(
        rings=chain.rings,
        source="audio",
        answer_time=round(float(max(0.0, answer - spans[0][0])), 3),
        ring_spans=spans,
        confidence=round(confidence, 3),
    )
