"""Live analysis: audio chunks in, events out as soon as they are known.

:class:`StreamAnalyzer` takes PCM as it arrives (a counter microphone, a
phone line) and returns events, the dataclasses of
:mod:`analyzer.stream.events` (``ring``, ``answered``, ``partial``,
``utterance``, ``phrase``, ``finding``, then at :meth:`StreamAnalyzer.close`
the end-of-call findings and the scored ``report``), each with ``to_dict()``,
the JSON object ``conduct stream`` prints, and ``emitted_at`` on the stream's
clock.

It wires four parts, each a module with one job:

* the front end (:mod:`analyzer.stream.frontend`): decode, resample to
  16 kHz, silence crosstalk on a stereo line, VAD and speech segments, per
  track — the tracks and their roles resolved as for a recording
  (:func:`analyzer.speech.tracks.resolve_tracks`: the sidecar's or header's
  hall, ``asr.hall_speakers``, ``asr.stereo_speakers``);
* the online policy (:mod:`analyzer.stream.online`): an ended utterance
  recognised whole by the one recognition engine, a growing one decoded
  again and its agreed words committed;
* the live rules (:mod:`analyzer.stream.rules`): rings, the answer, phrases,
  forbidden phrases, shouting, a citizen left waiting;
* the analysis core at the end (:func:`analyzer.pipeline.conclude_call`):
  the call's audio and what was recognised go through what a recording goes
  through after recognition (crosstalk, background and mono speaker turns,
  levels, rings, loudness, matching, scoring), so the final report is the
  recording's. The attribution rules that need the whole call are named in
  its ``analyzer.asr.attribution.at_call_end``.

Memory: the call's 16 kHz samples go to a file as they arrive
(:class:`analyzer.stream.spool.SampleFile`); the line holds only the recent
audio its online policy needs, and the end of the call reads the file back
a block at a time, in the blocks a long recording is analysed in
(``recording.block_seconds``, :mod:`analyzer.speech.blocks`). So a call's
memory does not grow with its length.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.errors import AudioError
from analyzer.options import AnalyzerOptions
from analyzer.speech.band import LIVE_CHECKS, PHONE_RATE, narrow_channels
from analyzer.speech.band import SECONDS as BAND_SECONDS
from analyzer.speech.decode import SAMPLE_RATE, DecodedAudio
from analyzer.speech.meta import CallMeta
from analyzer.speech.tracks import Recognizer, Track, resolve_tracks
from analyzer.stream.again import FileBins, LivePiece
from analyzer.stream.events import (
    FindingEvent,
    ReportEvent,
    RevisionEvent,
    StreamEvent,
    UtteranceEvent,
)
from analyzer.stream.frontend import (
    VAD_FRAME,
    ChunkReader,
    LiveTrack,
    Resampler,
    Segmenter,
    SileroStream,
)
from analyzer.stream.online import OnlinePolicy
from analyzer.stream.rules import LiveRules
from analyzer.stream.spool import SampleFile
from analyzer.types import CHANNELS, Finding, Interaction, InteractionReport, RingResult, Utterance

if TYPE_CHECKING:
    from analyzer.pipeline.result import AnalysisResult
    from analyzer.speech.crosstalk import CrosstalkGate
    from analyzer.speech.recording import Heard
    from analyzer.text.lexicon import Lexicon


#: Seconds of kept-back speech recognised at once at the latest (about a 30 s bin, gaps
#: between the pieces included).
KEPT_SECONDS = 20.0
#: Seconds of the call a kept-back utterance waits for the engine to be free of the other
#: lines' requests (then it is recognised even so, once the clerk is silent; after twice
#: this, at once).
KEPT_WAIT = 6.0


class StreamAnalyzer:
    """Analyze one interaction as its audio arrives.

    Args:
        options: Analyzer options (ASR, rings, acoustics...); defaults when None.
        sample_rate: Input rate in Hz (any; resampled to 16 kHz).
        channels: 1 or 2. Roles as for a recording of the call
            (:func:`analyzer.speech.tracks.resolve_tracks`): stereo by the
            metadata's ``stereo_speakers``, the hall's mapping
            (``asr.hall_speakers``) or ``asr.stereo_speakers``; mono by
            ``asr.mono_roles`` (``auto``: heard as the clerk's, speaker not
            known, the speaker turns told apart when the call ends).
        channel: ``phone`` (rings, answer, hang-up are judged) or ``counter``.
        interaction_id: Id of the final report.
        lexicon: A loaded lexicon; default: the one ``options.lexicon`` names.
        recognizer: Hears the speech instead of the process's recognition
            engine for this line (:func:`analyzer.speech.engine.get_engine`
            with the line's options and ``options.pack``).
        clock: Seconds on the stream's clock, read when events come out
            (``emitted_at``): a live line's wall clock since its first audio.
            None: the audio consumed so far (a replay as fast as it goes).
        about: What else is known about the call (a sidecar's or a line
            header's fields: hall, window, staff, ``started_at``, roles).
        spill: The folder of the temporary file that keeps the call's 16 kHz
            audio (what the end-of-call analysis reads back, a block at a
            time); None: the system's temporary folder. Never held in memory.

    Call :meth:`feed` with each chunk and :meth:`close` at the end; both
    return the events produced (see the module docstring).
    """

    def __init__(
        self,
        options: AnalyzerOptions | None = None,
        sample_rate: int = SAMPLE_RATE,
        channels: int = 1,
        *,
        channel: str = "phone",
        interaction_id: str = "stream",
        lexicon: Lexicon | None = None,
        recognizer: Recognizer | None = None,
        clock: Callable[[], float] | None = None,
        about: CallMeta | None = None,
        spill: Path | None = None,
    ) -> None:
        if channels not in (1, 2):
            raise AudioError(f"streams have 1 or 2 channels, got {channels}", source=interaction_id)
        if sample_rate < 8000:
            raise AudioError(f"sample rate {sample_rate} Hz is below 8000 Hz", source=interaction_id)
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, got {channel!r}")
        from analyzer.pipeline import get_lexicon
        from analyzer.speech.verify import get_verifier

        self.options = options or AnalyzerOptions()
        self.sample_rate, self.channels, self.channel = int(sample_rate), channels, channel
        self.id = interaction_id
        self.sopts = self.options.stream
        self._clock = clock
        self.meta = replace(about or CallMeta(), id=interaction_id, channel=channel)
        self.lexicon = lexicon if lexicon is not None else get_lexicon(self.options)
        #: the recognition options of this line (phone band: the phone VAD threshold);
        #: a wideband stream is judged by its sound as it comes (:meth:`_judge_band`)
        self.line = self.options.asr.for_line(self.sample_rate, channel)
        self._band_checks = ([] if self.options.asr.for_line(PHONE_RATE, channel) == self.line
                             else list(LIVE_CHECKS))
        self._recognizer = recognizer
        self._own_recognizer = recognizer is None
        self.tracks = resolve_tracks(channels, self.options.asr, self.meta)
        self._reader = ChunkReader(channels, interaction_id)
        self._resampler = Resampler(self.sample_rate, channels)
        self._gate = self._crosstalk_gate()
        self._live = [LiveTrack(t, SileroStream(), Segmenter.from_vad(
            self.line.vad, self.line.vad.threshold)) for t in self.tracks]
        self.online = OnlinePolicy(self.recognizer, self.line, self.sopts,
                                   get_verifier(self.options, self.lexicon),
                                   int(self.options.asr.vad.pad_ms * SAMPLE_RATE / 1000))
        self.online.clock = lambda: self._clock() if self._clock is not None else self.now
        self.rules = LiveRules(self.options, self.lexicon, phone=channel == "phone",
                               ring_row=self._ring_row())
        self.audio = SampleFile(channels, spill or Path(tempfile.gettempdir()))
        self.heard = 0  # samples through the front end (crosstalk silenced, VAD)
        #: ended utterances kept back while the line is behind: (track, first sample, samples)
        self._kept: list[tuple[int, int, np.ndarray]] = []
        self.utterances: list[Utterance] = []
        self._closed = False
        self.compute_seconds = 0.0  # wall time spent in feed/close
        #: What :meth:`close` produced: the core's result (for the results database).
        self.result: AnalysisResult | None = None
        #: kept-back pieces handed to the clerk's request being decoded (fold_kept)
        self._folding: list[tuple[int, int, np.ndarray]] = []
        #: closed bins being heard again, in the order they closed, and the thread that
        #: hears them (so the line goes on hearing its clerk meanwhile)
        self._again: list[tuple[list[LivePiece], Future[list[list[Utterance]]]]] = []
        self._again_thread: ThreadPoolExecutor | None = None
        #: open bins being heard early (peeks), in the order asked
        self._peeks: list[tuple[list[LivePiece], Future[list[list[Utterance]]]]] = []
        if self.sopts.fold_kept:
            self.online.take_kept = self._take_kept
        if self.sopts.hear_again and self.options.pack.share != "any":
            # the file path's bins of one call (``any``: its bins hold other recordings)
            self.online.bins = FileBins(self.options.pack, self.line.vad.context_ms)
        #: the listener's scheduler counts its lines (periodic decoding while they are
        #: few); :meth:`release` tells it the line is gone
        self._close_line: Callable[[], None] | None = getattr(recognizer, "close_line", None)
        getattr(recognizer, "open_line", lambda: None)()

    def _ring_row(self) -> int | None:
        """Where the ringback is listened for, as the file path does: the citizen's
        track, else a mono line's one row, else the rows mixed."""
        citizen = next((t for t in self.tracks if t.speaker == "citizen"), None)
        if citizen is not None:
            return citizen.row
        return self.tracks[0].row if len(self.tracks) == 1 else None

    def _crosstalk_gate(self) -> CrosstalkGate | None:
        """A stereo line's crosstalk gate (the file path silences the same stretches)."""
        if self.channels != 2 or not self.options.attribution.enabled:
            return None
        from analyzer.speech.crosstalk import CrosstalkGate

        return CrosstalkGate([t.speaker for t in self.tracks], self.options.attribution,
                             SAMPLE_RATE)

    def recognizer(self) -> Recognizer:
        """The recognizer of this line: the one given, or the engine for its options through
        the process's one scheduler of lines on it
        (:func:`~analyzer.stream.scheduler.scheduler_of`)."""
        if self._recognizer is None:
            from analyzer.speech.engine import get_engine
            from analyzer.stream.scheduler import scheduler_of

            self._recognizer = scheduler_of(get_engine(self.line, self.options.pack),
                                            self.options)
        return self._recognizer

    def warm(self) -> None:
        """Load the speech model, the phrase matcher and the act detector now, not at the
        first utterance."""
        from analyzer.rules.acts import heard_acts
        from analyzer.text.match import get_matcher

        get_matcher(self.lexicon, ("forbidden", "required", "cue"),
                    self.options.match.max_slot_chars)
        heard_acts(["您好"], self.options)  # the act detector (paraphrases), loaded once
        self.recognizer()

    # -- what close() found, for the results database ----------------------

    @property
    def report(self) -> InteractionReport | None:
        """The final report (None before :meth:`close`)."""
        return None if self.result is None else self.result.report

    @property
    def interaction(self) -> Interaction | None:
        """The interaction analysed at the end (None before :meth:`close`)."""
        return None if self.result is None else self.result.interaction

    @property
    def ring(self) -> RingResult | None:
        """Rings before the answer, in the final report."""
        return None if self.result is None or self.result.audio is None else self.result.audio.ring

    @property
    def answer_time(self) -> float | None:
        """When staff answered a phone line (stream seconds), once known."""
        return self.rules.answer_time

    @property
    def rings_counted(self) -> int:
        """Rings counted live so far."""
        return self.rules.rings_counted

    # -- input ----------------------------------------------------------------

    def feed(self, chunk: bytes | np.ndarray) -> Iterator[StreamEvent]:
        """Consume one chunk: int16 bytes (interleaved s16le) or an int16/float32 array.

        Arrays may be 1-D (interleaved), ``(channels, n)`` or ``(n, channels)``.
        The work is done before this returns; the events are returned as an iterator.
        """
        if self._closed:
            raise AudioError("feed() after close()", source=self.id)
        t0 = time.perf_counter()
        events = self._process(self._resampler.feed(self._reader.read(chunk)))
        self.compute_seconds += time.perf_counter() - t0
        return iter(self._stamped(events))

    def close(self) -> Iterator[StreamEvent]:
        """End of the interaction: flush, then the end-of-call findings and the report.

        Raises:
            AnalyzerError: No speech was recognised and no ring heard (as for
                a recording: :func:`analyzer.pipeline.finish_recording`).
        """
        if self._closed:
            return iter(())
        t0 = time.perf_counter()
        events = self._process(self._resampler.flush(), final=True)
        self._closed = True
        try:
            events += self._conclude()
        finally:
            self.release()
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
        return self.audio.samples / SAMPLE_RATE

    @property
    def samples(self) -> int:
        """16 kHz samples consumed so far."""
        return self.audio.samples

    def _process(self, x: np.ndarray, final: bool = False) -> list[StreamEvent]:
        self._say_lag(0.0 if final else self.lag())
        self.audio.add(x)
        if self._band_checks and (final or self.now >= self._band_checks[0]):
            self._judge_band()
        events = self.rules.rings(x, self.now) if x.shape[1] else []
        heard = x if self._gate is None else self._gate.feed(x)
        if final and self._gate is not None:
            heard = np.concatenate([heard, self._gate.flush()], axis=1)
        start, self.heard = self.heard, self.heard + int(heard.shape[1])
        pad = int(self.options.asr.vad.pad_ms * SAMPLE_RATE / 1000)
        finished: list[tuple[int, int, int]] = []
        for k, (track, samples) in enumerate(zip(self._live, heard, strict=True)):
            first = track.seg.start if track.seg.start is not None else self.heard // VAD_FRAME
            track.append(samples, min(first * VAD_FRAME, start) - pad - SAMPLE_RATE)
            done = track.seg.feed(track.vad.feed(samples))
            if final:
                done += track.seg.flush()
            events += self.rules.answer(track, done)
            finished += [(b, a, k) for a, b in done]
        self._say_talk(not final and any(t.seg.start is not None for k, t in
                                         enumerate(self._live) if self._early_track(k)))
        for b, a, k in sorted(finished):  # context for every decoding from now on
            self.online.ended(self._live[k], a, b, self.heard)
        # the clerk's track first (its phrases are what a supervisor waits for); each
        # track's ended utterances in the order they ended, then its growing one
        for k in sorted(range(len(self._live)), key=lambda k: not self._early_track(k)):
            for b, a, _ in sorted(f for f in finished if f[2] == k):
                events += self._held_back(k, a, b) if self._hold(k) else self._utterance(k, a, b)
            if not final:
                events += self._early(k, self._live[k])
        if self._kept and (final or self._kept_due()):
            events += self._recognise_kept()
        bins = self.online.bins
        if bins is not None:
            if not final:  # a bin the speech under way cannot join is complete
                bins.seal([(t, t.seg.start * VAD_FRAME, (t.seg.least_end() or 0) * VAD_FRAME)
                           for t in self._live if t.seg.start is not None])
            # heard again as soon as it closes, every piece of it told first (a bin holding
            # a kept-back utterance waits for it, and the bins after it for it)
            for pieces in bins.flush() if final else bins.take(self._told_piece):
                self._hear_again(pieces)
            for pieces in [] if final or self._kept else self._to_peek(bins):
                self._peek(pieces)
        if final:  # the closed bins tell the rest
            for _, peeked in self._peeks:
                peeked.cancel()
        events += self._heard_again(wait=final)
        events += self._peeked()
        events += self.rules.ignoring(self.utterances, self._live, self.now)
        return events

    def _told_piece(self, piece: LivePiece) -> bool:
        """The first hearing of ``piece`` is told (it is not among the kept-back utterances,
        nor among those a clerk's request is decoding)."""
        return not any(self._live[k] is piece.live and lo < piece.end
                       and piece.start < lo + x.size
                       for k, lo, x in [*self._kept, *self._folding])

    def _say_talk(self, talks: bool) -> None:
        """Tell the listener's scheduler whether the line's clerk is speaking now (it holds
        the closed bins' second hearings meanwhile: ``stream.again_hold_talk``)."""
        say = getattr(self._recognizer, "talking", None)
        if say is not None:
            say(self, talks)

    def _say_lag(self, seconds: float) -> None:
        """Tell the listener's scheduler how far the line lags its audio (it holds the
        closed bins' second hearings while a line lags: ``stream.again_hold_lag``)."""
        say = getattr(self._recognizer, "lagging", None)  # (none made yet: nothing to say)
        if say is not None:
            say(self, seconds)

    def _judge_band(self) -> None:
        """Hear the line as a telephone line from now on when its audio so far is
        telephone band by content, as the file path hears a recording of it
        (:func:`analyzer.speech.band.narrow_channels`; the interaction's channel is
        not changed). Judged at each of :data:`~analyzer.speech.band.LIVE_CHECKS`
        seconds, on the first :data:`~analyzer.speech.band.SECONDS` at most."""
        while self._band_checks and self.now >= self._band_checks[0]:
            self._band_checks.pop(0)
        upto = int(min(self.now, BAND_SECONDS) * SAMPLE_RATE)
        narrow = narrow_channels((self.audio.clip(row, 0, upto) for row in range(self.channels)),
                                 SAMPLE_RATE)
        line = self.options.asr.for_line(PHONE_RATE if narrow else self.sample_rate,
                                         self.channel)
        if line == self.line:
            return
        self.line = self.online.line = line
        for track in self._live:
            track.seg.retune(line.vad.threshold)
        if self._own_recognizer:  # the engine of the line's options, from the next request
            self._recognizer = None

    def _hold(self, k: int) -> bool:
        """Keep track ``k``'s ended utterance back (``stream.defer_behind``): its speech is
        not decoded early (the citizen's) and the line is behind, the engine is hearing
        other lines (a request now would wait behind them, and this line's clerk's next
        clause behind it), or others wait already (they are told in the order they were
        said)."""
        return (bool(self.sopts.defer_behind) and not self._early_track(k)
                and (bool(self._kept) or self.lag() > self.sopts.defer_behind
                     or self._engine_busy() or self._fold()))

    def _fold(self) -> bool:
        """Kept-back utterances wait for the clerk's next request (``stream.fold_kept``, with
        several lines on the engine)."""
        lines = getattr(self.recognizer(), "lines", lambda: 1)()
        return self.sopts.fold_kept and lines > 1

    def _kept_due(self) -> bool:
        """The kept-back utterances are recognised now: the line has caught up, and the
        clerk is silent (a clause that ended while the line's thread waited for the
        citizen's words would wait too) with the engine free or the first of them
        waiting :data:`KEPT_WAIT` seconds — or it has waited twice that (never for ever)."""
        if self.lag() > self.sopts.defer_behind:
            return False
        _, lo, first = self._kept[0]
        waited = (self.heard - lo - first.size) / SAMPLE_RATE
        clerk_talks = any(t.seg.start is not None for k, t in enumerate(self._live)
                          if self._early_track(k))
        free = not self._engine_busy() and not self._fold()
        return (waited >= 2 * KEPT_WAIT
                or (not clerk_talks and (free or waited >= KEPT_WAIT)))

    def _engine_busy(self) -> bool:
        """The recognizer is hearing or holding other requests (the listener's other lines;
        a recognizer that does not say is taken as free)."""
        return bool(getattr(self.recognizer(), "busy", lambda: False)())

    def _held_back(self, k: int, a: int, b: int) -> list[StreamEvent]:
        """Keep an ended utterance back while the line is behind; recognise what was kept
        once it fills about a bin (one encoder pass for all of it)."""
        lo, hi = self.online.span(a, b, self.heard)
        self._kept.append((k, lo, self._live[k].clip(lo, hi).copy()))
        if sum(x.size for _, _, x in self._kept) / SAMPLE_RATE < KEPT_SECONDS:
            return []
        return self._recognise_kept()

    def _recognise_kept(self) -> list[StreamEvent]:
        """The utterances kept back, recognised together and told."""
        kept, self._kept = self._kept, []
        got = self.online.recognise_together(
            [(lo, x, self._live[k].track) for k, lo, x in kept], self._staff_spoke())
        events: list[StreamEvent] = self._told_rechecked()
        for (k, _, _), utts in zip(kept, got, strict=True):
            events += self._told(k, utts)
        return events

    def _early_track(self, k: int) -> bool:
        """Track ``k``'s speech is decoded before its utterances end."""
        return self._live[k].speaker in self.sopts.partial_speakers

    def _staff_spoke(self) -> bool:
        return any(u.speaker == "staff" for u in self.utterances)

    def _utterance(self, k: int, a: int, b: int) -> list[StreamEvent]:
        """An utterance has ended: recognised whole (or at its final pause), told, and judged."""
        utts = self.online.recognise(k, self._live[k], a, b, self.heard, self._staff_spoke())
        return [*self._told_rechecked(), *self._told_folded(), *self._told(k, utts)]

    def _take_kept(self, starts: set[int]) -> list[tuple[int, np.ndarray, Track]]:
        """The kept-back utterances that start at one of ``starts`` (samples: the pieces
        of the clerk's request's context), in time order, for that request
        (``stream.fold_kept``: decoded there from their own start, on its encoder output);
        the others stay kept. None with one line on the engine (kept while it was behind:
        they are heard together once it has caught up)."""
        if not self._fold():
            return []
        self._folding = sorted((x for x in self._kept if x[1] in starts), key=lambda x: x[1])
        self._kept = [x for x in self._kept if x[1] not in starts]
        return [(lo, x, self._live[k].track) for k, lo, x in self._folding]

    def _told_folded(self) -> list[StreamEvent]:
        """The kept-back utterances the clerk's latest request decoded, told."""
        folding, self._folding = self._folding, []
        heard, self.online.folded = self.online.folded, []
        events: list[StreamEvent] = []
        for (k, _, _), utts in zip(folding, heard, strict=True):
            events += self._told(k, utts)
        return events

    def _told(self, k: int, utts: list[Utterance]) -> list[StreamEvent]:
        """Track ``k``'s recognised utterances: told, kept, and judged."""
        track = self._live[k]
        events: list[StreamEvent] = []
        for u in utts:
            self.utterances.append(u)
            track.heard.append(u)
            if len(track.heard) > 1 and track.heard[-2].start > u.start:  # kept back
                track.heard.sort(key=lambda x: x.start)
            events.append(UtteranceEvent(len(self.utterances) - 1, u))
            if u.speaker == "staff" and track.track.row is not None:
                clip = self.audio.clip(track.track.row, int(u.start * SAMPLE_RATE),
                                       int(u.end * SAMPLE_RATE))
                events += self.rules.shout(u, clip)
        if utts:
            events += self.rules.phrases(self.utterances, utts)
            self._suspect(track, utts)
        return events

    def _suspect(self, track: LiveTrack, utts: list[Utterance]) -> None:
        """Mark the clerk's clauses whose first hearing tried a forbidden phrase and rejected
        it, for a peek at their open bin (``stream.peek_suspects``,
        :meth:`~analyzer.stream.again.FileBins.suspect`) and a re-check on the line's next
        first hearings (``stream.recheck_suspects``, :meth:`OnlinePolicy.suspect`)."""
        bins = self.online.bins
        near = False
        for u in utts:
            tried = {h.rule for h in u.heard if h.rule in self.lexicon
                     and self.lexicon.get(h.rule).kind == "forbidden"}
            if tried - {h.rule for h in u.heard if h.accepted}:
                near = True
                if bins is not None and self.sopts.peek_suspects:
                    bins.suspect(track, u.start, u.end)
        if near:
            self.online.suspect(utts)

    def _told_rechecked(self) -> list[StreamEvent]:
        """The forbidden phrases the latest request's re-checks of suspect clauses heard
        (:meth:`OnlinePolicy.context`), told as the second hearing's: the transcript keeps
        the first hearing's words, and a clause told is peeked at and re-checked no more."""
        events: list[StreamEvent] = []
        taken, self.online.rechecked = self.online.rechecked, []
        for suspect, fresh in taken:
            a, b = suspect.span
            others = [u for u in self.utterances if not (u.start < b and u.end > a)]
            events += self._tell_again(fresh, others)
        return events

    def _tell_again(self, fresh: list[Utterance], others: list[Utterance]) -> list[StreamEvent]:
        """``fresh`` words heard again (a re-check or a peek) told as a second hearing's
        findings beside the ``others`` already heard; each forbidden phrase told settles its
        span (no peek or re-check there again)."""
        told = self.rules.early(fresh, others, again=True)
        for e in told:
            if isinstance(e, FindingEvent):
                self._settled(e.finding.start or 0.0, e.finding.end or 0.0)
        return told

    def _settled(self, start: float, end: float) -> None:
        """A forbidden phrase told over ``start``-``end`` (s): no peek or re-check there."""
        if self.online.bins is not None:
            self.online.bins.told(start, end)
        self.online.settled(start, end)

    def _hear_again(self, pieces: list[LivePiece]) -> None:
        """Hear a closed bin of the call again as the file path hears it
        (:mod:`analyzer.stream.again`), in a thread of its own: the line goes on hearing
        its clerk meanwhile (a second hearing waits behind the clerks' first hearings in
        the listener's scheduler; done in the line's thread it held the line's next
        clause behind it)."""
        before = pieces[0].start / SAMPLE_RATE
        spoke = any(u.speaker == "staff" and u.start < before for u in self.utterances)
        self._again.append((pieces, self._again_pool().submit(self.online.hear_again, pieces,
                                                               spoke)))

    def _again_pool(self) -> ThreadPoolExecutor:
        """The line's threads of second hearings (two: a peek need not wait for the line's
        closed bin being heard; the scheduler orders their stages)."""
        if self._again_thread is None:
            self._again_thread = ThreadPoolExecutor(2, thread_name_prefix=f"again-{self.id}")
        return self._again_thread

    def _to_peek(self, bins: FileBins) -> list[list[LivePiece]]:
        """The open bins to peek at now (:meth:`~analyzer.stream.again.FileBins.peek`), with
        the speech under way on each track (``stream.peek_after``)."""
        pad = int(self.options.asr.vad.pad_ms * SAMPLE_RATE / 1000)
        growing = [(t, max(0, t.seg.start * VAD_FRAME - pad), self.heard)
                   for t in self._live if t.seg.start is not None]
        return bins.peek(growing, int(self.sopts.peek_after * SAMPLE_RATE))

    def _peek(self, pieces: list[LivePiece]) -> None:
        """Hear an open bin of the call early (:meth:`~analyzer.stream.again.FileBins.peek`),
        for its forbidden phrases only."""
        before = pieces[0].start / SAMPLE_RATE
        spoke = any(u.speaker == "staff" and u.start < before for u in self.utterances)
        self._peeks.append((pieces, self._again_pool().submit(
            self.online.hear_again, pieces, spoke, True)))

    def _peeked(self) -> list[StreamEvent]:
        """The forbidden phrases of the peeks heard so far, told as the second hearing's
        (the words of the transcript are not touched)."""
        events: list[StreamEvent] = []
        done = [p for p in self._peeks if p[1].done()]
        self._peeks = [p for p in self._peeks if not p[1].done()]
        for pieces, heard in done:
            fresh = [u for utts in heard.result() for u in utts]
            spans = [(p.start / SAMPLE_RATE, p.end / SAMPLE_RATE) for p in pieces]
            others = [u for u in self.utterances
                      if not any(u.start < b and u.end > a for a, b in spans)]
            events += self._tell_again(fresh, others)
        return events

    def _heard_again(self, wait: bool) -> list[StreamEvent]:
        """The closed bins heard again so far (``wait``: all of them), in order: their words
        replace the first hearing's (the report's words; the screen keeps the events it
        was told), and the live rules judge them — a forbidden phrase the first hearing
        missed is told now."""
        events: list[StreamEvent] = []
        while self._again and (wait or self._again[0][1].done()):
            pieces, heard = self._again.pop(0)
            fresh: list[Utterance] = []
            for piece, utts in zip(pieces, heard.result(), strict=True):
                fresh += utts
                events += self._replace(piece, utts)
            if fresh:
                events += self.rules.phrases(self.utterances, fresh, told=False)
        return events

    def _replace(self, piece: LivePiece, utts: list[Utterance]) -> list[StreamEvent]:
        """The utterances the first hearing gave ``piece``, replaced by ``utts``; a
        ``revision`` event for the screen where the words changed."""
        track = piece.live
        start, end = piece.start / SAMPLE_RATE, piece.end / SAMPLE_RATE
        old = [u for u in track.heard if u.start < end and u.end > start]
        gone = {id(u) for u in old}
        at = next((i for i, u in enumerate(self.utterances) if id(u) in gone),
                  len(self.utterances))
        self.utterances[:] = [u for u in self.utterances if id(u) not in gone]
        self.utterances[at:at] = utts
        track.heard[:] = sorted([u for u in track.heard if id(u) not in gone] + utts,
                                key=lambda u: u.start)
        if [u.text for u in old] == [u.text for u in utts]:
            return []
        return [RevisionEvent(track.speaker, round(start, 3), round(end, 3),
                              tuple(u.start for u in old), tuple(utts))]

    def _early(self, k: int, track: LiveTrack) -> list[StreamEvent]:
        """A growing utterance decoded before it ended: its ``partial`` event, and the
        forbidden phrases its hypothesis already shows."""
        got = self.online.early(k, track, self.heard, self.lag(), self._staff_spoke())
        if got is None:
            return []
        return [*self._told_rechecked(), *self._told_folded(), got.event,
                *self.rules.early(got.hypothesis, self.utterances)]

    # -- the end of the call ----------------------------------------------------

    def _conclude(self) -> list[StreamEvent]:
        """The call through the analysis core, read back a block at a time: end-of-call
        findings and the report."""
        from analyzer.pipeline import conclude_call

        meta = replace(self.meta, extra={**self.meta.extra, "stream": asdict(self.sopts)})
        blocks = self.audio.blocks(self.options.recording.block_seconds,
                                   native_rate=self.sample_rate, source=self.id)
        result = conclude_call(blocks, partial(self._heard_in, meta), meta, self.options,
                               lexicon=self.lexicon, source=self.id, asr_info=self._asr_info())
        result.report.analyzer.stream = asdict(self.sopts)
        self.result = result
        return [*self.rules.final(result.report), ReportEvent(result.report)]

    def _heard_in(self, meta: CallMeta, block: DecodedAudio,
                  layout: tuple[list[Track], float | None] | None) -> Heard:
        """What the line recognised in ``block`` (at block time), on the tracks the first
        block decided: one mix sent twice is one track, as the file path hears it."""
        from analyzer.speech.attribution import same_mix
        from analyzer.speech.blocks import dropped_in, heard_in
        from analyzer.speech.recording import Heard

        if layout is None:
            correlation = (same_mix(block.samples, self.options.attribution)
                           if self._gate is not None else None)
            tracks = (self.tracks if correlation is None else
                      resolve_tracks(2, self.options.asr, self.meta, same_mix=True))
        else:
            tracks, correlation = layout
        heard = [heard_in(block, t.heard) for t in self._live]
        if correlation is not None:
            heard = [[replace(u, speaker=tracks[0].speaker, speaker_known=False)
                      for u in heard[0]]]
        silenced = dropped_in(block, self._gate.dropped) if self._gate is not None else ()
        return Heard(block, tracks, heard, meta, correlation, silenced,
                     at_call_end=self._at_call_end(tracks, correlation))

    def release(self) -> None:
        """Drop the call's kept audio (after :meth:`close`, or when the line is abandoned)."""
        if self._again_thread is not None:  # an abandoned line's second hearings: dropped
            self._again_thread.shutdown(wait=False, cancel_futures=True)
            self._again_thread = None
        self.audio.close()
        close_line, self._close_line = self._close_line, None
        if close_line is not None:  # once
            self._say_lag(0.0)  # gone: holds nothing up
            self._say_talk(False)
            close_line()

    def _at_call_end(self, tracks: list[Track], correlation: float | None) -> tuple[str, ...]:
        """The attribution rules that ran only when the call ended."""
        if not self.options.attribution.enabled:
            return ()
        rules = ["same_mix"] if correlation is not None else []
        rules += ["crosstalk"] if len(tracks) == 2 else []
        rules += ["background"]
        if len(tracks) == 1 and self.options.asr.mono_roles == "auto":
            rules.append("speaker_turns")
        return tuple(rules)

    def _asr_info(self) -> dict[str, Any] | None:
        try:
            from analyzer.speech.asr import asr_info

            return asr_info(self.options.asr)
        except Exception:  # the audit block is best effort; the report must still come out
            return None

    @property
    def audio_findings(self) -> tuple[Finding, ...]:
        """Findings only the call's audio gave (loudness), in the final result."""
        return () if self.result is None or self.result.audio is None else \
            self.result.audio.findings
