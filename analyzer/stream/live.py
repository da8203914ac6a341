"""Live analysis: audio chunks in, events out as soon as they are known.

:class:`StreamAnalyzer` takes PCM as it arrives (a counter microphone, a
phone line) and returns events:

the dataclasses of :mod:`analyzer.stream.events` (``ring``, ``answered``,
``partial``, ``utterance``, ``phrase``, ``finding``, then at
:meth:`StreamAnalyzer.close` the end-of-call findings and the scored
``report``), each with ``to_dict()``, the JSON object ``conduct stream``
prints, and ``emitted_at`` on the stream's clock.

Stages per chunk: convert to float -> resample to 16 kHz (PyAV) -> ring
tracking on the channel mix until the answer (:class:`analyzer.speech.rings.ToneTracker`)
-> Silero VAD per channel with its state carried across chunks (the model
faster-whisper bundles, on onnxruntime) -> an utterance is cut as the file
paths cut their speech pieces (:class:`~analyzer.options.VadOptions`, the same
frame arithmetic as faster-whisper's ``get_speech_timestamps``) -> while it
grows, it is decoded again every ``StreamOptions.partial_interval`` seconds of
new audio by the one recognition engine, and the words two hypotheses in a
row agree on are committed (:mod:`analyzer.stream.agreement`): ``partial``
events, and forbidden phrases matched (and acoustically verified) on the
committed text become findings at once -> once it has ended it is recognised
whole (:func:`analyzer.speech.engine.transcribe`, as the file path recognises
a piece) -> phrase matching (:func:`analyzer.text.match.find_phrases`) -> live
measures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.errors import AudioError
from analyzer.options import AnalyzerOptions, VadOptions
from analyzer.speech.rings import ToneTracker, count_rings, detect_rings
from analyzer.stream.agreement import LocalAgreement
from analyzer.stream.events import (
    AnsweredEvent,
    FindingEvent,
    PartialEvent,
    PhraseEvent,
    ReportEvent,
    RingEvent,
    StreamEvent,
    UtteranceEvent,
)
from analyzer.types import (
    CHANNELS,
    Finding,
    Interaction,
    InteractionReport,
    RingResult,
    Utterance,
    Word,
)

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon


SR = 16000  #: the analysis rate
VAD_FRAME = 512  #: Silero's frame at 16 kHz (32 ms)
VAD_CONTEXT = 64  #: samples of the previous frame Silero sees
#: A pause longer than this (ms) is where over-long speech is cut (faster-whisper's 98 ms).
CUT_PAUSE_MS = 98


@dataclass(frozen=True)
class CallInfo:
    """What is known about a live interaction besides its audio (a sidecar's fields)."""

    hall: str = ""
    window: str = ""
    staff: str = ""
    started_at: str = ""


class SileroStream:
    """Silero VAD speech probabilities, one per 512-sample frame, state carried across calls."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(VAD_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Probabilities of the frames completed by ``samples`` (16 kHz mono)."""
        buf = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        count = buf.size // VAD_FRAME
        self._pending = buf[count * VAD_FRAME:]
        if not count:
            return np.zeros(0, dtype=np.float32)
        frames = buf[: count * VAD_FRAME].reshape(count, VAD_FRAME)
        context = np.vstack([self._context[None, :], frames[:-1, -VAD_CONTEXT:]])
        self._context = frames[-1, -VAD_CONTEXT:].copy()
        batch = np.ascontiguousarray(np.concatenate([context, frames], axis=1))
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        return np.asarray(out, dtype=np.float32).reshape(-1)


class Segmenter:
    """Online speech segments from VAD probabilities (Silero's hysteresis).

    Speech starts at a frame with probability >= ``threshold`` and ends after
    ``min_silence`` frames below ``threshold - 0.15``. Speech longer than
    ``max_frames`` is cut at its last pause of ``pause`` frames or more, else hard.
    Frame numbers are absolute (frame ``i`` covers samples ``512 i ..``).
    :meth:`from_vad` builds it from the one VAD setting of every path.
    """

    def __init__(self, threshold: float, min_silence: int, min_speech: int, max_frames: int,
                 pause: int = 4) -> None:
        self.threshold = threshold
        self.neg = max(threshold - 0.15, 0.01)
        self.min_silence, self.min_speech, self.max_frames = min_silence, min_speech, max_frames
        self.pause = pause
        self.frame = 0
        self.start: int | None = None  # start frame of the speech in progress
        self._silence_from: int | None = None
        self._pause: int | None = None  # end of the last long enough pause inside the speech

    @classmethod
    def from_vad(cls, vad: VadOptions, threshold: float) -> Segmenter:
        """The segmenter that cuts speech as ``vad_pieces`` does with ``vad``.

        The frame counts follow faster-whisper's ``get_speech_timestamps``:
        speech ends once ``min_silence_ms`` of silence has passed, is kept
        when longer than ``min_speech_ms``, and is cut when longer than
        ``max_piece_seconds`` less one frame and both paddings.

        Args:
            vad: The VAD options (``analyzer.options.VadOptions``).
            threshold: The speech threshold of the line (``ASROptions.for_line``).
        """
        per_ms = SR / 1000 / VAD_FRAME
        longest = vad.max_piece_seconds * SR - VAD_FRAME - 2 * vad.pad_ms * SR / 1000
        return cls(threshold, math.ceil(vad.min_silence_ms * per_ms),
                   math.floor(vad.min_speech_ms * per_ms) + 1,
                   max(2, math.floor(longest / VAD_FRAME) + 1),
                   math.floor(CUT_PAUSE_MS * per_ms) + 1)

    def feed(self, probs: np.ndarray) -> list[tuple[int, int]]:
        """Advance over ``probs``; return the (start, end) frames of finished speech."""
        done: list[tuple[int, int]] = []
        for p in probs:
            i = self.frame
            self.frame += 1
            if self.start is None:
                if p >= self.threshold:
                    self.start, self._silence_from, self._pause = i, None, None
                continue
            if p >= self.threshold:
                self._silence_from = None
            elif p < self.neg:
                if self._silence_from is None:
                    self._silence_from = i
                if i - self._silence_from >= self.pause:
                    self._pause = self._silence_from
                if i - self._silence_from >= self.min_silence:
                    self._close(self._silence_from, done)
                    continue
            if i - self.start >= self.max_frames:
                pause = self._pause
                cut = pause if pause is not None and pause > self.start + self.min_speech else i
                self._close(cut, done)
                self.start = cut  # the speech after the cut goes on
        return done

    def in_pause(self) -> bool:
        """True when speech is in progress but its latest frames are silence."""
        return self.start is not None and self._silence_from is not None

    def flush(self) -> list[tuple[int, int]]:
        """Finish the speech in progress at the current frame."""
        done: list[tuple[int, int]] = []
        if self.start is not None:
            end = self._silence_from if self._silence_from is not None else self.frame
            self._close(end, done)
        return done

    def _close(self, end: int, done: list[tuple[int, int]]) -> None:
        if self.start is not None and end - self.start >= self.min_speech:
            done.append((self.start, end))
        self.start, self._silence_from, self._pause = None, None, None


@dataclass
class _Track:
    """One input channel: its speaker, VAD, segmenter, recent audio and growing utterance."""

    speaker: str
    known: bool
    vad: SileroStream
    seg: Segmenter
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    audio_from: int = 0  # absolute sample index of audio[0]
    agreement: LocalAgreement = field(default_factory=LocalAgreement)
    growing: int | None = None  # start frame of the utterance the agreement is about
    decoded_to: int = 0  # sample up to which the growing utterance was last decoded

    def append(self, x: np.ndarray, keep_from: int) -> None:
        self.audio = np.concatenate([self.audio, x])
        drop = max(0, keep_from - self.audio_from)
        if drop:
            self.audio = self.audio[drop:]
            self.audio_from += drop

    def clip(self, a: int, b: int) -> np.ndarray:
        return self.audio[max(0, a - self.audio_from): max(0, b - self.audio_from)]


class StreamAnalyzer:
    """Analyze one interaction as its audio arrives.

    Args:
        options: Analyzer options (ASR, rings, acoustics...); defaults when None.
        sample_rate: Input rate in Hz (any; resampled to 16 kHz).
        channels: 1 or 2. Stereo maps its channels to ``asr.stereo_speakers``
            (staff, citizen); mono to ``asr.mono_roles`` (``auto``: the clerk; speaker
            not known).
        channel: ``phone`` (rings, answer, hang-up are judged) or ``counter``.
        interaction_id: Id of the final report.
        lexicon: A loaded lexicon; default: the one ``options.lexicon`` names.
        transcriber: Replaces :func:`analyzer.speech.engine.transcribe` (same signature),
            e.g. for a batched recogniser.
        clock: Seconds on the stream's clock, read when events come out
            (``emitted_at``): a live line's wall clock since its first audio.
            None: the audio consumed so far (a replay as fast as it goes).
        about: Hall, window, staff and ``started_at`` of the interaction
            (the final report's; keys as in a recording's sidecar).

    Call :meth:`feed` with each chunk and :meth:`close` at the end; both
    return the events produced (see the module docstring).
    """

    def __init__(
        self,
        options: AnalyzerOptions | None = None,
        sample_rate: int = SR,
        channels: int = 1,
        *,
        channel: str = "phone",
        interaction_id: str = "stream",
        lexicon: Lexicon | None = None,
        transcriber: Any = None,
        clock: Callable[[], float] | None = None,
        about: CallInfo | None = None,
    ) -> None:
        if channels not in (1, 2):
            raise AudioError(f"streams have 1 or 2 channels, got {channels}", source=interaction_id)
        if sample_rate < 8000:
            raise AudioError(f"sample rate {sample_rate} Hz is below 8000 Hz", source=interaction_id)
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, got {channel!r}")
        self.options = options or AnalyzerOptions()
        self.sample_rate, self.channels, self.channel = int(sample_rate), channels, channel
        self.id = interaction_id
        self.sopts = self.options.stream
        self._clock = clock
        self.about = about or CallInfo()
        from analyzer.pipeline import get_lexicon

        self.lexicon = lexicon if lexicon is not None else get_lexicon(self.options)
        #: the recognition options of this line (phone band: the phone VAD threshold)
        self._line = self.options.asr.for_line(self.sample_rate, channel)
        if transcriber is None:
            from analyzer.speech.engine import transcribe as transcriber
        self._transcribe = transcriber
        from analyzer.speech.verify import get_verifier

        verifier = get_verifier(self.options, self.lexicon)
        #: the verifier before and after the clerk's first words (owed greetings)
        self._verifiers = None if verifier is None else (
            verifier.scoped(first=True, last=False), verifier.scoped(first=False, last=False))
        self._resampler = _Resampler(self.sample_rate, channels)
        self._tracks = [self._make_track(i) for i in range(channels)]
        self._ring = ToneTracker(SR, self.options.rings) if channel == "phone" else None
        self._pre_answer: list[np.ndarray] = []
        self.samples = 0  # 16 kHz samples consumed
        self.rings_counted = 0
        self.answer_time: float | None = None
        self.utterances: list[Utterance] = []
        self._levels: list[tuple[Utterance, float]] = []
        self._emitted: list[Finding] = []
        self._hit_keys: set[tuple[str, float, float]] = set()
        self._leftover = b""
        self._closed = False
        self.compute_seconds = 0.0  # wall time spent in feed/close
        #: What :meth:`close` analysed and found (for the results database).
        self.interaction: Interaction | None = None
        self.report: InteractionReport | None = None
        self.ring: RingResult | None = None
        self.audio_findings: tuple[Finding, ...] = ()
        self.asr_info: dict[str, Any] = {}

    def warm(self) -> None:
        """Load the speech model and the phrase matcher now, not at the first utterance."""
        from analyzer.speech.asr import get_model
        from analyzer.speech.engine import transcribe
        from analyzer.text.match import get_matcher

        get_matcher(self.lexicon, ("forbidden", "required", "cue"), self.options.match.max_slot_chars)
        if self._transcribe is transcribe:
            from analyzer.speech.engine import get_engine

            get_model(self.options.asr)
            get_engine(self._line, self.options.pack)

    # ------------------------------------------------------------------ input
    def _make_track(self, i: int) -> _Track:
        asr = self.options.asr
        # live, a mono line cannot be told apart by voice before the call ends: "auto"
        # hears the microphone's owner, the clerk (speaker not known), as "staff" does
        mono = "staff" if asr.mono_roles == "auto" else asr.mono_roles
        speaker = asr.stereo_speakers[i] if self.channels == 2 else mono
        seg = Segmenter.from_vad(self._line.vad, self._line.vad.threshold)
        return _Track(speaker, self.channels == 2, SileroStream(), seg)

    def _to_float(self, chunk: bytes | np.ndarray) -> np.ndarray:
        """Chunk -> float32 (channels, n) at the input rate."""
        if isinstance(chunk, (bytes, bytearray, memoryview)):
            data = self._leftover + bytes(chunk)
            frame = 2 * self.channels
            usable = len(data) - len(data) % frame
            self._leftover = data[usable:]
            x = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0
            return x.reshape(-1, self.channels).T
        x = np.asarray(chunk)
        if x.dtype == np.int16:
            x = x.astype(np.float32) / 32768.0
        x = x.astype(np.float32, copy=False)
        if x.ndim == 1 and x.size % self.channels == 0:
            return x.reshape(-1, self.channels).T
        if x.ndim == 2 and x.shape[0] == self.channels:
            return x
        if x.ndim == 2 and x.shape[1] == self.channels:
            return x.T
        raise AudioError(f"chunk of shape {x.shape} does not have {self.channels} channel(s)",
                         source=self.id)

    # ------------------------------------------------------------------ feed
    def feed(self, chunk: bytes | np.ndarray) -> Iterator[StreamEvent]:
        """Consume one chunk: int16 bytes (interleaved s16le) or an int16/float32 array.

        Arrays may be 1-D (interleaved), ``(channels, n)`` or ``(n, channels)``.
        The work is done before this returns; the events are returned as an iterator.
        """
        if self._closed:
            raise AudioError("feed() after close()", source=self.id)
        t0 = time.perf_counter()
        events = self._process(self._resampler.feed(self._to_float(chunk)))
        self.compute_seconds += time.perf_counter() - t0
        return iter(self._stamped(events))

    def close(self) -> Iterator[StreamEvent]:
        """End of the interaction: flush, then the end-of-call findings and the report."""
        if self._closed:
            return iter(())
        t0 = time.perf_counter()
        events = self._process(self._resampler.flush(), final=True)
        self._closed = True
        events += self._final_events()
        self.compute_seconds += time.perf_counter() - t0
        return iter(self._stamped(events))

    def _stamped(self, events: list[StreamEvent]) -> list[StreamEvent]:
        """The events with ``emitted_at``: now, on the stream's clock."""
        at = round(self._clock() if self._clock is not None else self.now, 3)
        return [replace(e, emitted_at=at) for e in events]

    def lag(self) -> float:
        """Seconds the analysis is behind the line (its clock less the audio consumed;
        0 on the audio clock). Partial decoding waits while it exceeds ``partial_interval``."""
        return 0.0 if self._clock is None else self._clock() - self.now

    @property
    def now(self) -> float:
        """Stream seconds consumed so far."""
        return self.samples / SR

    def _process(self, x: np.ndarray, final: bool = False) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        start = self.samples
        if x.shape[1]:
            self.samples += x.shape[1]
            events += self._rings(x)
        finished: list[tuple[int, int, _Track]] = []
        for track, samples in zip(self._tracks, x, strict=True):
            pad = int(self.options.asr.vad.pad_ms * SR / 1000)
            first = track.seg.start if track.seg.start is not None else self.samples // VAD_FRAME
            track.append(samples, min(first * VAD_FRAME, start) - pad - SR)
            done = track.seg.feed(track.vad.feed(samples))
            if final:
                done += track.seg.flush()
            events += self._answer(track, done)
            finished += [(b, a, track) for a, b in done]
        for b, a, track in sorted(finished, key=lambda item: item[:2]):  # in the order they ended
            events += self._utterance(track, a, b)
        if not final:
            for track in self._tracks:
                events += self._partial(track)
        events += self._ignoring()
        return events

    # ------------------------------------------------------------------ rings
    def _rings(self, x: np.ndarray) -> list[StreamEvent]:
        if self._ring is None or self.answer_time is not None:
            return []
        if self.now > self.sopts.max_ring_seconds:
            return []  # nobody answered for minutes: stop listening for rings
        mix = x.mean(axis=0)
        if sum(a.size for a in self._pre_answer) < self.sopts.max_ring_seconds * SR:
            self._pre_answer.append(mix)
        self._ring.feed(mix)
        chain, _ = count_rings(self._ring.frames(), self._ring.hop / SR, self._ring_confirm(), self.now,
                               answered=True)
        if chain is None:
            return []
        events = []
        while self.rings_counted < chain.rings:
            self.rings_counted += 1
            idx = min(self.rings_counted, len(chain.spans)) - 1
            t = round(float(chain.spans[idx][0]), 3)
            events.append(RingEvent(self.rings_counted, t))
            if self.rings_counted == self.options.rings.max_rings + 1:
                events += self._live_findings(self._ring_findings(self.rings_counted, chain.spans))
        return events

    def _ring_confirm(self) -> Any:
        """Ring options as the live counter uses them: a ring counts after ``confirm_seconds``."""
        from dataclasses import replace

        return replace(self.options.rings, min_tone_seconds=self.options.rings.confirm_seconds)

    def _ring_findings(self, rings: int, spans: list[tuple[float, float]]) -> list[Finding]:
        from analyzer.pipeline import ring_findings

        ring = RingResult(rings=rings, source="audio", answer_time=None,
                          ring_spans=[(round(s, 3), round(e, 3)) for s, e in spans], confidence=0.9)
        return ring_findings(ring, self.options, self.lexicon)

    def _answer(self, track: _Track, done: list[tuple[int, int]]) -> list[StreamEvent]:
        """Staff speech (finished, or going on long enough) answers a phone call.

        Speech that is mostly ringback tone does not answer it.
        """
        if self._ring is None or self.answer_time is not None or track.speaker != "staff":
            return []
        need = self.sopts.answer_min_speech_ms * SR / 1000 / VAD_FRAME
        spans = [(a, b) for a, b in done if b - a >= need]
        if track.seg.start is not None and track.seg.frame - track.seg.start >= need:
            spans.append((track.seg.start, track.seg.frame))
        frames = self._ring.frames()
        for a, b in sorted(spans):
            t0, t1 = a * VAD_FRAME / SR, b * VAD_FRAME / SR
            inside = (frames.times >= t0) & (frames.times <= t1)
            if inside.any() and frames.tone[inside].mean() > 0.5:
                continue  # the "speech" is the ringback tone
            self.answer_time = t0
            return [AnsweredEvent(round(t0, 3), self.rings_counted)]
        return []

    # -------------------------------------------------------------- speech
    def _utterance(self, track: _Track, a: int, b: int) -> list[StreamEvent]:
        pad = int(self.options.asr.vad.pad_ms * SR / 1000)
        lo, hi = max(0, a * VAD_FRAME - pad), min(self.samples, b * VAD_FRAME + pad)
        if track.growing == a:
            track.growing = None  # the utterance has ended: its final recognition follows
        utts = self._recognise(track, lo, hi)
        events: list[StreamEvent] = []
        for u in utts:
            self.utterances.append(u)
            events.append(UtteranceEvent(len(self.utterances) - 1, u))
            if u.speaker == "staff":
                events += self._shout(track, u)
        if utts:
            events += self._phrases()
        return events

    def _partial(self, track: _Track) -> list[StreamEvent]:
        """Decode a growing utterance again once ``partial_interval`` s of audio are new.

        Skipped while the line is more than ``partial_interval`` behind
        (:meth:`lag`): each decoding costs a full encoder pass, and a line
        that falls behind must catch up before it decodes anything twice;
        and skipped during a pause, which may be the utterance's end (its
        final recognition must not wait behind a partial one).
        Returns a ``partial`` event, and the findings of forbidden phrases in
        the newly committed words.
        """
        interval = self.sopts.partial_interval
        start = track.seg.start
        if not interval or start is None or track.speaker not in self.sopts.partial_speakers:
            return []
        if track.growing != start:  # a new utterance: a new agreement
            track.growing, track.agreement = start, LocalAgreement()
            track.decoded_to = start * VAD_FRAME
        if self.samples - track.decoded_to < interval * SR or self.lag() > interval:
            return []  # not due yet, or the line is behind: the ended utterance will tell
        if track.seg.in_pause():
            return []  # the speaker paused: the utterance may be ending, its recognition next
        track.decoded_to = self.samples
        lo = max(0, start * VAD_FRAME - int(self.options.asr.vad.pad_ms * SR / 1000))
        utts = self._recognise(track, lo, self.samples)
        words = [w for u in utts for w in u.words]
        new = track.agreement.update(words)
        committed = track.agreement.committed
        events: list[StreamEvent] = [PartialEvent(
            track.speaker, round(start * VAD_FRAME / SR, 3), round(self.now, 3),
            _text(committed), _text(track.agreement.tentative()))]
        if new:
            heard = tuple(h for u in utts for h in u.heard if h.end <= committed[-1].end + 0.1)
            events += self._committed_findings(track, committed, heard)
        return events

    def _recognise(self, track: _Track, lo: int, hi: int) -> list[Utterance]:
        """The engine on the track's samples ``lo:hi`` (with the verifier, when there is one)."""
        extra = {}
        if self._verifiers is not None:
            spoke = any(u.speaker == "staff" for u in self.utterances)
            extra["verifier"] = self._verifiers[spoke]
        return self._transcribe(track.clip(lo, hi), self._line, speaker=track.speaker,
                                offset=lo / SR, speaker_known=track.known, cut=False, **extra)

    def _committed_findings(self, track: _Track, words: list[Word], heard: tuple[Any, ...]
                            ) -> list[StreamEvent]:
        """Findings of forbidden phrases in the committed words of a growing utterance."""
        from analyzer.rules.context import forbidden_findings
        from analyzer.text.match import find_phrases

        conf = float(np.mean([w.probability for w in words]))
        growing = Utterance(track.speaker, words[0].start, words[-1].end, _text(words),
                            tuple(words), conf, track.known, heard)
        utts = sorted([*self.utterances, growing], key=lambda u: u.start)
        hits = [h for h in find_phrases(utts, self.lexicon, self.options.match,
                                        kinds=("forbidden",))
                if h.speaker == track.speaker and h.end > growing.start]
        return self._live_findings(forbidden_findings(hits, utts, self.options.context))

    def _phrases(self) -> list[StreamEvent]:
        from analyzer.rules.context import forbidden_findings
        from analyzer.text.match import find_phrases

        utts = sorted(self.utterances, key=lambda u: u.start)
        events: list[StreamEvent] = []
        new = []
        for h in find_phrases(utts, self.lexicon, self.options.match):
            key = (h.rule.id, round(h.start, 2), round(h.end, 2))
            if key in self._hit_keys:
                continue
            self._hit_keys.add(key)
            new.append(h)
            if h.rule.kind != "forbidden":
                events.append(PhraseEvent(h.rule.id, h.rule.kind, h.speaker, round(h.start, 3),
                                          round(h.end, 3), h.evidence, round(h.confidence, 4)))
        return events + self._live_findings(forbidden_findings(new, utts, self.options.context),
                                            provisional=False)

    def _shout(self, track: _Track, u: Utterance) -> list[StreamEvent]:
        from analyzer.rules.acoustics import shout_findings, staff_levels

        audio = track.clip(int(u.start * SR), int(u.end * SR))
        moved = Utterance(u.speaker, 0.0, audio.size / SR, u.text)
        measured = staff_levels(audio, SR, [moved], self.options.acoustics)
        if not measured:
            return []
        self._levels.append((u, measured[0][1]))
        latest = [f for f in shout_findings(self._levels, self.options.acoustics, self.lexicon)
                  if f.start == u.start]
        return self._live_findings(latest)

    def _ignoring(self) -> list[StreamEvent]:
        """``A8-IGNORE`` as soon as the citizen has waited ``ignore_seconds``."""
        from analyzer.rules.acoustics import measure_finding, measure_rule

        limit = self.options.acoustics.ignore_seconds
        rule = measure_rule(self.lexicon, "A8-IGNORE")
        citizen = [u for u in self.utterances if u.speaker == "citizen"]
        if rule is None or not citizen or not any(u.speaker == "staff" for u in self.utterances):
            return []
        last = max(citizen, key=lambda u: u.end)
        staff_busy = any(t.speaker == "staff" and t.seg.start is not None for t in self._tracks)
        replied = any(u.speaker == "staff" and u.end > last.end for u in self.utterances)
        waited = self.now - last.end
        if replied or staff_busy or waited < limit:
            return []
        f = measure_finding(rule, "acoustic", "staff", last.start, round(self.now, 3),
                            evidence=f"no staff reply for {waited:.1f} s so far after the citizen "
                                     f"said: {last.text}",
                            confidence=0.7, detail={"silence_seconds": round(waited, 2),
                                                    "threshold_seconds": limit})
        return self._live_findings([f])

    def _live_findings(self, findings: list[Finding], provisional: bool = True) -> list[StreamEvent]:
        """Events for the findings not emitted yet (see :func:`_same_finding`)."""
        out: list[StreamEvent] = []
        for f in findings:
            if any(_same_finding(f, e) for e in self._emitted):
                continue
            self._emitted.append(f)
            out.append(FindingEvent(f, provisional))
        return out

    # -------------------------------------------------------------- close
    def _final_events(self) -> list[StreamEvent]:
        from analyzer.pipeline import analyze_interaction
        from analyzer.rules.acoustics import shout_findings

        ring = self._final_ring()
        interaction = Interaction(
            id=self.id, channel=self.channel, hall=self.about.hall, window=self.about.window,
            staff=self.about.staff, started_at=self.about.started_at,
            utterances=sorted(self.utterances, key=lambda u: u.start),
            source=self.id, duration=round(self.now, 3),
            meta={"stream": asdict(self.sopts)},
        )
        asr_info = self._asr_info()
        extra = shout_findings(self._levels, self.options.acoustics, self.lexicon)
        report = analyze_interaction(
            interaction, self.options, lexicon=self.lexicon, extra_findings=extra,
            ring=ring, asr_info=asr_info,
        )
        report.analyzer.stream = asdict(self.sopts)
        events: list[StreamEvent] = [FindingEvent(f, False) for f in report.findings
                                     if not any(_same_finding(f, e) for e in self._emitted)]
        self.interaction, self.report, self.ring = interaction, report, ring
        self.audio_findings = tuple(extra)
        self.asr_info = asr_info or {}
        return [*events, ReportEvent(report)]

    def _final_ring(self) -> RingResult | None:
        if self._ring is None:
            return None
        audio = np.concatenate(self._pre_answer) if self._pre_answer else np.zeros(0, np.float32)
        if audio.size < SR // 4:
            return RingResult(rings=0, source="audio", answer_time=self.answer_time, confidence=0.5)
        return detect_rings(audio, SR, self.options.rings, answer_time=self.answer_time)

    def _asr_info(self) -> dict[str, Any] | None:
        try:
            from analyzer.speech.asr import asr_info

            return asr_info(self.options.asr)
        except Exception:  # the audit block is best effort; the report must still come out
            return None


def _text(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()


def _same_finding(a: Finding, b: Finding) -> bool:
    """One breach found twice (a committed partial, then the ended utterance): the
    same rule, with times that overlap or lie within a second of each other."""
    if a.rule != b.rule:
        return False
    a0, b0 = a.start or 0.0, b.start or 0.0
    a1, b1 = a.end if a.end is not None else a0, b.end if b.end is not None else b0
    return min(a1, b1) - max(a0, b0) > -1.0


class _Resampler:
    """Streaming resampler to 16 kHz float32 (PyAV / libswresample, state kept)."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate, self.channels = rate, channels
        self._layout = "mono" if channels == 1 else "stereo"
        self._av = None
        if rate != SR:
            import av

            self._av = av.AudioResampler(format="fltp", layout=self._layout, rate=SR)
        self._pts = 0

    def feed(self, x: np.ndarray) -> np.ndarray:
        if self._av is None or x.shape[1] == 0:
            return np.ascontiguousarray(x, dtype=np.float32)
        import av

        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x, dtype=np.float32),
                                           format="fltp", layout=self._layout)
        frame.sample_rate = self.rate
        frame.pts = self._pts
        self._pts += x.shape[1]
        return self._collect(self._av.resample(frame))

    def flush(self) -> np.ndarray:
        if self._av is None:
            return np.zeros((self.channels, 0), dtype=np.float32)
        return self._collect(self._av.resample(None))

    def _collect(self, frames: list[Any]) -> np.ndarray:
        parts = [f.to_ndarray().reshape(self.channels, -1) for f in frames]
        if not parts:
            return np.zeros((self.channels, 0), dtype=np.float32)
        return np.concatenate(parts, axis=1).astype(np.float32, copy=False)
