"""Packed recognition: speech from many recordings in full 30 s bins.

Whisper's encoder always looks at 30 s of audio; here that input is a *bin*
(:class:`Bin`; "window" is kept for a hall's service counter). Transcribing
one VAD segment at a time pads a 3 s utterance to 30 s and wastes nine
tenths of the encoder. This
stage instead lays the speech segments of many recordings (and tracks) end
to end, with a short silence between them, into bins of up to 30 s, runs
the encoder and the (beam search) decoder on a *batch* of such bins at once, then
aligns the words (cross-attention, as ``word_timestamps=True`` does) and maps
each word back to the recording, track and time it came from. Decoding
keeps timestamp tokens (Whisper's long-form mode), which makes it go on past
the pause between two pieces; a piece that still gets no words is recognised
once more in a bin of its own, so packing never silently drops speech.

It uses faster-whisper's own pieces: ``WhisperModel.feature_extractor``,
``WhisperModel.encode``, ``model.model.generate`` (CTranslate2, batched) and
``WhisperModel.find_alignment``; hallucination and traditional-to-simplified
handling come from :mod:`analyzer.speech.asr` so text is cleaned exactly as on the
single-file path.

Which pieces may share a bin is :attr:`analyzer.options.PackOptions.share`: the speech of
one track of one recording, of both tracks of one recording (the
conversation in time order), or of any recordings. Whisper's encoder attends
over the whole bin, so what else is in a bin changes a piece's words;
the README's batch section gives the measured speed and error rate of each.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from analyzer.options import ASROptions
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.types import Utterance, Word

T = TypeVar("T")

#: Seconds of audio in a bin (Whisper's encoder input).
BIN_SECONDS = 30.0
#: Silence laid between two pieces in a bin. Whisper base, decoding with
#: timestamps, transcribes every piece of a packed bin with 1 s pauses; with
#: 0.4 s, or without timestamp tokens, it often stops after the first piece
#: (measured on ../shared/data/real-speech, five clips in one bin).
GAP_SECONDS = 1.0
#: A segment overlapping this many seconds (or half) of two pieces covers both
#: (its words are then mapped one by one).
SPANS_SECONDS = 0.5


@dataclass
class Piece:
    """One VAD speech segment of one track of one recording.

    Whisper hears a piece with some audio either side of it (``lead`` and
    ``trail`` seconds of ``samples``, :attr:`analyzer.options.VadOptions.context_ms`):
    a soft first or last syllable that the VAD's padding cut short is heard
    whole. That context is not part of the piece: the piece's place in its bin,
    its word times and what the verifier hears are the piece proper.

    Attributes:
        job: The recording (one transcription request).
        track: The track of the recording (index into the request's tracks).
        start: Where the piece proper starts in the recording, seconds.
        samples: The 16 kHz samples Whisper hears: the piece with its context.
        tries: Packed recognitions so far that gave too few words.
        context: Heard only as the company of the pieces after it in its bin
            (a live line's previous turns): the encoder sees it, the decoder
            starts after it (:attr:`Bin.skip`).
        lead: Seconds of ``samples`` before the piece proper (heard, not part of it).
        trail: Seconds of ``samples`` after the piece proper.
        window: The shortest encoder input its bin may be heard in (seconds; 0: the
            engine's; :attr:`analyzer.speech.tracks.Track.window`).
        role: The speaker of its track when the role is known (a stereo channel's:
            ``staff``, ``citizen``); "" when assumed (one microphone) or not given.
            ``asr.decoding = "by_role"`` decodes a bin of citizen pieces greedily first.
    """

    job: int
    track: int
    start: float  # seconds in the recording
    samples: np.ndarray
    tries: int = 0
    context: bool = False
    lead: float = 0.0
    trail: float = 0.0
    window: float = 0.0
    role: str = ""

    @property
    def seconds(self) -> float:
        """Length of the piece proper (its context left out)."""
        return self.samples.size / SAMPLE_RATE - self.lead - self.trail

    @property
    def heard_seconds(self) -> float:
        """Length of what Whisper hears: the piece with its context."""
        return self.samples.size / SAMPLE_RATE

    @classmethod
    def within(cls, job: int, track: int, samples: np.ndarray, span: tuple[int, int],
               heard: tuple[int, int]) -> Piece:
        """The piece ``span`` (samples of ``samples``) heard as ``heard`` (around it)."""
        (a, b), (lo, hi) = span, heard
        return cls(job, track, a / SAMPLE_RATE, samples[lo:hi],
                   lead=(a - lo) / SAMPLE_RATE, trail=(hi - b) / SAMPLE_RATE)


def heard_span(span: tuple[int, int], limits: tuple[int, int], context_ms: int
               ) -> tuple[int, int]:
    """What Whisper hears of the piece ``span`` (samples): ``context_ms`` more audio
    either side, never past ``limits`` (the neighbouring speech or the audio's ends).

    The one rule of every path: :func:`vad_pieces` (analyze, batch) and the
    stream's online policy call it.
    """
    ctx = int(context_ms * SAMPLE_RATE / 1000)
    lo, hi = limits
    return min(span[0], max(lo, span[0] - ctx)), max(span[1], min(hi, span[1] + ctx))


@dataclass
class Bin:
    """Up to 30 s of packed speech (one encoder input) and where each piece sits in it."""

    pieces: list[tuple[float, Piece]] = field(default_factory=list)  # (offset in the bin, piece)
    used: float = 0.0
    max_pieces: int = 0  # 0: no limit
    owner: Any = None  # only pieces with this owner key may join; None: any
    closed: bool = False  # its owner has no more pieces: send it
    serial: int = 0  # made after the packer's bins of lower serial (an owner's bins' order)

    @property
    def speech(self) -> float:
        """Seconds of speech pieces (without the gaps between them)."""
        return sum(p.seconds for _, p in self.pieces)

    def fits(self, piece: Piece, owner: Any = None) -> bool:
        """Room for ``piece`` (whose owner key is ``owner``) in this open bin."""
        if self.owner is not None and owner != self.owner:
            return False
        return piece.heard_seconds <= self.room()

    def room(self) -> float:
        """Seconds a next piece may be heard for in this bin (with its context; negative or
        zero: none fits)."""
        if not self.fits_more() or self.closed:
            return -1.0
        return BIN_SECONDS - self.used - (GAP_SECONDS if self.pieces else 0.0)

    def fits_more(self) -> bool:
        """False when the bin holds its maximum number of pieces."""
        return not self.max_pieces or len(self.pieces) < self.max_pieces

    def add(self, piece: Piece) -> None:
        """Lay ``piece`` after the bin's last one; its offset is the piece proper's."""
        offset = self.used + (GAP_SECONDS if self.pieces else 0.0) + piece.lead
        self.pieces.append((offset, piece))
        self.used = offset + piece.seconds + piece.trail

    @property
    def context_only(self) -> bool:
        """Every piece is context (heard as company, or verified only): nothing to decode."""
        return bool(self.pieces) and all(p.context for _, p in self.pieces)

    @property
    def skip(self) -> float:
        """Where the decoder starts (bin seconds): after the context pieces at the bin's
        start, so their words are not decoded again (0: at the start)."""
        lead = 0.0
        for offset, piece in self.pieces:
            if not piece.context:
                return offset - piece.lead if lead else 0.0
            lead = offset + piece.seconds + piece.trail
        return 0.0

    def audio(self) -> np.ndarray:
        """The bin's audio: each piece heard with its context, silence in the gaps."""
        out = np.zeros(int(round(self.used * SAMPLE_RATE)) + 1, dtype=np.float32)
        for offset, piece in self.pieces:
            i = int(round((offset - piece.lead) * SAMPLE_RATE))
            out[i : i + piece.samples.size] = piece.samples[: out.size - i]
        return out


def vad_pieces(samples: np.ndarray, job: int, track: int, options: ASROptions) -> list[Piece]:
    """Silero VAD (faster-whisper's) over one track: speech pieces, as ``options.vad`` says.

    The one VAD of every path: threshold, padding, minimum silence and the
    longest piece all come from :class:`~analyzer.options.VadOptions`. Each
    piece is heard with ``context_ms`` of audio either side (:func:`heard_span`),
    up to the speech of its neighbours.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if samples.size < SAMPLE_RATE // 10:
        return []
    vad = options.vad
    longest = int(vad.max_piece_seconds * SAMPLE_RATE)
    if not vad.enabled:
        spans = [{"start": s, "end": min(s + longest, samples.size)}
                 for s in range(0, samples.size, longest)]
    else:
        spans = get_speech_timestamps(samples, VadOptions(
            threshold=vad.threshold, min_silence_duration_ms=vad.min_silence_ms,
            max_speech_duration_s=vad.max_piece_seconds, speech_pad_ms=vad.pad_ms,
            min_speech_duration_ms=vad.min_speech_ms))
    bounds = [(int(s["start"]), int(s["end"])) for s in spans]
    pad = int(vad.pad_ms * SAMPLE_RATE / 1000) if vad.enabled else 0
    return [
        Piece.within(job, track, samples, (a, b),
                     heard_span((a, b), _speech_limits(bounds, i, pad, samples.size),
                                vad.context_ms))
        for i, (a, b) in enumerate(bounds)
        if b - a >= SAMPLE_RATE // 10
    ]


def _speech_limits(bounds: Sequence[tuple[int, int]], i: int, pad: int, n: int
                   ) -> tuple[int, int]:
    """How far piece ``i``'s context may reach: to where its neighbours' speech
    ends and begins (their padding is silence), or the track's ends.

    Two pieces that touch were cut inside speech or a short silence (the VAD
    halves a silence shorter than both paddings): no context there.
    """
    lo, hi = 0, n
    if i > 0:
        prev_end = bounds[i - 1][1]
        lo = bounds[i][0] if prev_end >= bounds[i][0] else prev_end - pad
    if i + 1 < len(bounds):
        next_start = bounds[i + 1][0]
        hi = bounds[i][1] if next_start <= bounds[i][1] else next_start + pad
    return lo, hi


@dataclass(frozen=True)
class PlanGroup:
    """The owner of bins a day-plan group's recordings fill together
    (:mod:`analyzer.batch.plan`)."""

    id: int


class Packer:
    """First-fit packing of pieces into bins, released a batch at a time.

    Bins owned by one track, one recording or one day-plan group are filled
    next-fit, so their pieces stay in the order given (give a job's pieces in
    time order, a group's jobs in the plan's order); shared bins (``any``)
    first-fit. A group's newest bin is released only once the group is
    closed (:meth:`close_group`): its content never depends on when its
    recordings came. Pieces that lost their words are laid out again by
    :meth:`again`.

    Args:
        batch_size: Bins released together (one encoder call).
        pieces_per_window: At most this many pieces per bin (0: no limit).
        share: ``channel``: a bin takes the pieces of one track of one
            job only; ``recording``: of one job (both tracks); ``plan``: of
            one job, or of the jobs of one group (:attr:`groups`); ``any``:
            pieces of every job.
    """

    def __init__(self, batch_size: int, pieces_per_window: int = 0,
                 share: str = "any") -> None:
        self.batch_size = batch_size
        self.pieces_per_window = pieces_per_window
        self.share = share
        self.open: list[Bin] = []
        #: job -> its day-plan group (``share="plan"``); other jobs are packed alone
        self.groups: dict[int, int] = {}
        self._made = 0  # bins made so far (each bin's serial)

    def owner(self, piece: Piece) -> Any:
        """The key of the bins ``piece`` may join (None: any bin).

        A piece recognised again (lost words) goes into its own recording's
        bins, never back into a group's.
        """
        if self.share == "channel":
            return piece.job, piece.track
        if self.share == "plan" and piece.job in self.groups and not piece.tries:
            return PlanGroup(self.groups[piece.job])
        return None if self.share == "any" else piece.job

    def add(self, piece: Piece) -> list[Bin]:
        """Place a piece; return a batch of bins when enough are full."""
        owner = self.owner(piece)
        # owned bins next-fit: only the owner's newest bin (keeps time order)
        candidates = self.open if owner is None else [b for b in self.open
                                                      if b.owner == owner][-1:]
        for bin_ in candidates:
            if bin_.fits(piece, owner):
                bin_.add(piece)
                break
        else:
            for older in candidates:  # next-fit: the owner's older bin takes nothing more
                older.closed = older.closed or isinstance(owner, PlanGroup)
            self._made += 1
            bin_ = Bin(max_pieces=self.pieces_per_window, owner=owner, serial=self._made)
            bin_.add(piece)
            self.open.append(bin_)
        return self._release()

    def again(self, owner: Any, lost: Sequence[tuple[tuple[int, float], Piece]]) -> list[Bin]:
        """Closed bins for an owner's pieces that lost their words, laid out next-fit in
        their first-pass order (``lost``: ((bin serial, offset), piece), any order), so the
        layout depends on which pieces were lost and nothing else.

        Each recording's lost pieces get bins of their own, even in a day-plan
        group: letting a group's recordings share them saved 2 of 16 bins on
        the hall corpus but none on the 34 real clips, whose lost pieces were
        then lost again more often (real-speech CER 0.064 -> 0.090).
        """
        bins: list[Bin] = []
        for _, piece in sorted(lost, key=lambda x: x[0]):
            if not bins or not bins[-1].fits(piece, owner) \
                    or bins[-1].pieces[-1][1].job != piece.job:
                self._made += 1
                bins.append(Bin(max_pieces=self.pieces_per_window, owner=owner,
                                serial=self._made))
            bins[-1].add(piece)
        for bin_ in bins:
            bin_.closed = True
        return bins

    def close(self, job: int) -> list[Bin]:
        """Job ``job`` has no more pieces: its own bins are complete."""
        for bin_ in self.open:
            owner = bin_.owner
            if owner == job or (isinstance(owner, tuple) and owner[0] == job):
                bin_.closed = True
        return self._release()

    def close_group(self, group: int) -> list[Bin]:
        """Every recording of day-plan group ``group`` has given its pieces."""
        for bin_ in self.open:
            if bin_.owner == PlanGroup(group):
                bin_.closed = True
        self.groups = {job: g for job, g in self.groups.items() if g != group}
        return self._release()

    def _release(self) -> list[Bin]:
        full = [b for b in self.open
                if BIN_SECONDS - b.used < 2.0 or not b.fits_more() or b.closed]
        if len(full) >= self.batch_size or len(self.open) >= 2 * self.batch_size:
            batch = (full or self.releasable())[: self.batch_size]
            self.open = [b for b in self.open if all(b is not x for x in batch)]
            return batch
        return []

    def releasable(self) -> list[Bin]:
        """The open bins that may go now: all but an open day-plan group's newest."""
        return [b for b in self.open if b.closed or not isinstance(b.owner, PlanGroup)]

    def flush(self, everything: bool = True) -> list[list[Bin]]:
        """The remaining bins, in batches (``everything=False``: only :meth:`releasable`)."""
        rest = self.open if everything else self.releasable()
        self.open = [b for b in self.open if all(b is not x for x in rest)]
        return [rest[i : i + self.batch_size] for i in range(0, len(rest), self.batch_size)]


def run_steps(steps: Generator[str, None, T]) -> T:
    """What a generator of stages returns, its stages run one after another."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


@dataclass
class Recognised:
    """What one batch of bins gave.

    Attributes:
        segments: Per bin, the 1-best segments with their words.
        alternatives: Per bin, the segments of each other beam hypothesis.
        encoded: The bins' encoder output (CTranslate2 ``StorageView``).
    """

    segments: list[list[dict[str, Any]]]
    alternatives: list[list[list[dict[str, Any]]]]
    encoded: Any


#: A window shorter than 30 s is encoded in whole steps of this many seconds
#: (:attr:`analyzer.options.PackOptions.min_window_seconds`).
WINDOW_STEP_SECONDS = 5.0
#: Silence a shortened window keeps after its audio, at least (seconds).
WINDOW_TAIL_SECONDS = 1.0


def window_seconds(bin_: Bin, min_window: float) -> float:
    """Seconds of encoder input ``bin_`` is heard in: 30 (Whisper's window), or with
    ``min_window`` under 30 its own audio plus :data:`WINDOW_TAIL_SECONDS`, rounded up
    to whole :data:`WINDOW_STEP_SECONDS`, at least ``min_window``. A function of the
    bin alone (never of its batch). A bin whose pieces ask for a shorter window of their
    own (:attr:`Piece.window`: a live line's first hearing) is heard in the shortest they
    ask for, never shorter than its audio needs."""
    own = [p.window for _, p in bin_.pieces if p.window]
    if own:
        min_window = min(min_window, *own)
    if min_window >= BIN_SECONDS:
        return BIN_SECONDS
    step = WINDOW_STEP_SECONDS
    need = float(np.ceil((bin_.used + WINDOW_TAIL_SECONDS) / step) * step)
    return min(BIN_SECONDS, max(min_window, need))


def by_window(bins: Sequence[Bin], min_window: float) -> list[list[Bin]]:
    """``bins`` in batches of one encoder length each (:func:`window_seconds`), in the
    order of each length's first bin."""
    groups: dict[float, list[Bin]] = {}
    for b in bins:
        groups.setdefault(window_seconds(b, min_window), []).append(b)
    return list(groups.values())


def bin_features(extractor: Callable[[np.ndarray], np.ndarray],
                 bins: Sequence[Bin], seconds: float = BIN_SECONDS) -> np.ndarray:
    """The encoder input of each bin, ``[bins, mels, 100 * seconds]``: the log-mel
    spectrogram of its audio, padded with zeros to ``seconds`` (30: as faster-whisper's
    ``transcribe`` pads a clip's last 30 s).

    Padding the samples with silence before the spectrogram instead (as openai-whisper
    does) read our own example recordings worse (CER 0.217 against 0.206) and changed
    which phrases the verifier hears.
    """
    from faster_whisper.audio import pad_or_trim

    frames = int(round(seconds * 100))
    return np.stack([pad_or_trim(extractor(b.audio())[..., :-1], length=frames) for b in bins])


#: Windows per encoder call on a CPU (:meth:`PackedRecognizer._encode`).
CPU_ENCODER_WINDOWS = 1


class PackedRecognizer:
    """Recognise batches of packed bins with one loaded Whisper model.

    Args:
        model: A ``faster_whisper.WhisperModel``.
        options: Recognition options (language, beam size, thresholds).
        timings: Dict the stages add their seconds to (``encoder``,
            ``decoder``, ``align``).
    """

    def __init__(self, model: Any, options: ASROptions, timings: dict[str, float],
                 min_window: float = BIN_SECONDS) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self.model = model
        self.options = options
        self.timings = timings
        #: The shortest encoder input (:attr:`analyzer.options.PackOptions.min_window_seconds`).
        self.min_window = min_window
        self.tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                                   task="transcribe", language=options.language or "zh")
        from analyzer.speech.asr import prompt_texts

        prompt_text, hotwords = prompt_texts(options)
        self.prompt = model.get_prompt(
            self.tokenizer,
            previous_tokens=self.tokenizer.encode(prompt_text) if prompt_text else [],
            without_timestamps=False,
            hotwords=hotwords,
        )
        self.suppress = list(get_suppressed_tokens(self.tokenizer, [-1]))
        #: Hypotheses the beam returns (the first is the transcript; the others
        #: give the acoustic verifier candidates).
        self.nbest = 1

    def recognise(self, bins: Sequence[Bin]) -> list[list[dict[str, Any]]]:
        """Segments of each bin: ``start``, ``end`` and ``words`` (bin time).

        Each word is a dict ``word, start, end, probability``.
        """
        return self.recognise_full(bins).segments

    def recognise_full(self, bins: Sequence[Bin]) -> Recognised:
        """Segments of each bin, with the encoder output and the beam's other hypotheses."""
        return run_steps(self.recognise_steps(bins))

    def recognise_steps(self, bins: Sequence[Bin]) -> Generator[str, None, Recognised]:
        """:meth:`recognise_full` one stage at a time: yields the name of each stage done
        (``encoder``, ``decoder``, ``loops`` when bins were decoded again) and returns
        what :meth:`recognise_full` returns.

        Between two stages the caller may let other work use the model (the live
        listener's first hearings go before a bin heard again,
        :class:`analyzer.stream.scheduler.Prioritised`); the stages' inputs are kept
        (the encoder output), so the words are those of :meth:`recognise_full`.
        """
        spent: dict[str, float] = {}
        t0 = time.perf_counter()
        # one length for the batch: the engine batches bins of one length
        # (:func:`by_window`); a mixed batch is heard at its longest
        seconds = max((window_seconds(b, self.min_window) for b in bins), default=BIN_SECONDS)
        encoded = self._encode(bin_features(self.model.feature_extractor, bins, seconds))
        spent["features+encoder"] = time.perf_counter() - t0
        yield "encoder"
        t0 = time.perf_counter()
        all_skips = [b.skip for b in bins]
        # a bin of context pieces only (verified, not decoded: a live peek) is not decoded
        todo = [i for i, b in enumerate(bins) if not b.context_only]
        done, skips = [bins[i] for i in todo], [all_skips[i] for i in todo]
        rows = encoded if len(todo) == len(bins) else _rows(encoded, todo) if todo else None
        results = self._first_decoding(rows, skips, self.greedy_first(done)) if todo else []
        spent["decoder"] = time.perf_counter() - t0
        yield "decoder"
        looping = [i for i, r in enumerate(results) if self._loops(r.sequences_ids[0])]
        if looping:  # re-decode only the bins that ran into a repetition loop
            t0 = time.perf_counter()
            again = self._generate(_rows(rows, looping), [skips[i] for i in looping],
                                   self.options.repetition_penalty)
            for i, r in zip(looping, again, strict=True):
                results[i] = r
            self.timings["n_loop_bins"] = self.timings.get("n_loop_bins", 0) + len(looping)
            spent["decoder"] += time.perf_counter() - t0
            yield "loops"
        t0 = time.perf_counter()
        segments = [self._segments(r.sequences_ids[0], b.used) for r, b in zip(results, done,
                                                                                strict=True)]
        aligned = self._align(done, segments, rows) if todo else []
        spent["align"] = time.perf_counter() - t0
        for stage, seconds in spent.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds
        self.timings["n_bins"] = self.timings.get("n_bins", 0) + len(bins)
        self.timings["n_bin_speech_seconds"] = self.timings.get(
            "n_bin_speech_seconds", 0) + sum(b.speech for b in bins)
        out: list[list[dict[str, Any]]] = [[] for _ in bins]
        alternatives: list[list[list[dict[str, Any]]]] = [[] for _ in bins]
        for i, r, segs, words, b in zip(todo, results, segments, aligned, done, strict=True):
            alternatives[i] = [self._segments(seq, b.used) for seq in r.sequences_ids[1:]]
            # faster-whisper's no-speech rule: likely silence and an unsure decoding
            # (mean token log-probability under -1); a lone word on likely silence too
            unsure = len(words) < 2 or (r.scores and r.scores[0] < -1.0)
            if r.no_speech_prob > self.options.no_speech_threshold and unsure:
                continue
            _words_into_segments(segs, words)
            out[i] = segs
        return Recognised(out, alternatives, encoded)

    def decode_from(self, bin_: Bin, encoded: Any, row: int, start: float
                    ) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
        """Bin ``row`` of ``encoded`` (its encoder output, kept from its first decoding)
        decoded again from ``start`` seconds on, alone: the 1-best segments with their
        words and the other hypotheses' segments, in bin time; no segments where the
        decoding loops.

        A piece Whisper jumped over in its packed bin (it ended the bin early, or
        went on from the piece after) is heard again this way without another
        encoder pass (:attr:`analyzer.options.PackOptions.lost`): the decoder
        starts at the piece's timestamp, with the same beam and prompt, so it
        can no longer pass over it. Decoded alone, the result never depends on
        which other bins were in the batch.
        """
        t0 = time.perf_counter()
        one = _rows(encoded, [row])
        result = self._generate(one, [start], 1.0)[0]
        self.timings["decoder"] = self.timings.get("decoder", 0.0) + time.perf_counter() - t0
        if self._loops(result.sequences_ids[0]):
            return [], []
        t0 = time.perf_counter()
        segments = self._segments(result.sequences_ids[0], bin_.used, start)
        words = self._align([bin_], [segments], one, [start])[0]
        self.timings["align"] = self.timings.get("align", 0.0) + time.perf_counter() - t0
        _words_into_segments(segments, words)
        return segments, [self._segments(seq, bin_.used, start)
                          for seq in result.sequences_ids[1:]]

    def piece_alternatives(self, alternatives: Sequence[Sequence[dict[str, Any]]],
                           offset: float, seconds: float) -> list[str]:
        """A piece's text in each of the beam's other hypotheses (segments overlapping it)."""
        out = []
        for segs in alternatives:
            text = "".join(self.tokenizer.decode(seg["tokens"]) for seg in segs
                           if _overlap(seg["start"], seg["end"], offset, offset + seconds)
                           >= 0.5 * min(seconds, seg["end"] - seg["start"]))
            if text.strip():
                out.append(text)
        return out

    def _align(self, bins: Sequence[Bin], segments: list[list[dict[str, Any]]],
               encoded: Any, skips: Sequence[float] | None = None
               ) -> list[list[dict[str, Any]]]:
        """Word times of each bin's decoded tokens (cross-attention, as
        ``word_timestamps=True``); a bin whose decoder started after context pieces
        (or at ``skips``, bin seconds, where given) is aligned on its encoder frames
        from there (the words are not those of the audio before)."""
        skips = [b.skip for b in bins] if skips is None else skips
        tokens = [[t for seg in segs for t in seg["tokens"]] for segs in segments]
        fps = self.model.frames_per_second
        frames = [min(3000, int(np.ceil(b.used)) * fps) for b in bins]
        later = [i for i, skip in enumerate(skips) if skip and tokens[i]]
        # every row aligned from a later start (a piece decoded again, a live line's
        # bin after its context): its whole-bin alignment would be thrown away, so it
        # is not made (the words are those made from the later start alone)
        aligned: list[list[dict[str, Any]]] = [[] for _ in bins] if len(later) == len(bins) \
            else list(self.model.find_alignment(self.tokenizer, tokens, encoded, frames))
        if later:
            import ctranslate2

            from analyzer.speech.verify import host_array

            host = host_array(encoded)
            for i in later:
                cut = int(skips[i] * fps) // 2 * 2  # mel frames, even (2 per encoder frame)
                tail = ctranslate2.StorageView.from_array(
                    np.ascontiguousarray(host[i:i + 1, cut // 2:]))
                words = self.model.find_alignment(self.tokenizer, [tokens[i]], tail,
                                                  [max(2, frames[i] - cut)])[0]
                aligned[i] = [{**w, "start": w["start"] + cut / fps, "end": w["end"] + cut / fps}
                              for w in words]
        return aligned

    def greedy_first(self, bins: Sequence[Bin]) -> list[bool]:
        """Which of ``bins`` are decoded greedily first, as ``options.decoding`` says:
        ``beam`` none, ``greedy_first`` every bin, ``by_role`` the bins that hold only
        pieces of a channel known to be the citizen's (:attr:`Piece.role`): the staff's
        speech, where phrases are judged, keeps the beam; a bin mixing the two roles
        (``pack.share = "recording"`` lays a visit's turns in time order) and a mono
        recording's (roles assumed) keep it too. A function of each bin alone."""
        decoding = self.options.decoding
        if decoding == "beam" or self.options.beam_size <= 1:
            return [False] * len(bins)
        if decoding == "greedy_first":
            return [True] * len(bins)
        return [bool(b.pieces) and all(p.role == "citizen" for _, p in b.pieces) for b in bins]

    def _first_decoding(self, encoded: Any, skips: Sequence[float],
                        greedy: Sequence[bool] | None = None) -> list[Any]:
        """Each bin's first decoding: beam search (``beam_size``), or for the bins that
        ``greedy`` marks (None: every bin where ``options.decoding`` is
        ``greedy_first``, :meth:`greedy_first`) greedy decoding, then beam search only
        for those that :meth:`_wants_beam` (unsure, looping or likely silence), the
        30 s window faster-whisper's own fallback judges. A bin kept greedy has no
        other hypotheses: the acoustic verifier then takes its candidates from the
        1-best text and the owed phrases only (``verify.nbest`` applies to the bins
        decoded with the beam). Each bin's result is its own: the bins decoded with
        the beam go in one call, the greedy ones in another (CTranslate2 gives a row
        the same result whatever shares its call, ``tests/test_reproducible.py``).
        """
        options = self.options
        n = len(skips)
        if greedy is None:
            greedy = [options.decoding == "greedy_first" and options.beam_size > 1] * n
        first = [i for i in range(n) if greedy[i]]
        if not first:
            return self._generate(encoded, skips, 1.0)
        results: list[Any] = [None] * n
        tried = self._generate(encoded if len(first) == n else _rows(encoded, first),
                               [skips[i] for i in first], 1.0, beam_size=1)
        for i, r in zip(first, tried, strict=True):
            results[i] = r
        unsure = [i for i, r in zip(first, tried, strict=True) if self._wants_beam(r)]
        beam = sorted(unsure + [i for i in range(n) if not greedy[i]])
        if beam:
            again = self._generate(encoded if len(beam) == n else _rows(encoded, beam),
                                   [skips[i] for i in beam], 1.0)
            for i, r in zip(beam, again, strict=True):
                results[i] = r
        self.timings["n_greedy_bins"] = self.timings.get("n_greedy_bins", 0) + len(first)
        self.timings["n_beam_bins"] = self.timings.get("n_beam_bins", 0) + len(unsure)
        return results

    def _wants_beam(self, result: Any) -> bool:
        """Whether a bin's greedy decoding is to be done again with the beam: its mean
        token log-probability is under ``asr.beam_below_logprob``, it loops
        (``asr.compression_ratio_threshold``), or it is likely silence
        (no-speech probability over ``asr.no_speech_threshold``, so whether its
        words are dropped is decided on the beam's text, as with ``decoding="beam"``)."""
        options = self.options
        return bool((result.scores and result.scores[0] < options.beam_below_logprob)
                    or result.no_speech_prob > options.no_speech_threshold
                    or self._loops(result.sequences_ids[0]))

    def _encode(self, feats: np.ndarray) -> Any:
        """The encoder output of ``[bins, mels, 3000]`` features (a ``StorageView``).

        On a CPU the windows are encoded :data:`CPU_ENCODER_WINDOWS` at a time and
        joined: the encoder's attention holds about 100 MB per window while it
        runs (a worker's peak memory grew by 390 MB for 4 windows at once, 127 MB
        for one), a CPU encodes no faster in batches, and each window's output is
        the same bit for bit. A GPU encodes the whole batch in one call.
        """
        step = CPU_ENCODER_WINDOWS
        if self.model.model.device != "cpu" or len(feats) <= step:
            return self.model.encode(feats)
        import ctranslate2

        parts = [np.asarray(self.model.encode(feats[i: i + step]))
                 for i in range(0, len(feats), step)]
        return ctranslate2.StorageView.from_array(np.concatenate(parts))

    def _generate(self, encoded: Any, skips: Sequence[float], repetition_penalty: float,
                  beam_size: int = 0) -> list[Any]:
        """Batched decoding of encoded bins (CTranslate2 ``generate``); a bin with
        ``skip`` seconds of context starts from that timestamp. ``beam_size`` 0:
        the options' beam."""
        beam_size = beam_size or self.options.beam_size
        sample = self.options.temperature > 0 and beam_size == 1
        begin = self.tokenizer.timestamp_begin
        prompts = [list(self.prompt) + ([begin + int(round(skip / 0.02))] if skip else [])
                   for skip in skips]
        return list(self.model.model.generate(
            encoded, prompts,
            beam_size=max(1, beam_size), max_length=self.model.max_length,
            suppress_blank=True, suppress_tokens=self.suppress, return_scores=True,
            return_no_speech_prob=True, repetition_penalty=repetition_penalty,
            # temperature > 0 samples (greedy only, as faster-whisper does); 0: argmax
            sampling_topk=0 if sample else 1,
            sampling_temperature=self.options.temperature if sample else 1.0,
            num_hypotheses=min(self.nbest, max(1, beam_size)),
        ))

    def _loops(self, tokens: Sequence[int]) -> bool:
        """True when the decoded bin repeats itself (:func:`analyzer.speech.asr.loops`).

        Decoding first runs without a repetition penalty (which changes words
        of clean speech too); a looping bin is decoded again with it, as
        faster-whisper falls back on a failed 30 s input.
        """
        from analyzer.speech.asr import loops

        return loops(self.tokenizer.decode([t for t in tokens if t < self.tokenizer.eot]),
                     self.options)

    def _segments(self, tokens: Sequence[int], used: float, start: float = 0.0
                  ) -> list[dict[str, Any]]:
        """Split decoded tokens at timestamp tokens into timed segments (``start``: where
        the decoder began, bin seconds)."""
        begin, eot, precision = self.tokenizer.timestamp_begin, self.tokenizer.eot, 0.02
        segs: list[dict[str, Any]] = []
        text: list[int] = []
        for t in tokens:
            if t >= begin:
                stamp = (t - begin) * precision
                if text:
                    segs.append({"start": start, "end": stamp, "tokens": text})
                    text = []
                start = stamp
            elif t < eot:
                text.append(t)
        if text:
            segs.append({"start": start, "end": max(start, used), "tokens": text})
        return segs


def _rows(encoded: Any, rows: Sequence[int]) -> Any:
    """The encoder output of some bins of a batch (a CTranslate2 ``StorageView``)."""
    import ctranslate2

    from analyzer.speech.verify import host_array

    return ctranslate2.StorageView.from_array(np.ascontiguousarray(host_array(encoded)[list(rows)]))


def _words_into_segments(segments: list[dict[str, Any]], words: Sequence[dict[str, Any]]
                         ) -> None:
    """Give each segment the aligned words of its tokens (``segment["words"]``)."""
    i = 0
    for seg in segments:
        seg["words"], taken = [], 0
        while i < len(words) and taken < len(seg["tokens"]):
            seg["words"].append(words[i])
            taken += len(words[i]["tokens"])
            i += 1
    if segments and i < len(words):
        segments[-1]["words"] += list(words[i:])


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def assign_words(bin_: Bin, segments: Sequence[dict[str, Any]]
                 ) -> dict[tuple[int, int, float], list[Word]]:
    """Map a bin's words to (job, track, piece start) with recording times.

    Whisper usually puts a segment boundary at the pause between two pieces,
    so a segment goes whole to the piece it overlaps most (its timestamps may
    reach a little into the gap or the next piece). A segment that covers a
    real part of two or more pieces (Whisper sometimes writes a whole
    bin's speech as one segment) is split word by word: each word to the
    piece holding its midpoint, or the nearest.
    """
    out: dict[tuple[int, int, float], list[Word]] = defaultdict(list)
    if not bin_.pieces:
        return out
    spans = [(off, off + p.seconds, p) for off, p in bin_.pieces]
    for seg in segments:
        lap = sorted(((_overlap(seg["start"], seg["end"], a, b), a, b, p) for a, b, p in spans),
                     key=lambda x: -x[0])
        covered = [x for x in lap if x[0] >= min(SPANS_SECONDS, 0.5 * (x[2] - x[1]))]
        whole = len(covered) <= 1
        for w in seg.get("words", ()):
            text = str(w["word"])
            if not text.strip():
                continue
            if whole:
                _, a, b, piece = lap[0]
            else:
                mid = (float(w["start"]) + float(w["end"])) / 2
                a, b, piece = min(spans, key=lambda s: 0.0 if s[0] <= mid <= s[1]
                                  else min(abs(mid - s[0]), abs(mid - s[1])))
            shift = piece.start - a
            start = min(max(float(w["start"]), a), b) + shift
            end = min(max(float(w["end"]), a), b) + shift
            out[(piece.job, piece.track, piece.start)].append(
                Word(text, round(start, 3), round(max(end, start), 3), float(w["probability"])))
    return out


def words_to_utterances(
    words: Sequence[Word],
    speaker: str,
    speaker_known: bool,
    split_gap: float,
    is_hallucination: Callable[[str], bool],
    written: Callable[[Sequence[Word]], list[Word]],
) -> list[Utterance]:
    """Utterances of one speech piece: split at pauses, written as the transcript
    writes words (``written``: simplified, numbers as said), hallucinations dropped."""
    from analyzer.speech.asr import split_at_pauses

    out = []
    for piece in split_at_pauses(words, split_gap):
        simple = written(piece)
        text = "".join(w.text for w in simple).strip()
        if not text or is_hallucination(text):
            continue
        conf = float(np.mean([w.probability for w in piece]))
        out.append(Utterance(speaker, simple[0].start, simple[-1].end, text, tuple(simple), conf,
                             speaker_known))
    return out
