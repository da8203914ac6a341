"""Packed recognition: speech from many recordings in full 30 s Whisper windows.

Whisper's encoder always looks at 30 s. Transcribing one VAD segment at a
time pads a 3 s utterance to 30 s and wastes nine tenths of the encoder. This
stage instead lays the speech segments of many recordings (and channels) end
to end, with a short silence between them, into windows of up to 30 s, runs
the encoder and the (beam search) decoder on a *batch* of such windows at once, then
aligns the words (cross-attention, as ``word_timestamps=True`` does) and maps
each word back to the recording, channel and time it came from. Decoding
keeps timestamp tokens (Whisper's long-form mode), which makes it go on past
the pause between two pieces; a piece that still gets no words is recognised
once more in a window of its own, so packing never silently drops speech.

It uses faster-whisper's own pieces: ``WhisperModel.feature_extractor``,
``WhisperModel.encode``, ``model.model.generate`` (CTranslate2, batched) and
``WhisperModel.find_alignment``; hallucination and traditional-to-simplified
handling come from :mod:`analyzer.asr` so text is cleaned exactly as on the
single-file path.

By default (:class:`PackOptions`) each piece has a window of its own: packing
several pieces together is faster but changes their words (Whisper's encoder
attends over the whole window), so it is an option, not the default.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from analyzer.options import ASROptions
from analyzer.types import Utterance, Word

SAMPLE_RATE = 16000
WINDOW_SECONDS = 30.0
#: Silence laid between two pieces in a window. Whisper base, decoding with
#: timestamps, transcribes every piece of a packed window with 1 s pauses; with
#: 0.4 s, or without timestamp tokens, it often stops after the first piece
#: (measured on ../shared/data/real-speech, five clips in one window).
GAP_SECONDS = 1.0
#: A VAD segment longer than this is cut (the window must hold it whole).
MAX_PIECE_SECONDS = 28.0


#: Which pieces may share a window (see :class:`PackOptions`).
SHARE_MODES: tuple[str, ...] = ("channel", "any")


@dataclass(frozen=True)
class PackOptions:
    """How the batch recognises packed windows; recorded in each run's options.

    Defaults come from ``benchmarks/throughput.py`` on ``../shared/data/real-speech``
    (README, batch section). Greedy int8 decoding of packed windows made about
    twice the naive baseline's character errors. Beam search removes part of
    that; the rest comes from the *encoder*: it attends over the whole 30 s
    window, so another speaker's audio in the same window changes a piece's
    words (resetting the decoder's text context at each piece did not help,
    nor did per-piece log-mel normalisation or shorter windows). Windows that
    hold only one recording channel's own speech (``share="channel"``) match
    the baseline at about two thirds of the across-recording throughput;
    ``share="any"`` trades errors for speed.

    Attributes:
        beam_size: Beam width of the batched CTranslate2 decoder (1: greedy).
        compute_type: CTranslate2 compute type on CPU (a GPU keeps
            ``asr.compute_type``, float16 by default).
        pieces_per_window: At most this many VAD speech pieces share a 30 s
            window; 0: as many as fit, 1: every piece alone.
        share: Which pieces may share a window: ``channel`` (default) packs
            the consecutive speech pieces of one channel of one recording,
            silence cut out, as faster-whisper's batched pipeline does, so the
            encoder never hears another recording; ``any`` packs across
            recordings too (fastest, but other speakers' audio in the window
            changes a piece's words).
    """

    beam_size: int = 5
    compute_type: str = "int8_float32"
    pieces_per_window: int = 0
    share: str = "channel"

    def __post_init__(self) -> None:
        if self.share not in SHARE_MODES:
            raise ValueError(f"share must be one of {SHARE_MODES}, not {self.share!r}")

    def apply(self, asr: ASROptions) -> ASROptions:
        """``asr`` with this beam width and, on CPU, this compute type."""
        compute = self.compute_type if asr.device == "cpu" else asr.compute_type
        return replace(asr, beam_size=self.beam_size, compute_type=compute)


@dataclass
class Piece:
    """One VAD speech segment of one channel of one recording."""

    job: int
    channel: int
    start: float  # seconds in the recording
    samples: np.ndarray
    tries: int = 0  # packed recognitions so far that gave too few words

    @property
    def seconds(self) -> float:
        return self.samples.size / SAMPLE_RATE


@dataclass
class Window:
    """Up to 30 s of packed speech and where each piece sits in it."""

    pieces: list[tuple[float, Piece]] = field(default_factory=list)  # (offset in window, piece)
    used: float = 0.0
    max_pieces: int = 0  # 0: no limit
    owner: int | None = None  # only pieces of this job may join; None: any
    closed: bool = False  # its owner has no more pieces: send it

    @property
    def speech(self) -> float:
        """Seconds of speech pieces (without the gaps between them)."""
        return sum(p.seconds for _, p in self.pieces)

    def fits(self, piece: Piece) -> bool:
        if not self.fits_more() or self.closed:
            return False
        if self.owner is not None and piece.job != self.owner:
            return False
        gap = GAP_SECONDS if self.pieces else 0.0
        return self.used + gap + piece.seconds <= WINDOW_SECONDS

    def fits_more(self) -> bool:
        """False when the window holds its maximum number of pieces."""
        return not self.max_pieces or len(self.pieces) < self.max_pieces

    def add(self, piece: Piece) -> None:
        offset = self.used + (GAP_SECONDS if self.pieces else 0.0)
        self.pieces.append((offset, piece))
        self.used = offset + piece.seconds

    def audio(self) -> np.ndarray:
        out = np.zeros(int(round(self.used * SAMPLE_RATE)) + 1, dtype=np.float32)
        for offset, piece in self.pieces:
            i = int(round(offset * SAMPLE_RATE))
            out[i : i + piece.samples.size] = piece.samples[: out.size - i]
        return out


def vad_pieces(samples: np.ndarray, job: int, channel: int, options: ASROptions) -> list[Piece]:
    """Silero VAD (faster-whisper's) over one channel; speech pieces of at most 28 s."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if samples.size < SAMPLE_RATE // 10:
        return []
    vad = VadOptions(
        threshold=getattr(options, "vad_threshold", 0.5),
        min_silence_duration_ms=options.vad_min_silence_ms,
        max_speech_duration_s=MAX_PIECE_SECONDS,
        speech_pad_ms=200,
    )
    if not options.vad:
        spans = [{"start": s, "end": min(s + int(MAX_PIECE_SECONDS * SAMPLE_RATE), samples.size)}
                 for s in range(0, samples.size, int(MAX_PIECE_SECONDS * SAMPLE_RATE))]
    else:
        spans = get_speech_timestamps(samples, vad)
    return [
        Piece(job, channel, s["start"] / SAMPLE_RATE, samples[s["start"] : s["end"]])
        for s in spans
        if s["end"] - s["start"] >= SAMPLE_RATE // 10
    ]


class Packer:
    """First-fit packing of pieces into windows, released a batch at a time.

    Args:
        batch_size: Windows released together (one encoder call).
        pieces_per_window: At most this many pieces per window (0: no limit).
        share: ``channel``: a window takes the pieces of one job (one channel
            of one recording) only; ``any``: pieces of every job.
    """

    def __init__(self, batch_size: int, pieces_per_window: int = 0,
                 share: str = "any") -> None:
        self.batch_size = batch_size
        self.pieces_per_window = pieces_per_window
        self.share = share
        self.open: list[Window] = []

    def add(self, piece: Piece) -> list[Window]:
        """Place a piece; return a batch of windows when enough are full."""
        for window in self.open:
            if window.fits(piece):
                window.add(piece)
                break
        else:
            owner = piece.job if self.share == "channel" else None
            window = Window(max_pieces=self.pieces_per_window, owner=owner)
            window.add(piece)
            self.open.append(window)
        return self._release()

    def close(self, job: int) -> list[Window]:
        """Job ``job`` has no more pieces: its own windows are complete."""
        for window in self.open:
            if window.owner == job:
                window.closed = True
        return self._release()

    def _release(self) -> list[Window]:
        full = [w for w in self.open
                if WINDOW_SECONDS - w.used < 2.0 or not w.fits_more() or w.closed]
        if len(full) >= self.batch_size or len(self.open) >= 2 * self.batch_size:
            batch = (full or self.open)[: self.batch_size]
            self.open = [w for w in self.open if all(w is not b for b in batch)]
            return batch
        return []

    def flush(self) -> list[list[Window]]:
        """Every remaining window, in batches."""
        rest, self.open = self.open, []
        return [rest[i : i + self.batch_size] for i in range(0, len(rest), self.batch_size)]


class PackedRecognizer:
    """Recognise batches of packed windows with one loaded Whisper model.

    Args:
        model: A ``faster_whisper.WhisperModel``.
        options: Recognition options (language, beam size, thresholds).
        timings: Dict the stages add their seconds to (``encoder``,
            ``decoder``, ``align``).
    """

    def __init__(self, model: Any, options: ASROptions, timings: dict[str, float]) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self.model = model
        self.options = options
        self.timings = timings
        self.tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                                   task="transcribe", language=options.language or "zh")
        prompt_text = options.initial_prompt or None
        self.prompt = model.get_prompt(
            self.tokenizer,
            previous_tokens=self.tokenizer.encode(prompt_text) if prompt_text else [],
            without_timestamps=False,
        )
        self.suppress = list(get_suppressed_tokens(self.tokenizer, [-1]))

    def recognise(self, windows: Sequence[Window]) -> list[list[dict[str, Any]]]:
        """Segments of each window: ``start``, ``end`` and ``words`` (window time).

        Each word is a dict ``word, start, end, probability``.
        """
        from faster_whisper.audio import pad_or_trim

        t0 = time.perf_counter()
        fe = self.model.feature_extractor
        feats = np.stack([pad_or_trim(fe(w.audio())[..., :-1]) for w in windows])
        encoded = self.model.encode(feats)
        t1 = time.perf_counter()
        results = self.model.model.generate(
            encoded, [list(self.prompt) for _ in windows],
            beam_size=max(1, self.options.beam_size), max_length=self.model.max_length,
            suppress_blank=True, suppress_tokens=self.suppress, return_scores=True,
            return_no_speech_prob=True, sampling_temperature=0.0,
        )
        t2 = time.perf_counter()
        segments = [self._segments(r.sequences_ids[0], w.used) for r, w in zip(results, windows,
                                                                                strict=True)]
        tokens = [[t for seg in segs for t in seg["tokens"]] for segs in segments]
        frames = [min(3000, int(np.ceil(w.used)) * self.model.frames_per_second) for w in windows]
        aligned = self.model.find_alignment(self.tokenizer, tokens, encoded, frames)
        t3 = time.perf_counter()
        self.timings["features+encoder"] = self.timings.get("features+encoder", 0.0) + t1 - t0
        self.timings["decoder"] = self.timings.get("decoder", 0.0) + t2 - t1
        self.timings["align"] = self.timings.get("align", 0.0) + t3 - t2
        self.timings["n_windows"] = self.timings.get("n_windows", 0) + len(windows)
        self.timings["n_window_speech_seconds"] = self.timings.get(
            "n_window_speech_seconds", 0) + sum(w.speech for w in windows)
        out = []
        for r, segs, words in zip(results, segments, aligned, strict=True):
            if r.no_speech_prob > self.options.no_speech_threshold and len(words) < 2:
                out.append([])
                continue
            _words_into_segments(segs, words)
            out.append(segs)
        return out

    def _segments(self, tokens: Sequence[int], used: float) -> list[dict[str, Any]]:
        """Split decoded tokens at timestamp tokens into timed segments."""
        begin, eot, precision = self.tokenizer.timestamp_begin, self.tokenizer.eot, 0.02
        segs: list[dict[str, Any]] = []
        start, text = 0.0, []
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


def assign_words(window: Window, segments: Sequence[dict[str, Any]]
                 ) -> dict[tuple[int, int, float], list[Word]]:
    """Map a window's words to (job, channel, piece start) with recording times.

    Whisper puts a segment boundary at the pause between two pieces, so each
    segment goes whole to the piece it overlaps most; a segment that clearly
    spans two pieces is split word by word (each word to the piece holding
    its midpoint, or the nearest).
    """
    out: dict[tuple[int, int, float], list[Word]] = defaultdict(list)
    if not window.pieces:
        return out
    spans = [(off, off + p.seconds, p) for off, p in window.pieces]
    for seg in segments:
        lap = sorted(((_overlap(seg["start"], seg["end"], a, b), a, b, p) for a, b, p in spans),
                     key=lambda x: -x[0])
        whole = len(lap) == 1 or lap[1][0] < max(0.3, 0.3 * (seg["end"] - seg["start"]))
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
            out[(piece.job, piece.channel, piece.start)].append(
                Word(text, round(start, 3), round(max(end, start), 3), float(w["probability"])))
    return out


def words_to_utterances(
    words: Sequence[Word],
    speaker: str,
    speaker_known: bool,
    split_gap: float,
    is_hallucination: Callable[[str], bool],
    to_simplified: Callable[[str], str],
) -> list[Utterance]:
    """Utterances of one speech piece: split at pauses, simplified, hallucinations dropped."""
    from analyzer.asr import split_at_pauses

    out = []
    for piece in split_at_pauses(words, split_gap):
        text = to_simplified("".join(w.text for w in piece).strip())
        if not text or is_hallucination(text):
            continue
        simple = [Word(to_simplified(w.text), w.start, w.end, w.probability) for w in piece]
        conf = float(np.mean([w.probability for w in piece]))
        out.append(Utterance(speaker, piece[0].start, piece[-1].end, text, tuple(simple), conf,
                             speaker_known))
    return out
