"""The second hearing: a live call's speech heard again in the bins the file path gives it.

Whisper's encoder attends over its whole 30 s window, so what else is in a
clause's bin changes its words. The file path (``conduct analyze``, the
batch) lays a recording's speech pieces end to end, in time order, in bins
of up to 30 s (:class:`~analyzer.speech.packing.Packer`, ``pack.share``
``"recording"``): a clerk's clause is heard with the conversation before
**and after** it. A live line hears each clause as it ends, after the speech
before it only (:meth:`analyzer.stream.online.OnlinePolicy.context`).

Measured on ``call-d`` of the live benchmark (``benchmarks/live_calls.py``):
the clause 我就是这样的，你能把我怎么样 came out word for word in the file
path's bin (A9-F-04, an exact hit) and as 我就是这样的，你能把我存在吗 live —
with one call fed as fast as possible too, so neither the load nor the live
piece cuts (the same pieces, to the sample) nor the rules: only the bin. In
twelve other layouts of that clause's bin (the speech before it, with or
without the speech after it, decoded from the bin's start or after the
context) the words differed again, and the acoustic verifier gave the said
phrase 0.70-0.82 (its bar: 0.8): the file path's hit rested on the speech
after the clause.

:class:`FileBins` therefore lays the call's ended pieces out as the file
path does — each heard with ``asr.vad.context_ms`` of audio either side, up
to the track's neighbouring speech (:func:`~analyzer.speech.packing.heard_span`,
the one rule of every path), in time order, a bin closed when the next piece
does not fit (:meth:`~analyzer.speech.packing.Bin.fits`) — and the line
hears each closed bin once more (``StreamOptions.hear_again``), from a thread of
its own while it goes on hearing its clerk — on a listener a stage at a time, each
only while no line's first hearing waits (:class:`~analyzer.stream.scheduler.Prioritised`,
so a bin heard again never holds a clerk's clause up for longer than one stage): its words
replace the first hearing's, the live rules judge them as they judged the
first (:meth:`analyzer.stream.rules.LiveRules.phrases`), and the call's last
bin is heard again when the call ends. So the forbidden phrases the file
path finds in a bin are found while the call runs, once the speech after
them has filled the bin (at most 30 s of speech later), and the stored
report is the file path's hearing of the call. The first hearing still tells
what it hears at once; the second adds what it missed.

A bin closes up to 30 s of speech after a clause in it, too late for a
finding a supervisor acts on during the call. So a clerk's clause in which
the acoustic verifier tried a forbidden phrase and rejected it (a
*suspect*: :meth:`FileBins.suspect`) gets a **peek**: once the next piece
has joined the open bin (the speech after the clause is there), the open
bin as laid out so far is heard once (:meth:`FileBins.peek`,
``StreamOptions.peek_suspects``), before the closed bins' second hearings,
and a forbidden phrase heard there is told; the words stay those of the
closed bin's hearing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from analyzer.speech.decode import SAMPLE_RATE
from analyzer.speech.packing import Bin, Piece, heard_span
from analyzer.stream.frontend import VAD_FRAME

if TYPE_CHECKING:
    from analyzer.options import PackOptions
    from analyzer.speech.tracks import Track
    from analyzer.stream.frontend import LiveTrack


@dataclass(frozen=True)
class LivePiece:
    """One ended piece of a live call as the file path hears it.

    Attributes:
        live: The live track it was said on.
        start: The piece proper's first sample (the VAD's padding included).
        end: The piece proper's end sample.
        samples: What Whisper hears: the piece with its context either side.
        lead: Samples of ``samples`` before the piece proper.
        trail: Samples after it.
    """

    live: LiveTrack
    start: int
    end: int
    samples: np.ndarray
    lead: int
    trail: int

    def piece(self) -> Piece:
        """The piece as the packer lays it out (its place in a bin)."""
        return Piece(0, 0, self.start / SAMPLE_RATE, self.samples,
                     lead=self.lead / SAMPLE_RATE, trail=self.trail / SAMPLE_RATE)

    def track(self, peek: bool = False) -> Track:
        """The piece as a request's track (already cut; its context heard, not timed;
        ``peek``: of an open bin heard early, :meth:`FileBins.peek`)."""
        return replace(self.live.track.of(self.samples,
                                          offset=(self.start - self.lead) / SAMPLE_RATE),
                       lead=self.lead / SAMPLE_RATE, trail=self.trail / SAMPLE_RATE, again=True,
                       peek=peek)


class FileBins:
    """A live call's ended pieces laid out in bins as the file path lays them out
    (see the module docstring).

    Args:
        pack: The packing options (``share``: ``channel`` gives each track its own
            bins; ``pieces_per_window``).
        context_ms: Audio heard either side of a piece (``asr.vad.context_ms``).
    """

    def __init__(self, pack: PackOptions, context_ms: int) -> None:
        self.per_track = pack.share == "channel"
        self.max_pieces = pack.pieces_per_window
        self.context_ms = context_ms
        self._open: dict[int, list[LivePiece]] = {}
        self._closed: list[list[LivePiece]] = []
        #: where each track's latest piece's speech ended (sample): its context stops there
        self._spoke_until: dict[int, int] = {}
        #: suspect pieces not yet peeked at with a piece after them: (track id, first
        #: sample) -> peeked at already with speech under way after them
        self._suspects: dict[tuple[int, int], bool] = {}

    def _item(self, live: LiveTrack, span: tuple[int, int], speech_end: int, heard: int
              ) -> LivePiece:
        """The piece ``span`` of ``live`` with the context the file path hears it with."""
        upto = heard
        if live.seg.start is not None and live.seg.start * VAD_FRAME > speech_end:
            upto = min(upto, live.seg.start * VAD_FRAME)  # the next speech has begun
        limits = (max(live.audio_from, self._spoke_until.get(id(live), 0)), upto)
        lo, hi = heard_span(span, limits, self.context_ms)
        return LivePiece(live, span[0], span[1], live.clip(lo, hi).copy(), span[0] - lo,
                         hi - span[1])

    def add(self, live: LiveTrack, span: tuple[int, int], speech_end: int, heard: int) -> None:
        """An utterance has ended on ``live``: its piece ``span`` (samples, the VAD's
        padding included; ``speech_end``: where its speech ended) joins the open bin, or
        closes it and opens the next when it does not fit.

        Args:
            live: Its track.
            span: The piece proper.
            speech_end: The end of its speech (the padding left out).
            heard: Samples of the track heard so far (its context stops there, and
                at the track's next speech when that has started).
        """
        key = id(live)
        item = self._item(live, span, speech_end, heard)
        self._spoke_until[key] = speech_end
        group = key if self.per_track else 0
        both = sorted([*self._open.get(group, []), item], key=lambda h: h.start)
        if self._fits(both):
            self._open[group] = both
            return
        if group in self._open:
            self._closed.append(self._open[group])
        self._open[group] = [item]

    def _fits(self, items: list[LivePiece]) -> bool:
        """True when the pieces fit in one bin, laid out in this order."""
        bin_ = Bin(max_pieces=self.max_pieces)
        for item in items:
            piece = item.piece()
            if not bin_.fits(piece):
                return False
            bin_.add(piece)
        return True

    def seal(self, growing: list[tuple[LiveTrack, int, int]]) -> None:
        """Close each open bin that the speech under way can no longer join, before that
        speech ends: the file path's bin is then complete, and is heard again sooner.

        The file path lays pieces out in the order they started and closes a bin at the
        first piece that does not fit. A bin is closed here when the earliest speech under
        way (of its track, ``share="channel"``) started after every piece of the bin had
        ended — it is the next piece — and its piece is already longer than the bin's
        room whatever comes (:meth:`~analyzer.stream.frontend.Segmenter.least_end`: up to
        its silence or now, or to its latest pause where it may yet be cut there; a
        piece is heard for at least its speech). Any speech under way
        that began before a piece of the bin ended keeps the bin open (where it goes is
        not known yet). The words are those of the bin closed when that speech ends.

        Args:
            growing: ``(track, first sample, the least sample its piece ends at)`` of
                each track's speech under way.
        """
        for group, items in list(self._open.items()):
            mine = [g for g in growing if not self.per_track or id(g[0]) == group]
            if not mine or min(g[1] for g in mine) < max(i.end for i in items):
                continue
            first = min(mine, key=lambda g: g[1])
            bin_ = Bin(max_pieces=self.max_pieces)
            for item in items:
                bin_.add(item.piece())
            if (first[2] - first[1]) / SAMPLE_RATE > bin_.room():
                self._closed.append(items)
                del self._open[group]

    def suspect(self, live: LiveTrack, start: float, end: float) -> None:
        """The first hearing of ``live``'s speech ``start``-``end`` (seconds) nearly heard a
        forbidden phrase: the open bin's piece holding it is peeked at once speech follows
        it in the bin (:meth:`peek`)."""
        lo, hi = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
        for items in self._open.values():
            for item in items:
                if item.live is live and item.start < hi and lo < item.end:
                    self._suspects.setdefault((id(live), item.start), False)

    def told(self, start: float, end: float) -> None:
        """A forbidden phrase was told over ``start``-``end`` (seconds): the suspects it
        covers are peeked at no more."""
        lo, hi = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
        for items in self._open.values():
            for i in items:
                if i.start < hi and lo < i.end:
                    self._suspects.pop((id(i.live), i.start), None)

    def peek(self, growing: Sequence[tuple[LiveTrack, int, int]] = (), after: int = 0
             ) -> list[list[LivePiece]]:
        """The open bins to hear early: those holding a suspect piece with a piece after it
        (each suspect once; one closed meanwhile is heard again whole anyway) — or, with
        ``after`` samples, speech under way after it that long already, heard in the bin
        as far as it goes (its piece so far, with the file path's context before it).

        Args:
            growing: ``(track, first sample, samples heard)`` of each track's speech under
                way.
            after: Samples of speech under way after a suspect that let it be peeked at
                before that speech ends (0: only once it has ended).
        """
        out: list[list[LivePiece]] = []
        held = {(id(i.live), i.start) for items in self._open.values() for i in items}
        self._suspects = {k: v for k, v in self._suspects.items() if k in held}  # closed: whole
        for group, items in self._open.items():
            due = [i for i in items if (id(i.live), i.start) in self._suspects]
            if not due:
                continue
            keys = [(id(i.live), i.start) for i in due]
            later = [j for j in items if j.start >= min(i.end for i in due)]
            if later:  # a piece has followed: the last peek of these suspects
                for key in keys:
                    del self._suspects[key]
            elif after and not all(self._suspects[k] for k in keys):
                later = [self._item(t, (lo, hi), hi, hi) for t, lo, hi in growing
                         if (not self.per_track or id(t) == group) and hi - lo >= after
                         and lo >= min(i.end for i in due)][:1]
                if later:  # peeked at once with the speech under way
                    self._suspects.update(dict.fromkeys(keys, True))
            laid = sorted({id(x): x for x in [*items, *later]}.values(), key=lambda h: h.start)
            if later and self._fits(laid):
                out.append(laid)
        return out

    def take(self, told: Callable[[LivePiece], bool] | None = None) -> list[list[LivePiece]]:
        """The bins closed since the last call, in the order they closed — with ``told``,
        only those up to the first holding a piece whose first hearing is not told yet
        (``told(piece)`` false: kept back); the rest wait for the next call."""
        n = len(self._closed)
        if told is not None:
            n = next((k for k, items in enumerate(self._closed)
                      if not all(told(i) for i in items)), n)
        taken, self._closed = self._closed[:n], self._closed[n:]
        return taken

    def flush(self) -> list[list[LivePiece]]:
        """Every bin, the open ones closed (the call has ended)."""
        for group in sorted(self._open):
            self._closed.append(self._open[group])
        self._open = {}
        return self.take()
