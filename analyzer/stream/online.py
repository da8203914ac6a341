"""The online policy: when a live track's speech is recognised, and what is kept of it.

The recognizer (the ASR backend, :class:`analyzer.speech.tracks.Recognizer`:
the one recognition engine) knows nothing of streams; this policy decides
what it is asked, after whisper_streaming's separation of the two:

* an utterance that has ended is recognised whole, as the file path
  recognises a speech piece (:meth:`OnlinePolicy.recognise`);
* while an utterance grows, it is decoded again from its start every
  ``StreamOptions.partial_interval`` seconds of new audio, and the words two
  hypotheses in a row agree on are committed (LocalAgreement,
  :mod:`analyzer.stream.agreement`): :meth:`OnlinePolicy.partial`. Not while
  the line lags more than the interval behind (each decoding costs a full
  encoder pass, and a line that falls behind must catch up first), and not
  during a pause, which may be the utterance's end (its final recognition
  must not wait behind a partial one).

The acoustic verifier hears the clerk's owed phrases: scoped to the opening
until the clerk has first spoken, to neither end after that (a live call's
last words are not known before it ends).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analyzer.options import ASROptions, StreamOptions
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.stream.agreement import LocalAgreement
from analyzer.stream.events import PartialEvent
from analyzer.stream.frontend import VAD_FRAME, LiveTrack
from analyzer.stream.rules import text_of
from analyzer.types import Heard, Utterance, Word

if TYPE_CHECKING:
    from analyzer.speech.tracks import Recognizer
    from analyzer.speech.verify import Verifier


@dataclass
class Growing:
    """An utterance still going on, decoded again as it grows.

    Attributes:
        start: Its start frame.
        decoded_to: The sample up to which it was last decoded.
        agreement: Its committed words.
    """

    start: int
    decoded_to: int
    agreement: LocalAgreement = field(default_factory=LocalAgreement)


@dataclass(frozen=True)
class Partial:
    """What a partial decoding gave: its event, and the words it newly committed.

    Attributes:
        event: The ``partial`` event.
        committed: Every word committed so far (empty: nothing new was).
        heard: The verifier's phrases within the committed words.
    """

    event: PartialEvent
    committed: list[Word]
    heard: tuple[Heard, ...]


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
        #: the verifier before and after the clerk's first words (owed greetings)
        self._verifiers = None if verifier is None else (
            verifier.scoped(first=True, last=False), verifier.scoped(first=False, last=False))
        self._growing: dict[int, Growing] = {}

    def recognise(self, track: LiveTrack, lo: int, hi: int, staff_spoke: bool
                  ) -> list[Utterance]:
        """The recognizer on the track's samples ``lo:hi`` (one piece, at its place in the call)."""
        verifier = None if self._verifiers is None else self._verifiers[staff_spoke]
        clip = track.track.of(track.clip(lo, hi), offset=lo / SAMPLE_RATE)
        return self._recognizer().transcribe_many([clip], self.line, verifier=verifier,
                                                  cut=False)[0]

    def ended(self, k: int, start: int) -> None:
        """Track ``k``'s utterance that started at frame ``start`` has ended."""
        growing = self._growing.get(k)
        if growing is not None and growing.start == start:
            del self._growing[k]  # its final recognition follows

    def partial(self, k: int, track: LiveTrack, heard: int, lag: float, staff_spoke: bool
                ) -> Partial | None:
        """Decode track ``k``'s growing utterance again, when due (see the module docstring).

        Args:
            k: The track's index.
            track: The track.
            heard: Samples of the track passed through the front end so far.
            lag: Seconds the analysis is behind the line.
            staff_spoke: The clerk has spoken already (the verifier's scope).
        """
        interval = self.options.partial_interval
        start = track.seg.start
        if not interval or start is None or track.speaker not in self.options.partial_speakers:
            return None
        growing = self._growing.get(k)
        if growing is None or growing.start != start:  # a new utterance: a new agreement
            growing = self._growing[k] = Growing(start, start * VAD_FRAME)
        if heard - growing.decoded_to < interval * SAMPLE_RATE or lag > interval:
            return None  # not due yet, or the line is behind: the ended utterance will tell
        if track.seg.in_pause():
            return None  # the speaker paused: the utterance may be ending, its recognition next
        growing.decoded_to = heard
        lo = max(0, start * VAD_FRAME - self.pad)
        utts = self.recognise(track, lo, heard, staff_spoke)
        new = growing.agreement.update([w for u in utts for w in u.words])
        committed = growing.agreement.committed
        event = PartialEvent(track.speaker, round(start * VAD_FRAME / SAMPLE_RATE, 3),
                             round(heard / SAMPLE_RATE, 3), text_of(committed),
                             text_of(growing.agreement.tentative()))
        if not new:
            return Partial(event, [], ())
        said = tuple(h for u in utts for h in u.heard if h.end <= committed[-1].end + 0.1)
        return Partial(event, list(committed), said)
