"""One batch worker: a loaded Whisper model turning recordings into reports.

A worker (a local process or a Ray actor) runs several recordings at once in
threads. Each thread runs the normal audio path,
:func:`analyzer.speech.recording.analyze_recording` (decode, rings, channels, loudness)
then :func:`analyzer.pipeline.analyze_interaction` (matching, scoring), so a
batch report is exactly the report ``conduct analyze`` gives, but with
:class:`PackedTranscriber` as the recognizer: the audio path hands it all
channels of a recording at once, their VAD speech pieces go into 30 s windows
(shared as :attr:`PackOptions.share` allows), and the thread waits. One
recognizer thread encodes and decodes windows in batches. While it does, the
other threads decode the next recordings: decoding overlaps recognition.
When every recording in flight waits on partly filled windows, another
recording is admitted to fill them (up to :data:`FILL_FACTOR` times
``inflight``); only when none can join do partly filled windows go.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from analyzer.batch.jobs import (
    AudioResults,
    Job,
    JobFailed,
    JobResult,
    Outcome,
    WorkerDone,
    WorkerError,
)
from analyzer.errors import AnalyzerError
from analyzer.options import AnalyzerOptions, ASROptions, PackOptions
from analyzer.speech.packing import (
    PackedRecognizer,
    Packer,
    Piece,
    Window,
    assign_words,
    vad_pieces,
    words_to_utterances,
)
from analyzer.types import Utterance, Word

#: A piece whose packed recognition gave fewer characters per second of speech
#: than this (after VAD padding) is recognised again: packed once more with
#: other such pieces, then, if still no word came back, alone. Mandarin runs at 3-5 characters a second, so
#: this catches pieces Whisper skipped (it sometimes jumps over one piece of a
#: packed window), not merely unclear speech.
RETRY_MIN_CHARS_PER_SECOND = 0.5
#: Up to this many times ``inflight`` recordings may be in flight, the extra
#: ones admitted only while every other recording waits on a partly filled
#: window (so windows go to the encoder full).
FILL_FACTOR = 4
#: VAD padding around a piece, not speech.
_PAD_SECONDS = 0.5


def _lost(words: list[Word], piece: Piece) -> bool:
    """True when a piece's words probably went missing in its packed window.

    First packed try: fewer characters than :data:`RETRY_MIN_CHARS_PER_SECOND`
    allows. Second packed try: no word at all (a whole window of its own is
    spent only on speech Whisper skipped twice, not on merely unclear speech).
    """
    chars = sum(len(w.text.strip()) for w in words)
    if piece.tries >= 1:
        return chars == 0
    return chars < RETRY_MIN_CHARS_PER_SECOND * (piece.seconds - _PAD_SECONDS)


@dataclass
class _Request:
    """One recording waiting for its words, keyed by (track, piece start)."""

    pending: int
    done: threading.Event = field(default_factory=threading.Event)
    words: dict[tuple[int, float], list[Word]] = field(default_factory=lambda: defaultdict(list))
    error: BaseException | None = None


class PackedTranscriber:
    """The ``transcriber`` hook of the audio path, packing speech into shared windows.

    The audio path gives it all tracks of a recording at once
    (:meth:`transcribe_many`), so both parties of a stereo recording can share
    windows (``share="recording"``). Call :meth:`enter` when a recording is handed to a thread and
    :meth:`leave` when it is done, so the recognizer knows when every
    recording in flight is waiting and partly filled windows must go; run
    :meth:`serve` in one thread.

    Args:
        model: The loaded ``faster_whisper.WhisperModel``.
        options: Recognition options.
        batch_size: Windows encoded and decoded together.
        timings: Seconds per stage, added to by every thread.
        pieces_per_window: At most this many pieces per window (0: no limit).
        share: Which pieces may share a window (:attr:`PackOptions.share`).
    """

    def __init__(self, model: Any, options: ASROptions, batch_size: int,
                 timings: dict[str, float], pieces_per_window: int = 0,
                 share: str = "recording") -> None:
        self.options = options
        self.timings = timings
        self.recognizer = PackedRecognizer(model, options, timings)
        self.packer = Packer(batch_size, pieces_per_window, share)
        self._cond = threading.Condition()
        self._ready: list[list[Window]] = []
        self._requests: dict[int, _Request] = {}
        self._active = 0
        self._waiting = 0
        self._stopped = False
        self._next = 0
        self._local = threading.local()
        #: Recordings that may be in flight at once while windows are filling.
        self.max_active = 1 << 30
        #: Set when no further recording will come (partly filled windows go).
        self.exhausted = False

    def spent(self) -> float:
        """Seconds the calling thread has spent inside this transcriber."""
        return getattr(self._local, "spent", 0.0)

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

    def __call__(self, samples: np.ndarray, options: ASROptions, *, speaker: str,
                 offset: float = 0.0, speaker_known: bool = True) -> list[Utterance]:
        """Transcribe one channel (the signature of :func:`analyzer.speech.asr.transcribe`)."""
        found = self.transcribe_many([(samples, speaker, speaker_known)], options)[0]
        return [_shifted(u, offset) for u in found] if offset else found

    def transcribe_many(self, tracks: Sequence[tuple[np.ndarray, str, bool]],
                        options: ASROptions) -> list[list[Utterance]]:
        """Transcribe the tracks of one recording together; utterances per track.

        Args:
            tracks: ``(samples, speaker, speaker_known)`` of each track, 16 kHz mono.
            options: Recognition options.
        """
        t0 = time.perf_counter()
        try:
            return self._transcribe(tracks, options)
        finally:
            self._local.spent = self.spent() + time.perf_counter() - t0

    def _transcribe(self, tracks: Sequence[tuple[np.ndarray, str, bool]], options: ASROptions
                    ) -> list[list[Utterance]]:
        t0 = time.perf_counter()
        with self._cond:
            rid = self._next
            self._next += 1
        pieces = [p for k, (samples, _, _) in enumerate(tracks)
                  for p in vad_pieces(np.ascontiguousarray(samples, dtype=np.float32), rid, k,
                                      options)]
        pieces.sort(key=lambda p: (p.start, p.channel))  # the conversation in time order
        self._add_time("vad", time.perf_counter() - t0)
        if not pieces:
            return [[] for _ in tracks]
        req = _Request(pending=len(pieces))
        with self._cond:
            self._requests[rid] = req
            for piece in pieces:
                batch = self.packer.add(piece)
                if batch:
                    self._ready.append(batch)
            batch = self.packer.close(rid)
            if batch:
                self._ready.append(batch)
            self._waiting += 1
            self._cond.notify_all()
        req.done.wait()
        with self._cond:
            self._waiting -= 1
            del self._requests[rid]
        if req.error is not None:
            raise req.error
        return _utterances(req, tracks, options)

    def _add_time(self, stage: str, seconds: float) -> None:
        with self._cond:
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    # -- recognizer thread ----------------------------------------------

    def serve(self) -> None:
        """Recognise windows until :meth:`stop`; run in one thread."""
        while True:
            with self._cond:
                while not self._stopped and not self._ready and not self._stalled():
                    self._cond.wait(0.5)
                if self._stopped and not self._ready:
                    return
                if not self._ready:
                    self._ready.extend(self.packer.flush())
                batch = self._ready.pop(0)
            try:
                self._recognise(batch)
            except Exception as exc:  # never leave a recording waiting forever
                self._fail(batch, exc)

    def _everyone_waits(self) -> bool:
        return self._waiting > 0 and self._waiting >= self._active and bool(self.packer.open)

    def _stalled(self) -> bool:
        """Everyone waits and no recording can join: send partly filled windows."""
        return self._everyone_waits() and (self.exhausted or self._active >= self.max_active)

    def wants_more(self) -> bool:
        """Everyone waits on partly filled windows: another recording should join them."""
        with self._cond:
            return self._everyone_waits() and not self.exhausted and \
                self._active < self.max_active

    def no_more_jobs(self) -> None:
        """The caller has no more recordings: partly filled windows may go."""
        with self._cond:
            self.exhausted = True
            self._cond.notify_all()

    def _recognise(self, batch: list[Window]) -> None:
        try:
            results = self.recognizer.recognise(batch)
            error = None
        except Exception as exc:  # the model failed: fail the waiting recordings, not the batch
            results, error = [[] for _ in batch], exc
        retry: list[Piece] = []
        with self._cond:
            for window, words in zip(batch, results, strict=True):
                mapped = assign_words(window, words)
                for _, piece in window.pieces:
                    req = self._requests.get(piece.job)
                    if req is None:
                        continue
                    got = mapped.get((piece.job, piece.channel, piece.start), [])
                    if error is None and len(window.pieces) > 1 and _lost(got, piece):
                        retry.append(replace(piece, tries=piece.tries + 1))
                        continue
                    req.words[(piece.channel, piece.start)] += got
                    req.error = req.error or error
                    req.pending -= 1
                    if req.pending == 0:
                        req.done.set()
            if retry:
                key = "n_retried_pieces"  # a count, not seconds
                self.timings[key] = self.timings.get(key, 0) + len(retry)
                self._ready.extend(self._retry_windows(retry))

    def _retry_windows(self, pieces: list[Piece]) -> list[list[Window]]:
        """Pieces that lost words: back into the packer once, then a window each.

        Called with the lock held; a retried piece fills open windows with
        fresh speech (the stall rule sends them when everyone waits).
        """
        batches: list[list[Window]] = []
        alone: list[Window] = []
        for piece in pieces:
            if piece.tries >= 2:
                window = Window(max_pieces=1)
                window.add(piece)
                alone.append(window)
            else:
                batches += [b for b in [self.packer.add(piece)] if b]
        size = self.packer.batch_size
        return batches + [alone[i : i + size] for i in range(0, len(alone), size)]

    def _fail(self, batch: list[Window], exc: BaseException) -> None:
        with self._cond:
            for window in batch:
                for _, piece in window.pieces:
                    req = self._requests.get(piece.job)
                    if req is not None:
                        req.error = exc
                        req.done.set()

    def stop(self) -> None:
        """Finish the remaining windows and end :meth:`serve`."""
        with self._cond:
            self._stopped = True
            self._ready.extend(self.packer.flush())
            self._cond.notify_all()


class AudioWorker:
    """Holds the model (loaded once) and analyses recordings, many in flight.

    Args:
        options: Analyzer options (``options.asr`` selects model and device).
        threads: CPU threads of this worker's model (CTranslate2 intra-op).
        batch_size: Packed 30 s windows per encoder/decoder call.
        inflight: Recordings analysed at once (decoding overlaps recognition).
        pack: How packed windows are recognised (beam, compute type, pieces
            per window); its beam and compute type replace ``options.asr``'s.
    """

    def __init__(self, options: AnalyzerOptions, *, threads: int = 1, batch_size: int = 4,
                 inflight: int = 6, pack: PackOptions | None = None) -> None:
        self.pack = pack or PackOptions()
        asr = self.pack.apply(replace(options.asr, cpu_threads=threads))
        self.options = replace(options, asr=asr)
        self.batch_size = batch_size
        self.inflight = inflight
        self.timings: dict[str, float] = defaultdict(float)
        self._transcriber: PackedTranscriber | None = None

    def _setup(self) -> PackedTranscriber:
        if self._transcriber is None:
            from analyzer.speech.asr import get_model

            t0 = time.perf_counter()
            model = get_model(self.options.asr)
            _warm_up(self.options)
            self.timings["model_load"] += time.perf_counter() - t0
            self._transcriber = PackedTranscriber(model, self.options.asr, self.batch_size,
                                                  self.timings, self.pack.pieces_per_window,
                                                  self.pack.share)
        return self._transcriber

    def run(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        """Analyse each job, yielding a :class:`JobResult` or :class:`JobFailed` per job.

        Results come in completion order.
        """
        transcriber = self._setup()
        server = threading.Thread(target=transcriber.serve, name="recognizer", daemon=True)
        server.start()
        transcriber.max_active = cap = FILL_FACTOR * self.inflight
        transcriber.exhausted = False
        pool = ThreadPoolExecutor(cap, thread_name_prefix="recording")
        running: set[Future] = set()
        try:
            for job in jobs:
                transcriber.enter()
                running.add(pool.submit(self._one, job, transcriber))
                # beyond `inflight`, admit a recording only to fill windows everyone waits on
                while len(running) >= self.inflight and not transcriber.wants_more():
                    done, running = wait(running, timeout=0.05, return_when=FIRST_COMPLETED)
                    yield from (f.result() for f in done)
            transcriber.no_more_jobs()
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
        finally:
            transcriber.stop()
            server.join()
            pool.shutdown(wait=True)

    def _one(self, job: Job, transcriber: PackedTranscriber) -> Outcome:
        try:
            return self._analyse(job, transcriber)
        except Exception as exc:  # every failure becomes an error row, the batch goes on
            return JobFailed(job, WorkerError.of(exc))
        finally:
            transcriber.leave()

    def _analyse(self, job: Job, transcriber: PackedTranscriber) -> JobResult:
        from analyzer.pipeline import analyze_interaction
        from analyzer.speech.decode import decode_audio
        from analyzer.speech.recording import analyze_recording

        before = transcriber.spent()
        t0 = time.perf_counter()
        audio = decode_audio(job.path)
        t1 = time.perf_counter()
        a = analyze_recording(job.path, self.options, dict(job.meta),
                              audio=audio, transcriber=transcriber)
        t2 = time.perf_counter()
        heard_rings = a.ring is not None and bool(a.ring.rings)
        if not heard_rings and not any(u.text.strip() for u in a.interaction.utterances):
            raise AnalyzerError("no speech recognised in the recording", source=job.path)
        report = analyze_interaction(a.interaction, self.options, extra_findings=a.findings,
                                     ring=a.ring, asr_info=a.asr_info)
        t3 = time.perf_counter()
        transcriber._add_time("decode", t1 - t0)
        transcriber._add_time("rings+acoustics", t2 - t1 - (transcriber.spent() - before))
        transcriber._add_time("matching", t3 - t2)
        audio_results = AudioResults(ring=a.ring, findings=tuple(a.findings),
                                     asr_info=dict(a.asr_info or {}))
        return JobResult(job, report, a.interaction, audio_results, audio.duration)


def _shifted(u: Utterance, offset: float) -> Utterance:
    """``u`` with its times (and its words' times) moved by ``offset`` seconds."""
    words = tuple(replace(w, start=round(w.start + offset, 3), end=round(w.end + offset, 3))
                  for w in u.words)
    return replace(u, start=round(u.start + offset, 3), end=round(u.end + offset, 3), words=words)


def _utterances(req: _Request, tracks: Sequence[tuple[np.ndarray, str, bool]],
                options: ASROptions) -> list[list[Utterance]]:
    """Each track's utterances from the words its pieces got back."""
    from analyzer.speech.asr import is_hallucination, to_simplified

    out: list[list[Utterance]] = [[] for _ in tracks]
    for channel, start in sorted(req.words):
        _, speaker, known = tracks[channel]
        out[channel] += words_to_utterances(req.words[(channel, start)], speaker, known,
                                            options.split_gap, is_hallucination, to_simplified)
    return out


def _warm_up(options: AnalyzerOptions) -> None:
    """Load the lexicon automaton and text resources once, before timing starts."""
    from analyzer.pipeline import analyze_interaction
    from analyzer.types import Interaction

    probe = Interaction("warm-up", "counter", [Utterance("staff", 0.0, 1.0, "您好，请问办理什么业务")])
    with contextlib.suppress(AnalyzerError):  # a broken lexicon shows on the first recording
        analyze_interaction(probe, options)


# -- local engine: worker processes ----------------------------------------


def process_main(options: AnalyzerOptions, threads: int, batch_size: int, inflight: int,
                 jobs: Any, results: Any, pack: PackOptions | None = None) -> None:
    """Entry point of a local worker process: jobs from a queue, results to a queue.

    Exits by itself when the batch driver dies (even by ``kill -9``).
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    worker = AudioWorker(options, threads=threads, batch_size=batch_size, inflight=inflight,
                         pack=pack)

    def pull() -> Iterator[Job]:
        while True:
            try:
                job = jobs.get(timeout=1.0)
            except queue.Empty:
                continue
            if job is None:
                return
            yield job

    error = None
    try:
        for result in worker.run(pull()):
            results.put(result)
    except Exception as exc:  # model failed to load: report once, let the driver decide
        error = WorkerError.of(exc)
    results.put(WorkerDone(dict(worker.timings), error))


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)
