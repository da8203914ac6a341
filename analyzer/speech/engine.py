"""The one recognition engine: every path's speech goes through it.

``conduct analyze``, ``conduct batch`` (local workers and Ray actors),
``conduct stream`` and :func:`transcribe` (one track, the Python API) all recognise
speech with a :class:`PackedTranscriber`: the one VAD
(:class:`~analyzer.options.VadOptions`), the one packer
(:class:`~analyzer.options.PackOptions`), the one decoding policy
(:class:`~analyzer.options.ASROptions`: beam, temperature, loop re-decode,
no-speech and hallucination rules) and the one word-timing and mapping path
(:mod:`analyzer.speech.packing`). A file analysed alone is the engine on a
batch of one; the batch runs many recordings through it at once.

Each track's VAD speech pieces go into 30 s bins (:mod:`analyzer.speech.packing`;
shared as :attr:`~analyzer.options.PackOptions.share` allows) and the calling thread
waits; one recognizer thread encodes and decodes bins in batches. When
every caller waits on partly filled bins and no other recording may join
(``max_active``), the partly filled bins go.

:func:`get_engine` gives the process's engine for a set of options: the
model is loaded once and its recognizer thread runs while the engine is
cached (a few option sets at once; one dropped from the cache stops its
thread once its callers are done).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from analyzer.options import ASROptions, PackOptions
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.speech.packing import (
    Bin,
    PackedRecognizer,
    Packer,
    Piece,
    PlanGroup,
    Recognised,
    assign_words,
    by_window,
    run_steps,
    vad_pieces,
    words_to_utterances,
)
from analyzer.speech.tracks import Track
from analyzer.speech.verify import AlignScorer, Verifier, host_array, piece_slice
from analyzer.types import Heard, Utterance, Word

logger = logging.getLogger("analyzer")

#: A piece whose packed recognition gave fewer characters per second of speech
#: than this (after VAD padding) is recognised again: packed once more with
#: other such pieces, then, if still no word came back, alone. Mandarin runs at 3-5 characters a second, so
#: this catches pieces Whisper skipped (it sometimes jumps over one piece of a
#: packed bin), not merely unclear speech.
RETRY_MIN_CHARS_PER_SECOND = 0.5
#: VAD padding around a piece, not speech.
_PAD_SECONDS = 0.5


def _lost(words: list[Word], piece: Piece) -> bool:
    """True when a piece's words probably went missing in its packed bin.

    First packed try: fewer characters than :data:`RETRY_MIN_CHARS_PER_SECOND`
    allows. Second packed try: no word at all (a whole bin of its own is
    spent only on speech Whisper skipped twice, not on merely unclear speech).
    """
    chars = sum(len(w.text.strip()) for w in words)
    if piece.tries >= 1:
        return chars == 0
    return chars < RETRY_MIN_CHARS_PER_SECOND * (piece.seconds - _PAD_SECONDS)


#: Share of a piece's character pairs heard elsewhere in its bin above which words
#: decoded again for it are taken for the decoder repeating that speech.
REPEAT_PAIRS = 0.5


def _repeats(words: Sequence[Word], elsewhere: Sequence[Word]) -> bool:
    """True when ``words`` (a lost piece's, decoded again from its start) mostly repeat
    ``elsewhere`` (its bin's other speech): over a quiet piece the decoder, started
    at its timestamp, may write words it already heard earlier in the bin (measured:
    a near-silent piece after a real clip got the clip's last seven characters). Such
    a piece goes on to a new bin instead. Character pairs, letters and digits only."""
    def pairs(ws: Sequence[Word]) -> list[str]:
        text = "".join(ch for w in ws for ch in w.text if ch.isalnum())
        return [text[i:i + 2] for i in range(len(text) - 1)]

    mine, theirs = pairs(words), set(pairs(elsewhere))
    return bool(mine) and sum(p in theirs for p in mine) > REPEAT_PAIRS * len(mine)


@dataclass
class Served:
    """How one request was served: the seconds it waited for its first batch and
    each stage of the batches that recognised it (a batch's stages are shared by
    every request in it).

    Attributes:
        queued: Seconds from the request to the start of its first batch.
        stages: Seconds per stage (``encoder``, ``decoder``, ``align``, ``verify``)
            of the batches that held its pieces.
        batches: Batches that held its pieces.
        bins: Bins in the largest of them (1: encoded alone).
    """

    queued: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    batches: int = 0
    bins: int = 0


@dataclass
class _Lane:
    """Where a batch's lost pieces go again: the packer, the batches ready and the lost
    pieces held per owner — the recognizer thread's, or a request's own
    (:meth:`PackedTranscriber.transcribe_steps`)."""

    packer: Packer
    ready: list[list[Bin]]
    held: dict[Any, list[tuple[tuple[int, float], Piece]]]


@dataclass
class _Request:
    """One recording waiting for its words, keyed by (track, piece start).

    ``verifier`` (None: no acoustic verification) hears lexicon phrases in
    the pieces of ``staff`` tracks; ``owed`` says which staff pieces open
    and close the recording (greetings and farewells are tried there).
    """

    pending: int
    done: threading.Event = field(default_factory=threading.Event)
    words: dict[tuple[int, float], list[Word]] = field(default_factory=lambda: defaultdict(list))
    error: BaseException | None = None
    verifier: Verifier | None = None
    speakers: tuple[str, ...] = ()
    context: frozenset[int] = frozenset()
    owed: dict[tuple[int, float], tuple[bool, bool]] = field(default_factory=dict)
    heard: dict[tuple[int, float], list[Heard]] = field(default_factory=lambda: defaultdict(list))
    recheck: dict[int, tuple[Word, ...]] = field(default_factory=dict)
    hear: frozenset[int] = frozenset()
    asked: float = field(default_factory=time.perf_counter)
    served: Served = field(default_factory=Served)


class PackedTranscriber:
    """The :class:`~analyzer.speech.tracks.Recognizer` of the audio path, packing speech
    into shared bins.

    The audio path gives it all tracks of a recording at once
    (:meth:`transcribe_many`), so both parties of a stereo recording can share
    bins (``share="recording"``). Call :meth:`enter` when a recording is handed to a thread and
    :meth:`leave` when it is done, so the recognizer knows when every
    recording in flight is waiting and partly filled bins must go; run
    :meth:`serve` in one thread.

    Args:
        model: The loaded ``faster_whisper.WhisperModel``.
        options: Recognition options.
        batch_size: Bins encoded and decoded together.
        timings: Seconds per stage, added to by every thread.
        pieces_per_window: At most this many pieces per bin (0: no limit).
        share: Which pieces may share a bin (:attr:`PackOptions.share`).
        lost: What is done first for a piece that lost its words (:attr:`PackOptions.lost`).
        min_window: The shortest encoder input (:attr:`PackOptions.min_window_seconds`).
    """

    def __init__(self, model: Any, options: ASROptions, batch_size: int,
                 timings: dict[str, float], pieces_per_window: int = 0,
                 share: str = "recording", lost: str = "redecode",
                 min_window: float = 30.0) -> None:
        self.options = options
        self.lost = lost
        self.timings = timings
        self.recognizer = PackedRecognizer(model, options, timings, min_window)
        self.scorer = AlignScorer(model, self.recognizer.tokenizer)
        self.packer = Packer(batch_size, pieces_per_window, share)
        self._cond = threading.Condition()
        self._ready: list[list[Bin]] = []
        self._requests: dict[int, _Request] = {}
        self._active = 0
        self._waiting = 0
        self._stopped = False
        self._next = 0
        self._local = threading.local()
        #: Recordings that may be in flight at once while bins are filling.
        self.max_active = 1 << 30
        #: Set when no further recording will come (partly filled bins go).
        self.exhausted = False
        #: Day-plan group -> the index of the recording whose pieces go in next.
        self._turns: dict[int, int] = {}
        #: Bin owner -> its pieces that lost their words, waiting for the owner's
        #: other bins (:meth:`_retry_bins`), each with its first-pass place.
        self._held: dict[Any, list[tuple[tuple[int, float], Piece]]] = {}
        #: The recognizer thread's packer, batches ready and held lost pieces
        self._lane = _Lane(self.packer, self._ready, self._held)

    @classmethod
    def from_options(cls, model: Any, options: ASROptions, pack: PackOptions,
                     timings: dict[str, float]) -> PackedTranscriber:
        """The transcriber these recognition and packing options describe."""
        return cls(model, options, pack.windows_per_call(options.device), timings,
                   pack.pieces_per_window, pack.share, pack.lost, pack.min_window_seconds)

    def spent(self) -> float:
        """Seconds the calling thread has spent inside this transcriber."""
        return getattr(self._local, "spent", 0.0)

    def last_served(self) -> Served | None:
        """How the calling thread's latest request was served (None: none yet)."""
        return getattr(self._local, "served", None)

    # -- job threads ----------------------------------------------------

    def enter(self) -> None:
        """Count one more recording in flight (call when it is handed to a thread)."""
        with self._cond:
            self._active += 1

    def leave(self) -> None:
        """The recording is done (its thread calls this last)."""
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    @contextmanager
    def member(self, group: tuple[int, int, int] | None) -> Iterator[None]:
        """The calling thread's recording belongs to day-plan group ``(id, index, size)``.

        Its first :meth:`transcribe_many` puts its pieces into the group's bins
        after those of the group's recordings before it (``index`` order), and
        the group's last bin goes once every recording of the group has given
        its pieces; a recording that ends without recognising anything (bad
        audio, no speech) gives its turn on leaving. None: not in a group.
        """
        self._local.group = group
        try:
            yield
        finally:
            if self._local.group is not None:  # never reached the recognizer: pass the turn
                self._take_turn(self._local.group, -1, [])
            self._local.group = None

    def _take_turn(self, group: tuple[int, int, int], rid: int, pieces: list[Piece]
                   ) -> None:
        """Wait for ``group``'s turn of this recording, then add its pieces to the group's bins."""
        gid, index, size = group
        self._local.group = None
        with self._cond:
            while self._turns.get(gid, 0) != index:
                self._cond.wait()
            if rid >= 0:
                self.packer.groups[rid] = gid
            for piece in pieces:
                batch = self.packer.add(piece)
                if batch:
                    self._ready.append(batch)
            self._turns[gid] = index + 1
            if index + 1 >= size:
                del self._turns[gid]
                batch = self.packer.close_group(gid)
                if batch:
                    self._ready.append(batch)
            self._cond.notify_all()

    def __call__(self, samples: np.ndarray, options: ASROptions, *, speaker: str,
                 offset: float = 0.0, speaker_known: bool = True,
                 verifier: Verifier | None = None, cut: bool = True) -> list[Utterance]:
        """Transcribe one track's samples (the signature of :func:`transcribe`)."""
        track = Track(speaker, speaker_known, samples=samples, offset=offset)
        return self.transcribe_many([track], options, verifier=verifier, cut=cut)[0]

    def transcribe_many(self, tracks: Sequence[Track], options: ASROptions, *,
                        verifier: Verifier | None = None, cut: bool = True
                        ) -> list[list[Utterance]]:
        """Transcribe the tracks of one recording together; utterances per track.

        Args:
            tracks: The tracks with their samples (16 kHz mono) and offsets.
            options: Recognition options.
            verifier: Hears lexicon phrases in staff speech (None: text only).
            cut: False when each track is already one speech piece, cut by the
                caller with ``options.vad`` (the stream's segmenter): it is
                recognised as it is, not cut by the VAD again.

        Returns:
            Each track's utterances, at recording times (its offset added).
        """
        t0 = time.perf_counter()
        try:
            found = self._transcribe(tracks, options, verifier, cut)
        finally:
            self._local.spent = self.spent() + time.perf_counter() - t0
        return _at_offsets(tracks, found)

    def _transcribe(self, tracks: Sequence[Track], options: ASROptions,
                    verifier: Verifier | None = None, cut: bool = True
                    ) -> list[list[Utterance]]:
        rid, pieces, req = self._request(tracks, options, verifier, cut)
        group = getattr(self._local, "group", None)
        if req is None:
            if group is not None:
                self._take_turn(group, rid, [])
            return [[] for _ in tracks]
        with self._cond:
            for piece in [] if group is not None else pieces:
                batch = self.packer.add(piece)
                if batch:
                    self._ready.append(batch)
            batch = self.packer.close(rid)
            if batch:
                self._ready.append(batch)
        if group is not None:  # a day plan: in the group's bins, in the plan's order
            self._take_turn(group, rid, pieces)
        with self._cond:
            self._waiting += 1
            self._cond.notify_all()
        req.done.wait()
        with self._cond:
            self._waiting -= 1
            del self._requests[rid]
        return self._answer(req, tracks, options)

    def _request(self, tracks: Sequence[Track], options: ASROptions,
                 verifier: Verifier | None, cut: bool) -> tuple[int, list[Piece], _Request | None]:
        """A new request's id, its pieces in time order and its record (registered; None:
        no speech in the tracks)."""
        t0, c0 = time.perf_counter(), time.thread_time()
        with self._cond:
            rid = self._next
            self._next += 1
        pieces = [replace(p, context=track.context, window=track.window,
                          role=track.speaker if track.known else "")
                  if track.context or track.window or track.known else p
                  for k, track in enumerate(tracks)
                  for p in _pieces(track, rid, k, options, cut)]
        pieces.sort(key=lambda p: (p.start, p.track))  # the conversation in time order
        self._add_time("vad", time.perf_counter() - t0)
        self._add_time("cpu_vad", time.thread_time() - c0)  # the calling thread's CPU
        if not pieces:
            return rid, pieces, None
        req = _Request(pending=len(pieces), verifier=verifier,
                       speakers=tuple(track.speaker for track in tracks),
                       context=frozenset(k for k, track in enumerate(tracks) if track.context),
                       owed=_owed_positions(pieces, tracks, verifier),
                       recheck={k: _local_words(track) for k, track in enumerate(tracks)
                                if track.context and track.recheck},
                       hear=frozenset(k for k, track in enumerate(tracks)
                                      if track.context and track.hear))
        with self._cond:
            if verifier is not None:
                self.recognizer.nbest = max(self.recognizer.nbest, verifier.options.nbest)
            self._requests[rid] = req
        return rid, pieces, req

    def _answer(self, req: _Request, tracks: Sequence[Track], options: ASROptions
                ) -> list[list[Utterance]]:
        """A served request's utterances per track (its error raised)."""
        self._local.served = req.served
        if req.error is not None:
            raise req.error
        return _utterances(req, tracks, options)

    def transcribe_steps(self, tracks: Sequence[Track], options: ASROptions, *,
                         verifier: Verifier | None = None, cut: bool = True
                         ) -> Generator[str, None, list[list[Utterance]]]:
        """:meth:`transcribe_many` in the calling thread, one stage at a time.

        The tracks' pieces go into bins of their own (a packer of this request
        alone, laid out as :meth:`transcribe_many` lays out one recording's)
        and are recognised here, not in the recognizer thread: the generator
        yields the name of each stage done
        (:meth:`~analyzer.speech.packing.PackedRecognizer.recognise_steps`, then
        ``align``; the verification is the last stage) and returns the
        utterances per track. Between two stages the caller may leave the
        model to other requests (the recognizer thread serves them meanwhile);
        the stages' inputs are kept, so the words are those of
        :meth:`transcribe_many`. The request never counts as a recording in
        flight, so the recognizer thread never waits for it to fill a bin.
        """
        rid, pieces, req = self._request(tracks, options, verifier, cut)
        if req is None:
            return [[] for _ in tracks]
        lane = _Lane(Packer(self.packer.batch_size, self.packer.pieces_per_window,
                            self.packer.share), [], {})
        try:
            for piece in pieces:
                lane.ready += [b for b in [lane.packer.add(piece)] if b]
            lane.ready += [b for b in [lane.packer.close(rid)] if b]
            while not req.done.is_set():
                if not lane.ready:
                    lane.ready += lane.packer.flush() or self._held_bins(lane, everything=True)
                if not lane.ready:
                    break
                for batch in by_window(lane.ready.pop(0), self.recognizer.min_window):
                    yield from self._recognise_steps(batch, lane)
        finally:
            with self._cond:
                del self._requests[rid]
        return _at_offsets(tracks, self._answer(req, tracks, options))

    def _add_time(self, stage: str, seconds: float) -> None:
        with self._cond:
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    # -- recognizer thread ----------------------------------------------

    def serve(self) -> None:
        """Recognise bins until :meth:`stop`; run in one thread."""
        while True:
            with self._cond:
                while not self._stopped and not self._ready and not self._stalled():
                    self._cond.wait(0.5)
                if self._stopped and not self._ready:
                    self._ready.extend(self._held_bins(self._lane, everything=True))
                    if not self._ready:
                        return
                if not self._ready:
                    self._ready.extend(self.packer.flush(everything=self._stopped))
                if not self._ready:
                    continue
                batch = self._ready.pop(0)
            try:
                self._recognise(batch)
            except Exception as exc:  # never leave a recording waiting forever
                self._fail(batch, exc)

    def _everyone_waits(self) -> bool:
        return self._waiting > 0 and self._waiting >= self._active and bool(self.packer.open)

    def _stalled(self) -> bool:
        """Everyone waits and no recording can join: send partly filled bins (a day-plan
        group's last bin waits for the group's recordings still to come)."""
        return self._everyone_waits() and (self.exhausted or self._active >= self.max_active) \
            and bool(self.packer.releasable())

    def wants_more(self) -> bool:
        """Everyone waits on partly filled bins: another recording should join them."""
        with self._cond:
            return self._everyone_waits() and not self.exhausted and \
                self._active < self.max_active

    def starved(self, starved: bool) -> None:
        """No recording is there to join now (True; partly filled bins may go, as
        after :meth:`no_more_jobs`), or one is again (False)."""
        with self._cond:
            self.exhausted = starved
            self._cond.notify_all()

    def no_more_jobs(self) -> None:
        """The caller has no more recordings: partly filled bins may go."""
        with self._cond:
            self.exhausted = True
            self._cond.notify_all()

    def _recognise(self, batch: list[Bin]) -> None:
        for same in by_window(batch, self.recognizer.min_window):  # one encoder length each
            run_steps(self._recognise_steps(same, self._lane))

    def _recognise_steps(self, batch: list[Bin], lane: _Lane) -> Generator[str, None, None]:
        """Recognise a batch of ``lane``, yielding between its stages
        (:meth:`PackedRecognizer.recognise_steps`; the verification is the last); a
        piece whose words were lost goes again through ``lane`` (:meth:`_retry_bins`)."""
        recognised: Recognised | None = None
        started, before = time.perf_counter(), dict(self.timings)
        try:
            recognised = yield from self.recognizer.recognise_steps(batch)
            results, error = recognised.segments, None
        except Exception as exc:  # the model failed: fail the waiting recordings, not the batch
            results, error = [[] for _ in batch], exc
        mapped_all = [assign_words(b, words) for b, words in zip(batch, results, strict=True)]
        with self._cond:
            requests = {p.job: self._requests.get(p.job) for b in batch for _, p in b.pieces}
        if recognised:
            if self.lost == "redecode":  # (within the alignment stage: rare, and short)
                self._redecode_lost(batch, recognised, mapped_all, requests)
            self._hear_context(batch, recognised, mapped_all, requests)
            yield "align"
        t0 = time.perf_counter()
        heard = self._verify(batch, recognised, mapped_all, requests) if recognised else {}
        stages = {name: self.timings.get(key, 0.0) - before.get(key, 0.0) for name, key in
                  (("encoder", "features+encoder"), ("decoder", "decoder"), ("align", "align"))}
        stages["verify"] = time.perf_counter() - t0
        for one in {id(r): r for r in requests.values() if r is not None}.values():
            _served(one.served, started - one.asked, stages, len(batch))
        retry: list[tuple[Any, tuple[int, float], Piece]] = []  # (owner, first-pass place, piece)
        with self._cond:
            for bin_, mapped in zip(batch, mapped_all, strict=True):
                for offset, piece in bin_.pieces:
                    req = self._requests.get(piece.job)
                    if req is None:
                        continue
                    got = mapped.get((piece.job, piece.track, piece.start), [])
                    if (error is None and len(bin_.pieces) > 1 and _lost(got, piece)
                            and piece.track not in req.context):
                        retry.append((bin_.owner, (bin_.serial, offset),
                                      replace(piece, tries=piece.tries + 1)))
                        continue
                    req.words[(piece.track, piece.start)] += got
                    req.heard[(piece.track, piece.start)] += heard.get(id(piece), [])
                    req.error = req.error or error
                    req.pending -= 1
                    if req.pending == 0:
                        req.done.set()
            if retry:
                key = "n_retried_pieces"  # a count, not seconds
                self.timings[key] = self.timings.get(key, 0) + len(retry)
                lane.ready.extend(self._retry_bins(retry, lane))
            lane.ready.extend(self._held_bins(lane))

    def _redecode_lost(self, batch: list[Bin], recognised: Recognised,
                       mapped_all: list[dict[tuple[int, int, float], list[Word]]],
                       requests: dict[int, _Request | None]) -> int:
        """Decode again, on their bin's own encoder output, from the start of each piece
        that lost its words in a first-pass bin (``pack.lost = "redecode"``); the words
        found replace the piece's in ``mapped_all`` and the other hypotheses join the
        bin's (only their segments on the piece: the verifier's candidates of the
        bin's other pieces stay as they were). A piece still lost goes on to a new
        bin as before (:meth:`_retry_bins`). Returns how many pieces were decoded again.
        """
        done = 0
        for i, bin_ in enumerate(batch):
            if len(bin_.pieces) < 2:
                continue
            for offset, piece in bin_.pieces:
                req = requests.get(piece.job)
                key = (piece.job, piece.track, piece.start)
                start = offset - piece.lead
                if (req is None or piece.tries or piece.track in req.context
                        or start < 0.02 or not _lost(mapped_all[i].get(key, []), piece)):
                    continue
                segments, others = self.recognizer.decode_from(bin_, recognised.encoded, i,
                                                               start)
                done += 1
                words = assign_words(bin_, segments).get(key, [])
                heard_else = [w for k, got in mapped_all[i].items() if k != key for w in got]
                if _lost(words, piece) or _repeats(words, heard_else):
                    continue
                mapped_all[i][key] = words
                end = offset + piece.seconds
                recognised.alternatives[i] += [
                    [seg for seg in segs if min(seg["end"], end) > max(seg["start"], offset)]
                    for segs in others]
                self._add_time("n_redecoded_found", 1)
        if done:
            self._add_time("n_redecoded_pieces", done)
        return done

    def _hear_context(self, batch: list[Bin], recognised: Recognised,
                      mapped_all: list[dict[tuple[int, int, float], list[Word]]],
                      requests: dict[int, _Request | None]) -> None:
        """Decode the context pieces whose words are wanted (:attr:`Track.hear`) from their
        own start on their bin's encoder output (one more decoding, no encoder pass): their
        words join ``mapped_all``; the other pieces keep the words decoded without them."""
        for i, bin_ in enumerate(batch):
            for offset, piece in bin_.pieces:
                req = requests.get(piece.job)
                if req is None or piece.track not in req.hear:
                    continue
                segments, others = self.recognizer.decode_from(bin_, recognised.encoded, i,
                                                               max(0.0, offset - piece.lead))
                key = (piece.job, piece.track, piece.start)
                mapped_all[i][key] = assign_words(bin_, segments).get(key, [])
                end = offset + piece.seconds  # the other hypotheses' segments on the piece
                recognised.alternatives[i] += [
                    [seg for seg in segs if min(seg["end"], end) > max(seg["start"], offset)]
                    for segs in others]
                self._add_time("n_context_heard", 1)

    def _verify(self, batch: list[Bin], recognised: Recognised,
                mapped_all: list[dict[tuple[int, int, float], list[Word]]],
                requests: dict[int, _Request | None]) -> dict[int, list[Heard]]:
        """Acoustic verification of the staff pieces of a recognised batch (by piece id).

        Runs on the batch's own encoder output, before it is freed. A piece
        that will be recognised again (lost words) is verified then.
        A failure is logged and leaves the piece to the text matcher.
        """
        t0 = time.perf_counter()
        out: dict[int, list[Heard]] = {}
        host: np.ndarray | None = None  # the batch's encoder output on the host, once
        for i, bin_ in enumerate(batch):
            encoded: np.ndarray | None = None
            for offset, piece in bin_.pieces:
                req = requests.get(piece.job)
                if (req is None or req.verifier is None or req.speakers[piece.track] != "staff"
                        or (piece.track in req.context and piece.track not in req.recheck
                            and piece.track not in req.hear)):
                    continue
                got = (list(req.recheck[piece.track]) if piece.track in req.recheck else
                       mapped_all[i].get((piece.job, piece.track, piece.start), []))
                if not got or (len(bin_.pieces) > 1 and _lost(got, piece)):
                    continue
                first, last = req.owed.get((piece.track, piece.start), (False, False))
                try:
                    plan = req.verifier.plan(
                        got, self.recognizer.piece_alternatives(recognised.alternatives[i], offset,
                                                                piece.seconds),
                        first=first, last=last)
                    if plan is None:  # no candidate: the encoder output is not touched
                        continue
                    if encoded is None:
                        host = host_array(recognised.encoded) if host is None else host
                        encoded = host[i]
                    out[id(piece)] = req.verifier.hear(self.scorer, plan, piece_slice(
                        encoded, offset, piece.seconds, req.verifier.options.pad_seconds))
                except Exception:  # verification is an extra: the text path still holds
                    logger.warning("acoustic verification failed for a piece at %.1f s",
                                   piece.start, exc_info=True)
        self._add_time("verify", time.perf_counter() - t0)
        return out

    def _retry_bins(self, pieces: list[tuple[Any, tuple[int, float], Piece]], lane: _Lane
                    ) -> list[list[Bin]]:
        """Pieces that lost words (of ``lane``): recognised once more packed, then a bin each.

        Called with the lock held. A piece of an owned bin (a recording's, a
        track's, a day-plan group's) waits until every first-pass bin of its
        owner is recognised (:meth:`_held_bins`): each recording's lost pieces
        then share bins of their own, laid out in their first-pass order
        (:meth:`~analyzer.speech.packing.Packer.again`), so which pieces meet
        there depends on the owner's words and never on when its bins were
        recognised. A piece of a shared bin (``any``) goes back into
        the packer; a piece lost a second time gets a bin of its own.
        """
        batches: list[list[Bin]] = []
        alone: list[Bin] = []
        for owner, place, piece in pieces:
            if piece.tries >= 2:
                own = Bin(max_pieces=1)
                own.add(piece)
                alone.append(own)
            elif owner is None:
                batches += [b for b in [lane.packer.add(piece)] if b]
            else:
                lane.held.setdefault(owner, []).append((place, piece))
        size = lane.packer.batch_size
        return batches + [alone[i : i + size] for i in range(0, len(alone), size)]

    def _held_bins(self, lane: _Lane, everything: bool = False) -> list[list[Bin]]:
        """Bins for ``lane``'s held lost pieces of every owner whose first-pass bins are all
        recognised (``everything``: of every owner). Called with the lock held."""
        size = lane.packer.batch_size
        out: list[list[Bin]] = []
        for owner in list(lane.held):
            if everything or self._first_pass_done(owner, lane):
                bins = lane.packer.again(owner, lane.held.pop(owner))
                out += [bins[i : i + size] for i in range(0, len(bins), size)]
        return out

    def _first_pass_done(self, owner: Any, lane: _Lane) -> bool:
        """No bin of ``owner`` is still to fill or to recognise in ``lane`` (a day-plan
        group: and every recording of it has given its pieces)."""
        if isinstance(owner, PlanGroup) and owner.id in self._turns:
            return False
        return not any(b.owner == owner for b in lane.packer.open) and not any(
            b.owner == owner for batch in lane.ready for b in batch)

    def _fail(self, batch: list[Bin], exc: BaseException) -> None:
        with self._cond:
            for bin_ in batch:
                for _, piece in bin_.pieces:
                    req = self._requests.get(piece.job)
                    if req is not None:
                        req.error = exc
                        req.done.set()

    def resume(self) -> None:
        """Take work again after :meth:`stop` (a worker's next call: a Ray actor's next chunk)."""
        with self._cond:
            self._stopped = False

    def stop(self) -> None:
        """Finish the remaining bins and end :meth:`serve`."""
        with self._cond:
            self._stopped = True
            self._ready.extend(self.packer.flush())
            self._cond.notify_all()


def _served(served: Served, waited: float, stages: dict[str, float], bins: int) -> None:
    """Add one batch to a request's record (its first batch gives its wait)."""
    if not served.batches:
        served.queued = max(0.0, waited)
    served.batches += 1
    served.bins = max(served.bins, bins)
    for name, seconds in stages.items():
        served.stages[name] = served.stages.get(name, 0.0) + seconds


def _pieces(track: Track, job: int, k: int, options: ASROptions, cut: bool) -> list[Piece]:
    """The VAD's speech pieces of track ``k``, or the track as one piece (already cut;
    its ``lead`` and ``trail`` seconds are heard as the piece's context)."""
    samples = np.ascontiguousarray(track.samples, dtype=np.float32)
    if cut:
        return vad_pieces(samples, job, k, options)
    a = int(round(track.lead * SAMPLE_RATE))
    b = max(a, samples.size - int(round(track.trail * SAMPLE_RATE)))
    longest = int(options.vad.max_piece_seconds * SAMPLE_RATE)
    return [Piece.within(job, k, samples, (i, min(i + longest, b)),
                         (0 if i == a else i, samples.size if i + longest >= b else i + longest))
            for i in range(a, b, longest) if min(i + longest, b) - i >= SAMPLE_RATE // 10]


def _at_offsets(tracks: Sequence[Track], found: list[list[Utterance]]
                ) -> list[list[Utterance]]:
    """Each track's utterances at recording times (its offset added)."""
    return [[shifted(u, t.offset) for u in utts] if t.offset else utts
            for t, utts in zip(tracks, found, strict=True)]


def shifted(u: Utterance, offset: float) -> Utterance:
    """``u`` with its times (and its words' and heard phrases' times) moved by ``offset`` s."""
    words = tuple(replace(w, start=round(w.start + offset, 3), end=round(w.end + offset, 3))
                  for w in u.words)
    heard = tuple(replace(h, start=round(h.start + offset, 3), end=round(h.end + offset, 3))
                  for h in u.heard)
    return replace(u, start=round(u.start + offset, 3), end=round(u.end + offset, 3), words=words,
                   heard=heard)


def _owed_positions(pieces: Sequence[Piece], tracks: Sequence[Track],
                    verifier: Verifier | None) -> dict[tuple[int, float], tuple[bool, bool]]:
    """(first, last) of the staff pieces that open and close a recording."""
    if verifier is None or not verifier.options.owed_turns:
        return {}
    staff = [p for p in pieces if tracks[p.track].speaker == "staff"]
    if verifier.scope is not None:
        return {(p.track, p.start): verifier.scope for p in staff}
    k = verifier.options.owed_turns
    keys = [(p.track, p.start) for p in staff]
    return {key: (n < k, n >= len(keys) - k) for n, key in enumerate(keys)}


def _utterances(req: _Request, tracks: Sequence[Track],
                options: ASROptions) -> list[list[Utterance]]:
    """Each track's utterances from the words its pieces got back (with what was heard)."""
    from analyzer.speech.asr import is_hallucination, written_words

    out: list[list[Utterance]] = [[] for _ in tracks]
    for k, start in sorted(req.words):
        if k in req.context and k not in req.recheck and k not in req.hear:
            continue  # heard as the company of the other pieces only
        words = list(req.recheck[k]) if k in req.recheck else req.words[(k, start)]
        found = words_to_utterances(words, tracks[k].speaker, tracks[k].known,
                                    options.split_gap, is_hallucination,
                                    lambda w: written_words(w, options))
        out[k] += _with_heard(found, req.heard.get((k, start), []))
    return out


def _local_words(track: Track) -> tuple[Word, ...]:
    """A re-checked context track's words (:attr:`~analyzer.speech.tracks.Track.recheck`,
    recording times) at the track's own times, as the engine times a piece's words."""
    return tuple(replace(w, start=w.start - track.offset, end=w.end - track.offset)
                 for w in track.recheck)


def _with_heard(utterances: list[Utterance], heard: Sequence[Heard]) -> list[Utterance]:
    """Give each heard phrase to the utterance its stretch overlaps most."""
    if not heard or not utterances:
        return utterances
    extra: dict[int, list[Heard]] = defaultdict(list)
    for h in heard:
        k = max(range(len(utterances)), key=lambda i: (
            min(h.end, utterances[i].end) - max(h.start, utterances[i].start)))
        extra[k].append(h)
    return [replace(u, heard=u.heard + tuple(extra[i])) if i in extra else u
            for i, u in enumerate(utterances)]


class RecognitionEngine:
    """A :class:`PackedTranscriber` with its own recognizer thread, for callers one
    recording (or one utterance) at a time: ``conduct analyze``, the stream,
    the Python API.

    Each call joins the engine, waits for its words and leaves; bins go
    as soon as every caller in flight is waiting, so a lone caller is never
    held back, and callers in parallel threads share bins.

    :meth:`close` stops the recognizer thread once no caller is in flight
    (:func:`get_engine` closes an engine it drops from its cache); a caller
    still holding a closed engine gets a thread again for its call.

    Args:
        model: The loaded ``faster_whisper.WhisperModel``.
        options: Recognition options (the decoding policy and the VAD).
        pack: Packing options.
    """

    def __init__(self, model: Any, options: ASROptions, pack: PackOptions) -> None:
        self.model = model
        self.options = options
        self.pack = pack
        self.timings: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()
        self._inflight = 0
        self._closing = False
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        self.transcriber = self._start()

    def _start(self) -> PackedTranscriber:
        """A transcriber and its recognizer thread (call with the lock held, or at init)."""
        transcriber = PackedTranscriber.from_options(self.model, self.options, self.pack,
                                                     self.timings)
        transcriber.max_active = 1  # no other recording is coming to fill a bin
        self._thread = threading.Thread(target=transcriber.serve, daemon=True,
                                        name="recognition-engine")
        self._thread.start()
        return transcriber

    @property
    def running(self) -> bool:
        """True while the recognizer thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _enter(self) -> PackedTranscriber:
        with self._lock:
            if self._thread is None:
                self.transcriber = self._start()
            self._inflight += 1
            transcriber = self.transcriber
        transcriber.enter()
        return transcriber

    def _leave(self, transcriber: PackedTranscriber) -> None:
        transcriber.leave()
        self._done()

    def _done(self) -> None:
        """A caller is done: the thread stops if the engine is closing and none is left."""
        with self._lock:
            self._inflight -= 1
            idle = self._closing and self._inflight == 0
        if idle:
            self._stop()

    def close(self) -> None:
        """Stop the recognizer thread once no caller is in flight."""
        with self._lock:
            self._closing = True
            idle = self._inflight == 0
        if idle:
            self._stop()

    def _stop(self) -> None:
        with self._lock:
            if self._inflight or self._thread is None:
                return
            thread, self._thread = self._thread, None
            transcriber = self.transcriber
        transcriber.stop()
        thread.join()

    def __call__(self, samples: np.ndarray, options: ASROptions, *, speaker: str,
                 offset: float = 0.0, speaker_known: bool = True,
                 verifier: Verifier | None = None, cut: bool = True) -> list[Utterance]:
        """Transcribe one track's samples (the signature of :func:`transcribe`)."""
        track = Track(speaker, speaker_known, samples=samples, offset=offset)
        return self.transcribe_many([track], options, verifier=verifier, cut=cut)[0]

    def transcribe_many(self, tracks: Sequence[Track], options: ASROptions, *,
                        verifier: Verifier | None = None, cut: bool = True
                        ) -> list[list[Utterance]]:
        """Transcribe the tracks of one recording together; utterances per track
        (:meth:`PackedTranscriber.transcribe_many`)."""
        transcriber = self._enter()
        try:
            return transcriber.transcribe_many(tracks, options, verifier=verifier, cut=cut)
        finally:
            self._leave(transcriber)
            self._local.served = transcriber.last_served()

    def transcribe_steps(self, tracks: Sequence[Track], options: ASROptions, *,
                         verifier: Verifier | None = None, cut: bool = True
                         ) -> Generator[str, None, list[list[Utterance]]]:
        """:meth:`transcribe_many` in the calling thread, one stage at a time
        (:meth:`PackedTranscriber.transcribe_steps`): the engine's other callers are
        served by its recognizer thread between two stages."""
        with self._lock:
            if self._thread is None:
                self.transcriber = self._start()
            self._inflight += 1
            transcriber = self.transcriber
        try:
            return (yield from transcriber.transcribe_steps(tracks, options, verifier=verifier,
                                                            cut=cut))
        finally:
            self._done()
            self._local.served = transcriber.last_served()

    def last_served(self) -> Served | None:
        """How the calling thread's latest request was served (None: none yet)."""
        return getattr(self._local, "served", None)


#: Engines kept at once (one per option set in use); the least recently used goes first.
ENGINES_KEPT = 8
_ENGINE_LOCK = threading.Lock()
_ENGINES: OrderedDict[tuple[ASROptions, PackOptions], RecognitionEngine] = OrderedDict()


def get_engine(options: ASROptions, pack: PackOptions | None = None) -> RecognitionEngine:
    """The process's engine for these options: model loaded and thread started once.

    Engines are kept per (model folder, device, compute type, threads, VAD,
    decoding and packing options), at most :data:`ENGINES_KEPT`; one dropped
    is closed (its thread stops once its callers are done). The model itself
    is shared between them (:func:`analyzer.speech.asr.get_model`).

    Raises:
        ModelError: The model folder is missing, corrupt or unloadable.
    """
    from analyzer.speech.asr import get_model

    key = (options, pack or PackOptions())
    with _ENGINE_LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            _ENGINES.move_to_end(key)
            return engine
        engine = _ENGINES[key] = RecognitionEngine(get_model(options), *key)
        dropped = [_ENGINES.popitem(last=False)[1] for _ in range(len(_ENGINES) - ENGINES_KEPT)]
    for old in dropped:
        old.close()
    return engine


def transcribe(
    samples: np.ndarray,
    options: ASROptions,
    *,
    speaker: str,
    offset: float = 0.0,
    speaker_known: bool = True,
    verifier: Verifier | None = None,
    cut: bool = True,
) -> list[Utterance]:
    """Recognise one track of speech.

    Args:
        samples: float32 mono samples at 16 kHz.
        options: Recognition options.
        speaker: Role given to every utterance (``staff``, ``citizen``, ``unknown``).
        offset: Seconds added to every time (where ``samples`` start in the recording).
        speaker_known: False when the role was assumed (mono recording).
        verifier: Hears lexicon phrases in staff speech
            (:func:`analyzer.speech.verify.get_verifier`; None: text only).
        cut: False when ``samples`` are one speech piece already cut with
            ``options.vad`` (the stream's segmenter): not cut by the VAD again.

    Returns:
        Utterances in time order, simplified Chinese, with word timestamps;
        empty for silence.
    """
    audio = np.ascontiguousarray(samples, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError(f"transcribe wants mono samples, got shape {audio.shape}")
    if audio.size < 1600:  # under 0.1 s: nothing to recognise
        return []
    return get_engine(options)(audio, options, speaker=speaker, offset=offset,
                               speaker_known=speaker_known, verifier=verifier, cut=cut)
