"""The online policy: when a live track's speech is recognised, and what is kept of it.

The recognizer (the ASR backend, :class:`analyzer.speech.tracks.Recognizer`:
the one recognition engine) knows nothing of streams; this policy decides
what it is asked, after whisper_streaming's separation of the two:

* **at a pause** (:meth:`OnlinePolicy.early`): once the speaker of a
  growing utterance has been silent for the VAD's padding
  (``asr.vad.pad_ms``), the utterance so far is recognised — exactly the
  samples its final recognition would take if the silence goes on to
  ``asr.vad.min_silence_ms`` and ends it (``StreamOptions.decode_at_pause``).
  A clause boundary is where a phrase is decided, so a phrase said there is
  heard about 0.3 s after its end instead of after the end of the utterance
  plus a recognition (not while the utterance so far is shorter than
  ``StreamOptions.pause_min_seconds``: too short to hold any forbidden phrase,
  it waits for its next pause or its end); and when the utterance does end there, its final
  recognition is that one (:meth:`OnlinePolicy.recognise` reuses it: the
  window has not changed), so the utterance's event comes without a second
  encoder pass;
* **while an utterance grows** without pauses, it is decoded again from its
  start every ``StreamOptions.partial_interval`` seconds of new audio, and
  the words two hypotheses in a row agree on are committed (LocalAgreement,
  :mod:`analyzer.stream.agreement`) — for the rolling transcript only. Not
  while the line lags more than the interval behind (each decoding costs a
  full encoder pass, and a line that falls behind must catch up first), nor
  while the listener's engine is hearing another line (the recognizer's
  ``busy()``: a periodic decoding would then be stale before it started, and
  the other lines' clauses at their pauses would wait behind it), nor while
  more than ``StreamOptions.partial_lines`` lines share the engine (each is a
  full encoder pass; with four calls on a CPU they took a fifth of the
  engine's ticks, and another line's clause that ended during one waited
  for it);
* **an ended utterance** is recognised whole, as the file path recognises a
  speech piece, unless a decoding at its pause already did.

Only the tracks of ``StreamOptions.partial_speakers`` (the clerk's: forbidden
phrases are the staff's) are decoded before their utterance ends; the
citizen's words come when each utterance ends.

Every early decoding returns the whole hypothesis with what the acoustic
verifier heard in it (the verifier runs on that decoding's own encoder
output, inside the engine), so the live rules can tell a forbidden phrase
at once (:meth:`analyzer.stream.rules.LiveRules.early`) rather than after a
second, agreeing decoding.

The acoustic verifier hears the clerk's owed phrases: scoped to the opening
until the clerk has first spoken, to neither end after that (a live call's
last words are not known before it ends).

Every recognition asked is traced (:class:`DecodeTrace`, the latest
:data:`TRACES_KEPT` in :attr:`OnlinePolicy.traces`): when it was asked and
answered on the stream's clock, how long it was held behind the other lines'
clerks, queued in the engine, and spent in each stage of its batch — where a
finding's latency went (``benchmarks/stream_latency.py --profile``).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from analyzer.options import ASROptions, StreamOptions
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.speech.packing import GAP_SECONDS
from analyzer.stream.agreement import LocalAgreement
from analyzer.stream.events import PartialEvent
from analyzer.stream.frontend import VAD_FRAME, LiveTrack
from analyzer.stream.rules import text_of
from analyzer.types import Utterance

if TYPE_CHECKING:
    from analyzer.speech.tracks import Recognizer, Track
    from analyzer.speech.verify import Verifier
    from analyzer.stream.again import FileBins, LivePiece


#: Samples of ended pieces kept as context (one 30 s bin).
BIN_SAMPLES = 30 * SAMPLE_RATE
#: Recognitions whose trace a line keeps (the latest).
TRACES_KEPT = 2048
#: First hearings a suspect clause is re-checked in, at most (each costs alignments only).
RECHECKS = 3


@dataclass(frozen=True)
class DecodeTrace:
    """One recognition a live line asked for, and where its time went.

    Attributes:
        kind: ``pause`` (at a pause), ``periodic`` (while the speaker talks
            on), ``end`` (an ended utterance not decoded at its pause),
            ``deferred`` (ended utterances kept back while the line was behind,
            recognised together), ``again`` (a closed bin heard again,
            :mod:`analyzer.stream.again`) or ``peek`` (an open bin heard early).
        speaker: Whose speech.
        audio_end: Where the decoded samples end (stream seconds).
        asked: When it was asked (the stream's clock).
        answered: When its words came back (the stream's clock).
        held: Seconds it waited for its turn in the line scheduler (behind other
            lines' requests: :class:`~analyzer.stream.scheduler.Prioritised`).
        queued: Seconds waiting in the engine for its batch to start.
        stages: Seconds of each stage of its batch (``encoder``, ``decoder``,
            ``align``, ``verify``); empty where the recognizer does not say.
        bins: Bins in its batch.
        context: Seconds of context before the piece.
    """

    kind: str
    speaker: str
    audio_end: float
    asked: float
    answered: float
    held: float = 0.0
    queued: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    bins: int = 0
    context: float = 0.0


@dataclass
class Growing:
    """An utterance still going on, decoded again as it grows.

    Attributes:
        start: Its start frame.
        decoded_to: The sample up to which it was last decoded.
        agreement: Its committed words.
        paused_at: The frame where the silence of its latest decoding at a
            pause began (None: none yet).
        at_pause: What that decoding gave (the utterance's final recognition
            if it ends at ``paused_at``).
        short_at: The frame where the silence of its latest pause too short to decode
            began (``StreamOptions.pause_min_seconds``).
    """

    start: int
    decoded_to: int
    agreement: LocalAgreement = field(default_factory=LocalAgreement)
    paused_at: int | None = None
    at_pause: list[Utterance] = field(default_factory=list)
    short_at: int | None = None


@dataclass
class Suspect:
    """A clerk's clause in which the acoustic verifier tried a forbidden phrase and rejected
    it, re-checked on later first hearings' encoder output (``stream.recheck_suspects``).

    Attributes:
        utterances: Its piece's first-hearing utterances (recording times).
        tries: First hearings it was re-checked in so far.
    """

    utterances: list[Utterance]
    tries: int = 0

    @property
    def span(self) -> tuple[float, float]:
        """Where its utterances lie (s)."""
        return self.utterances[0].start, self.utterances[-1].end


@dataclass(frozen=True)
class Partial:
    """What an early decoding gave.

    Attributes:
        event: The ``partial`` event.
        hypothesis: The decoding's utterances (all its words, with what the
            acoustic verifier heard in them).
        at_pause: True when decoded at a pause (the words run up to silence).
    """

    event: PartialEvent
    hypothesis: list[Utterance]
    at_pause: bool


class OnlinePolicy:
    """What a live line's recognizer is asked, and when (see the module docstring).

    Args:
        recognizer: Gives the recognizer (asked on first use: a stand-in, or
            the process's engine for this line's options).
        line: The line's recognition options (its VAD threshold).
        options: The stream's options.
        verifier: The acoustic verifier (None: text only).
        pad: VAD padding in samples around a speech segment.
    """

    def __init__(self, recognizer: Callable[[], Recognizer], line: ASROptions,
                 options: StreamOptions, verifier: Verifier | None, pad: int) -> None:
        self._recognizer = recognizer
        self.line = line
        self.options = options
        self.pad = pad
        #: samples of context Whisper hears either side of a piece (``asr.vad.context_ms``)
        self.around = int(line.vad.context_ms * SAMPLE_RATE / 1000)
        #: where each track's last ended speech ended (sample), so no context reaches into it
        self._spoke_until: dict[int, int] = {}
        #: the verifier before and after the clerk's first words (owed greetings)
        self._verifiers = None if verifier is None else (
            verifier.scoped(first=True, last=False), verifier.scoped(first=False, last=False))
        self._growing: dict[int, Growing] = {}
        #: the call's latest ended pieces: (first sample, samples, track)
        self._recent: deque[tuple[int, np.ndarray, Track]] = deque()
        #: recognitions asked (``decodes``) and final ones taken from a pause's (``reused``)
        self.counts: dict[str, int] = {"decodes": 0, "reused": 0, "early": 0, "again": 0,
                                       "peek": 0, "short": 0}
        #: the stream's clock (the line sets it; default: wall seconds)
        self.clock: Callable[[], float] = time.perf_counter
        #: the latest recognitions' traces (see :class:`DecodeTrace`)
        self.traces: deque[DecodeTrace] = deque(maxlen=TRACES_KEPT)
        #: gives the line's kept-back pieces that start at one of the given samples (those
        #: in a clerk's request's context), to decode there too (``StreamOptions.fold_kept``;
        #: the line sets it), in time order: ``(first sample, samples, track)``
        self.take_kept: Callable[[set[int]], list[tuple[int, np.ndarray, Track]]] | None = None
        #: what those pieces were heard as, per piece (the line takes it after each request)
        self.folded: list[list[Utterance]] = []
        #: the call's pieces in the file path's bins, heard again as each closes
        #: (``StreamOptions.hear_again``; the line sets it: :mod:`analyzer.stream.again`)
        self.bins: FileBins | None = None
        #: suspect clauses still to re-check (``StreamOptions.recheck_suspects``)
        self.suspects: list[Suspect] = []
        #: re-checks asked in the request under way: (its index among the tracks, suspect)
        self._rechecking: list[tuple[int, Suspect]] = []
        #: re-checks heard: (suspect, its utterances with what was heard); the line takes them
        self.rechecked: list[tuple[Suspect, list[Utterance]]] = []

    def _decode(self, k: int, track: LiveTrack, span: tuple[int, int], heard: int,
                staff_spoke: bool, kind: str) -> list[Utterance]:
        """The recognizer on the track's samples ``span`` (one piece, at its place in the
        call), after the call's latest speech as its context (:meth:`context`). Whisper
        hears the piece with the audio around it as a file's piece is heard
        (:func:`~analyzer.speech.packing.heard_span`: up to the track's previous speech
        and what has been heard so far)."""
        from analyzer.speech.packing import heard_span

        verifier = None if self._verifiers is None else self._verifiers[staff_spoke]
        limits = (max(track.audio_from, self._spoke_until.get(k, 0)), heard)
        lo, hi = heard_span(span, limits, self.line.vad.context_ms)
        clip = replace(track.track.of(track.clip(lo, hi), offset=lo / SAMPLE_RATE),
                       lead=(span[0] - lo) / SAMPLE_RATE, trail=(hi - span[1]) / SAMPLE_RATE)
        self.counts["decodes"] += 1
        context = self.context(span[0], clip.samples.size)  # the bin as without folding
        if kind != "periodic" and self.take_kept is not None:  # kept-back pieces in it: heard
            folded = {lo for lo, _, _ in self.take_kept(
                {int(round(t.offset * SAMPLE_RATE)) for t in context})}
            context = [replace(t, hear=True) if int(round(t.offset * SAMPLE_RATE)) in folded
                       else t for t in context]
        recognizer, asked = self._recognizer(), self.clock()
        got = recognizer.transcribe_many(self._windowed([*context, clip]), self.line,
                                         verifier=verifier, cut=False)
        self._took_rechecks(got)
        self.folded = [got[i] for i, t in enumerate(context) if t.hear]
        self.traces.append(_trace(recognizer, kind, track.speaker, hi / SAMPLE_RATE, asked,
                                  self.clock(), sum(t.samples.size for t in context)))
        return got[-1]

    def context(self, lo: int, size: int) -> list[Track]:
        """The call's latest ended pieces before sample ``lo``, in time order, as
        context tracks: up to ``StreamOptions.context_seconds`` of speech, and never
        more than the 30 s bin holds beside a piece of ``size`` samples.

        A recording's pieces share a bin with the conversation around them
        (:class:`~analyzer.options.PackOptions` ``share="recording"``); a piece
        alone in a 30 s bin is heard far worse (a short phone-line clause came
        out as "OP-10到2-11遍" alone and as "我不知道,你千万别人" after the
        citizen's question). The live piece gets the conversation before it
        (``StreamOptions.first_window_seconds`` under 30: as much as that window holds).
        """
        room = min(self.options.context_seconds,
                   self._bin_room() - size / SAMPLE_RATE - GAP_SECONDS)
        out: list[tuple[Track, Suspect | None]] = []
        after = size / SAMPLE_RATE  # speech after each context piece in the bin
        for start, samples, role in reversed(self._recent):
            seconds = samples.size / SAMPLE_RATE
            if start + samples.size > lo:
                continue  # still overlapping the piece (the other party talking over it)
            if seconds + GAP_SECONDS > room:
                break
            room -= seconds + GAP_SECONDS
            out.append(self._recheck(replace(role.of(samples, offset=start / SAMPLE_RATE),
                                             context=True), after))
            after += seconds
        out.reverse()
        self._rechecking = [(i, s) for i, (_, s) in enumerate(out) if s is not None]
        return [t for t, _ in out]

    def _bin_room(self) -> float:
        """Seconds a first hearing's bin holds (``StreamOptions.first_window_seconds``
        less the silence a shortened window keeps after its audio; 30: a full bin)."""
        from analyzer.speech.packing import BIN_SECONDS, WINDOW_TAIL_SECONDS

        window = self.options.first_window_seconds
        return BIN_SECONDS if window >= BIN_SECONDS else window - WINDOW_TAIL_SECONDS

    def _windowed(self, tracks: list[Track]) -> list[Track]:
        """A first hearing's tracks, heard in ``StreamOptions.first_window_seconds`` of
        encoder input (:attr:`Track.window`; 30: as they are)."""
        from analyzer.speech.packing import BIN_SECONDS

        window = self.options.first_window_seconds
        return tracks if window >= BIN_SECONDS else [replace(t, window=window) for t in tracks]

    def _recheck(self, track: Track, after: float) -> tuple[Track, Suspect | None]:
        """``track`` (a context piece) with the words of a suspect clause it holds to
        re-check (``StreamOptions.recheck_suspects``), where ``after`` seconds of speech
        follow it in the bin (``StreamOptions.peek_after``, as a peek needs) and it has
        re-checks left; and that suspect (None: nothing to re-check)."""
        if (not self.options.recheck_suspects or not self.options.context_seconds
                or after < self.options.peek_after):
            return track, None
        lo, hi = track.offset, track.offset + track.samples.size / SAMPLE_RATE
        for suspect in self.suspects:
            a, b = suspect.span
            if (suspect.tries < RECHECKS and a < hi and lo < b
                    and track.speaker == suspect.utterances[0].speaker):
                suspect.tries += 1
                words = tuple(w for u in suspect.utterances for w in u.words)
                return replace(track, recheck=words), suspect
        return track, None

    def _peeked(self, track: Track) -> Track:
        """A peek's piece (``StreamOptions.peek`` ``clause`` or ``align``) as a context track
        of a first hearing (not decoded as the bin's own speech). One holding a suspect
        clause is decoded from its own start (``clause``: :attr:`Track.hear`) or has the
        clause's first-hearing words re-checked (``align``: :attr:`Track.recheck`), on the
        peek bin's encoder output, and is verified."""
        lo, hi = track.offset, track.offset + track.samples.size / SAMPLE_RATE
        words = tuple(w for s in self.suspects
                      if s.span[0] < hi and lo < s.span[1]
                      and s.utterances[0].speaker == track.speaker
                      for u in s.utterances for w in u.words)
        track = replace(track, context=True, again=False, peek=False)
        if self.options.peek == "clause":
            return replace(track, hear=bool(words))
        return replace(track, recheck=words)

    def _took_rechecks(self, got: list[list[Utterance]]) -> None:
        """Keep what the request's re-checked context pieces were heard as (the line takes
        it: :attr:`rechecked`)."""
        for i, suspect in self._rechecking:
            if got[i]:
                self.rechecked.append((suspect, got[i]))
        self._rechecking = []

    def suspect(self, utterances: list[Utterance]) -> None:
        """A clerk's piece whose first hearing tried a forbidden phrase and rejected it:
        re-check it on later first hearings (``StreamOptions.recheck_suspects``) and in its
        peeks (``StreamOptions.peek`` ``clause``, ``align``); kept while a bin may hold it."""
        if not utterances:
            return
        end = utterances[-1].end
        self.suspects = [s for s in self.suspects if s.span[1] > end - BIN_SAMPLES / SAMPLE_RATE]
        self.suspects.append(Suspect(list(utterances)))

    def settled(self, start: float, end: float) -> None:
        """A forbidden phrase was told over ``start``-``end`` (s): the suspects there are
        re-checked no more."""
        self.suspects = [s for s in self.suspects
                         if not (s.span[0] < end and start < s.span[1])]

    def span(self, a: int, b: int, heard: int) -> tuple[int, int]:
        """The samples of the utterance of VAD frames ``a``-``b`` (its padding included)."""
        return max(0, a * VAD_FRAME - self.pad), min(heard, b * VAD_FRAME + self.pad)

    def ended(self, track: LiveTrack, a: int, b: int, heard: int) -> None:
        """An utterance of frames ``a``-``b`` has ended: its piece is context for the pieces
        after it from now on, whether or not it has been recognised yet.

        The line calls this for every utterance that ended in a chunk before it asks
        for any recognition, and the pieces are kept in time order, so a piece's
        context is the speech before it whatever the order its line recognises
        things in, and however large the chunks it is fed (a line behind takes its
        backlog in steps of seconds: with the context taken as the recognitions came
        back, a clerk's clause decoded before the citizen's question that preceded it
        lost that question, and with it the words of a forbidden phrase).
        """
        lo, hi = self.span(a, b, heard)
        if self.bins is not None:
            self.bins.add(track, (lo, hi), b * VAD_FRAME, heard)
        if not self.options.context_seconds:
            return
        self._recent.append((lo, track.clip(lo, hi).copy(), track.track))
        if len(self._recent) > 1 and self._recent[-2][0] > lo:
            self._recent = deque(sorted(self._recent, key=lambda r: r[0]))
        while sum(s.size for _, s, _ in self._recent) > BIN_SAMPLES:
            self._recent.popleft()

    def recognise(self, k: int, track: LiveTrack, a: int, b: int, heard: int,
                  staff_spoke: bool) -> list[Utterance]:
        """Track ``k``'s utterance of frames ``a``-``b`` has ended: its final recognition
        (call :meth:`ended` first).

        The decoding at its last pause when that pause is where it ended
        (the same samples), else a recognition of its piece now.
        """
        growing = self._growing.pop(k, None)
        lo, hi = self.span(a, b, heard)
        if growing is not None and growing.start == a and growing.paused_at == b:
            self.counts["reused"] += 1
            self._spoke_until[k] = b * VAD_FRAME
            return growing.at_pause
        utts = self._decode(k, track, (lo, hi), heard, staff_spoke, "end")
        self._spoke_until[k] = b * VAD_FRAME  # the next piece's context stops here
        return utts

    def recognise_together(self, ended: list[tuple[int, np.ndarray, Track]], staff_spoke: bool
                           ) -> list[list[Utterance]]:
        """Ended utterances kept back while the line was behind, recognised in one
        request (pieces of one call share bins: one encoder pass for up to a bin of
        them), each at its place in the call, after the same context a single piece
        gets (:meth:`context`: the call's speech before the first of them, as much as the
        bin holds beside them); their utterances per piece.

        Args:
            ended: ``(first sample, samples, track)`` of each piece, in time order.
            staff_spoke: The clerk has spoken already (the verifier's scope).
        """
        verifier = None if self._verifiers is None else self._verifiers[staff_spoke]
        tracks = [role.of(samples, offset=lo / SAMPLE_RATE) for lo, samples, role in ended]
        size = sum(t.samples.size + int(GAP_SECONDS * SAMPLE_RATE) for t in tracks[1:])
        context = self.context(ended[0][0], ended[0][1].size + size)  # as a single piece's
        self.counts["decodes"] += 1
        recognizer, asked = self._recognizer(), self.clock()
        got = recognizer.transcribe_many(self._windowed([*context, *tracks]), self.line,
                                          verifier=verifier, cut=False)
        self._took_rechecks(got)
        got = got[len(context):]
        end = (ended[-1][0] + ended[-1][1].size) / SAMPLE_RATE
        self.traces.append(_trace(recognizer, "deferred", ended[-1][2].speaker, end, asked,
                                  self.clock(), sum(t.samples.size for t in context)))
        return got

    def hear_again(self, pieces: list[LivePiece], staff_spoke: bool, peek: bool = False
                   ) -> list[list[Utterance]]:
        """A closed bin of the call (:class:`~analyzer.stream.again.FileBins`) heard again
        as the file path hears it: its pieces, each with its context either side, in one
        request and so in one bin, decoded from the bin's start; the utterances per piece.

        Args:
            pieces: The bin's pieces, in time order.
            staff_spoke: The clerk had spoken before the bin (the verifier's scope: the
                owed greetings are tried in the bin where the clerk first spoke).
            peek: An open bin heard early (:meth:`~analyzer.stream.again.FileBins.peek`).
        """
        verifier = None if self._verifiers is None else self._verifiers[staff_spoke]
        tracks = [p.track(peek) for p in pieces]
        if peek and self.options.peek != "bin":
            tracks = [self._peeked(t) for t in tracks]
            if not any(t.recheck or t.hear for t in tracks):
                return [[] for _ in pieces]  # its suspects were told meanwhile
        self.counts["peek" if peek else "again"] += 1
        recognizer, asked = self._recognizer(), self.clock()
        got = recognizer.transcribe_many(tracks, self.line, verifier=verifier, cut=False)
        self.traces.append(_trace(recognizer, "peek" if peek else "again",
                                  pieces[-1].live.speaker,
                                  pieces[-1].end / SAMPLE_RATE, asked, self.clock(), 0))
        return got

    def early(self, k: int, track: LiveTrack, heard: int, lag: float, staff_spoke: bool
              ) -> Partial | None:
        """Decode track ``k``'s growing utterance now, when due (see the module docstring).

        Args:
            k: The track's index.
            track: The track.
            heard: Samples of the track passed through the front end so far.
            lag: Seconds the analysis is behind the line.
            staff_spoke: The clerk has spoken already (the verifier's scope).
        """
        start = track.seg.start
        if start is None or track.speaker not in self.options.partial_speakers:
            return None
        growing = self._growing.get(k)
        if growing is None or growing.start != start:  # a new utterance: a new agreement
            growing = self._growing[k] = Growing(start, start * VAD_FRAME)
        lo = max(0, start * VAD_FRAME - self.pad)
        silence = track.seg.silence_from
        if silence is not None:  # the speaker paused
            hi = silence * VAD_FRAME + self.pad
            # the piece is heard with its trailing context (as the file path and the final
            # recognition hear it), so the decoding waits for that much silence
            if (not self.options.decode_at_pause or growing.paused_at == silence
                    or hi + self.around > heard or silence - start < track.seg.min_speech):
                return None  # off, decoded at this pause already, or the padding not heard yet
            if (silence - start) * VAD_FRAME < self.options.pause_min_seconds * SAMPLE_RATE:
                # too short to hold a phrase: its next pause or its end tells it
                self.counts["short"] += growing.short_at != silence
                growing.short_at = silence
                return None
            utts = self._decode(k, track, (lo, hi), heard, staff_spoke, "pause")
            growing.paused_at, growing.at_pause, growing.decoded_to = silence, utts, hi
            return self._told(track.speaker, growing, utts, hi, at_pause=True)
        interval = self.options.partial_interval
        if not interval or heard - growing.decoded_to < interval * SAMPLE_RATE or lag > interval:
            return None  # off, not due yet, or the line is behind: the utterance's end will tell
        recognizer = self._recognizer()
        if getattr(recognizer, "busy", lambda: False)():
            return None  # other lines are being heard: their clauses first, this one is stale
        most = self.options.partial_lines
        if most and getattr(recognizer, "lines", lambda: 1)() > most:
            return None  # the engine's spare time is the other lines' clauses'

        growing.decoded_to = heard
        return self._told(track.speaker, growing,
                          self._decode(k, track, (lo, heard), heard, staff_spoke, "periodic"),
                          heard, at_pause=False)

    def _told(self, speaker: str, growing: Growing, utts: list[Utterance], end: int, *,
              at_pause: bool) -> Partial:
        """The ``partial`` event of a decoding, its words put to the agreement."""
        self.counts["early"] += 1
        growing.agreement.update([w for u in utts for w in u.words])
        committed = growing.agreement.committed
        event = PartialEvent(speaker, round(growing.start * VAD_FRAME / SAMPLE_RATE, 3),
                             round(end / SAMPLE_RATE, 3), text_of(committed),
                             text_of(growing.agreement.tentative()))
        return Partial(event, utts, at_pause)


def _trace(recognizer: Recognizer, kind: str, speaker: str, audio_end: float, asked: float,
           answered: float, context: int) -> DecodeTrace:
    """The trace of one recognition, with what the recognizer says of how it was
    served (the engine's :class:`~analyzer.speech.engine.Served`, the line scheduler's
    hold), where it says it."""
    served = getattr(recognizer, "last_served", lambda: None)()
    held = getattr(recognizer, "last_held", lambda: 0.0)()
    return DecodeTrace(kind, speaker, round(audio_end, 3), round(asked, 3), round(answered, 3),
                       round(held, 3), round(served.queued, 3) if served else 0.0,
                       {k: round(v, 3) for k, v in served.stages.items()} if served else {},
                       served.bins if served else 0, round(context / SAMPLE_RATE, 2))
