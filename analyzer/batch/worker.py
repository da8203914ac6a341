"""One batch worker: a loaded Whisper model turning recordings into results.

A worker (a local process or a Ray actor) runs several recordings at once in
threads. Each thread runs the analysis core on its recording
(:func:`analyzer.pipeline.analyze_task`: decode, roles, recognition,
attribution, rings, loudness, matching, scoring), so a batch report is
exactly the report ``conduct analyze`` gives, but with the worker's
:class:`analyzer.speech.engine.PackedTranscriber` (the one recognition engine) as the
recognizer: the audio path hands it all tracks of a recording at once, their
VAD speech pieces go into 30 s bins (shared as
:attr:`analyzer.options.PackOptions.share` allows), and the thread waits. One
recognizer thread encodes and decodes bins in batches. While it does, the
other threads decode the next recordings: decoding overlaps recognition.
When every recording in flight waits on partly filled bins, another
recording is admitted to fill them (up to :data:`FILL_FACTOR` times
``inflight``); only when none can join do partly filled bins go.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any

from analyzer.batch.jobs import (
    Job,
    JobFailed,
    JobResult,
    Outcome,
    Taken,
    WorkerDone,
    WorkerError,
)
from analyzer.batch.plan import GROUP_RECORDINGS
from analyzer.errors import AnalyzerError
from analyzer.limits import WORKER_AUDIO_MINUTES
from analyzer.options import AnalyzerOptions
from analyzer.speech.decode import audio_layout
from analyzer.speech.engine import PackedTranscriber
from analyzer.types import Interaction, Utterance

#: Up to this many times ``inflight`` recordings may be in flight, the extra
#: ones admitted only while every other recording waits on a partly filled
#: bin (so bins go to the encoder full).
FILL_FACTOR = 4


class AudioWorker:
    """Holds the model (loaded once) and analyses recordings, many in flight.

    Args:
        options: Analyzer options (``options.asr``: model, device, decoding and
            VAD; ``options.pack``: packing and windows per call).
        threads: CPU threads of this worker's model (CTranslate2 intra-op).
        inflight: Recordings analysed at once (decoding overlaps recognition).
        compute_type: The compute type of the one model the worker holds (its
            jobs' :attr:`Job.compute_type`; "": ``options.asr.compute_type``). The
            recordings are still analysed with ``options`` (their reports say so): a
            line that needs another model than the one held is heard with that
            model, loaded beside it (the batch driver sends a worker only its kind).
        arenas: The malloc arenas of the process (0: those of ``compute_type``'s
            worker, :func:`analyzer.memory.worker_arenas`).
    """

    def __init__(self, options: AnalyzerOptions, *, threads: int = 1, inflight: int = 6,
                 compute_type: str = "", arenas: int = 0) -> None:
        from analyzer.memory import limit_malloc_arenas, worker_arenas

        self.options = replace(options, asr=replace(options.asr, cpu_threads=threads))
        self.held = replace(self.options.asr,
                            compute_type=compute_type or options.asr.compute_type)
        # before the recognizer and recording threads start (``arenas``: the process's
        # limit, set for every model it will hold in turn)
        limit_malloc_arenas(arenas or worker_arenas(self.held.device, self.held.compute_type))
        self.inflight = inflight
        self.timings: dict[str, float] = defaultdict(float)
        self._transcriber: PackedTranscriber | None = None

    def _setup(self) -> PackedTranscriber:
        if self._transcriber is None:
            from analyzer.speech.asr import get_model

            t0 = time.perf_counter()
            # the VAD model loads while the Whisper model does
            preload = threading.Thread(target=_preload, name="preload", daemon=True)
            preload.start()
            model = get_model(self.held)
            preload.join()
            _warm_up(self.options)
            self.timings["model_load"] += time.perf_counter() - t0
            self._transcriber = PackedTranscriber.from_options(
                model, self.held, self.options.pack, self.timings)
        return self._transcriber

    def run(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        """Analyse each job, yielding a :class:`JobResult` or :class:`JobFailed` per job.

        Results come in completion order.
        """
        transcriber = self._setup()
        transcriber.resume()  # a worker runs again after its last run stopped the recognizer
        server = threading.Thread(target=transcriber.serve, name="recognizer", daemon=True)
        server.start()
        transcriber.max_active = cap = FILL_FACTOR * self.inflight
        transcriber.exhausted = False
        # every recording admitted has a thread: up to `cap`, and the rest of a day-plan
        # group, admitted whole (its bins wait for all its recordings)
        pool = ThreadPoolExecutor(cap + GROUP_RECORDINGS, thread_name_prefix="recording")
        running: dict[Future[Outcome], float] = {}  # each with its minutes of audio
        try:
            for job in jobs:
                # the audio held at once stays within analyzer.limits.WORKER_AUDIO_MINUTES
                # (a long recording holds one block at a time): a long one may run alone
                extent = self._held_minutes(job.path)
                while running and sum(running.values()) + extent > WORKER_AUDIO_MINUTES:
                    transcriber.max_active = len(running)  # none joins: partial bins go
                    yield from self._finished(running, None)
                transcriber.max_active = cap
                transcriber.enter()
                running[pool.submit(self._one, job, transcriber)] = extent
                # beyond `inflight`, admit a recording only to fill bins everyone waits on
                # (or the next recording of a day-plan group: the group's bins wait for it)
                group_open = job.group is not None and job.group.index + 1 < job.group.size
                while not group_open and len(running) >= self.inflight \
                        and not transcriber.wants_more():
                    yield from self._finished(running, 0.05)
            transcriber.no_more_jobs()
            while running:
                yield from self._finished(running, None)
        finally:
            transcriber.stop()
            server.join()
            pool.shutdown(wait=True)
            from analyzer.speech.asr import models_loaded

            # (set, not added: the executor sums its workers')
            self.timings["n_models_held"] = models_loaded()

    def starved(self, starved: bool) -> None:
        """No job is there to take (True), or one is again (False); see
        :meth:`~analyzer.speech.engine.PackedTranscriber.starved`."""
        if self._transcriber is not None:
            self._transcriber.starved(starved)

    def _held_minutes(self, path: str) -> float:
        """Minutes of decoded audio (over channels) analysing ``path`` holds at once: the
        recording's, or one block's (:mod:`analyzer.speech.blocks`); unknown: a stereo block."""
        block = self.options.recording.block_seconds
        layout = audio_layout(path)
        seconds, channels = layout if layout is not None else (block, 2)
        return min(seconds, block) * channels / 60

    @staticmethod
    def _finished(running: dict[Future[Outcome], float],
                  timeout: float | None) -> Iterator[Outcome]:
        """Wait for one of ``running`` to finish (at most ``timeout`` s); yield what did."""
        done, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
        for f in done:
            del running[f]
            yield f.result()

    def _one(self, job: Job, transcriber: PackedTranscriber) -> Outcome:
        g = job.group
        try:
            with transcriber.member((g.id, g.index, g.size) if g is not None else None):
                return self._analyse(job, transcriber)
        except Exception as exc:  # every failure becomes an error row, the batch goes on
            return JobFailed(job, WorkerError.of(exc))
        finally:
            transcriber.leave()

    def _analyse(self, job: Job, transcriber: PackedTranscriber) -> JobResult:
        from analyzer.pipeline import Task, analyze_task, get_lexicon
        from analyzer.speech.decode import decode_audio
        from analyzer.speech.stages import collecting

        before = transcriber.spent()
        t0, c0 = time.perf_counter(), time.thread_time()
        layout = audio_layout(job.path)
        long = layout is None or layout[0] > self.options.recording.block_seconds
        # a short recording is decoded here (timed apart); a long one a block at a time
        audio = None if long else decode_audio(
            job.path, max_channel_minutes=self.options.recording.max_channel_minutes)
        t1, c1 = time.perf_counter(), time.thread_time()
        spent: dict[str, float] = {}
        stages: dict[str, float] = {}
        cpu: dict[str, float] = {}
        with collecting(stages, cpu):
            result = analyze_task(Task("audio", job.path, job.meta), self.options,
                                  lexicon=get_lexicon(self.options), recognizer=transcriber,
                                  audio=audio, key=job.key, timings=spent)
        transcriber._add_time("decode", t1 - t0)
        for name, seconds in stages.items():
            transcriber._add_time(name, seconds)
        # CPU seconds of this recording's own thread (the model runs in the recognizer's
        # and CTranslate2's threads): everything the recording costs besides the model
        transcriber._add_time("cpu_file", time.thread_time() - c0)
        transcriber._add_time("cpu_decode", c1 - c0)
        transcriber._add_time("cpu_matching", spent.get("cpu_matching", 0.0))
        for name, seconds in cpu.items():
            transcriber._add_time(f"cpu_{name}", seconds)
        # the audio path's own work besides recognition and the stages it names
        transcriber._add_time("other", spent.get("audio", 0.0) - sum(stages.values())
                              - (transcriber.spent() - before))
        transcriber._add_time("matching", spent.get("matching", 0.0))
        transcriber._add_time("n_files", 1)
        return JobResult(job, result)


def _preload() -> None:
    """Load what a recording's analysis loads on first use (the VAD model), so no
    recording's timing carries it. (The mono speaker turns no longer import
    scikit-learn: that import was 0.7 CPU-s, 37 %, of a worker's start.)"""
    with contextlib.suppress(ImportError):
        from faster_whisper.vad import get_vad_model

        get_vad_model()


def _warm_up(options: AnalyzerOptions) -> None:
    """Load the lexicon automaton and text resources once, before timing starts."""
    from analyzer.pipeline import analyze

    probe = Interaction("warm-up", "counter", [Utterance("staff", 0.0, 1.0, "您好，请问办理什么业务")])
    with contextlib.suppress(AnalyzerError):  # a broken lexicon shows on the first recording
        analyze(probe, options)


# -- local executor: worker processes ----------------------------------------


class Channel:
    """One end of a one-way pipe between the batch driver and one worker process.

    No lock is shared with any other process (a ``multiprocessing.Queue``
    shared by several workers is: a worker killed while it holds it would
    stop all the others). ``get`` raises :class:`queue.Empty` after
    ``timeout`` seconds, and returns ``None`` (the end) once the other side
    has gone.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def put(self, item: object) -> None:
        """Send ``item`` to the other end."""
        self.conn.send(item)

    def get(self, timeout: float) -> Any:
        """The next item sent, waiting at most ``timeout`` seconds."""
        try:
            if not self.conn.poll(timeout):
                raise queue.Empty
            return self.conn.recv()
        except (EOFError, OSError):
            return None


def process_main(options: AnalyzerOptions, threads: int, inflight: int,
                 jobs: Channel, results: Channel, compute_type: str = "",
                 kinds: tuple[str, ...] = ()) -> None:
    """Entry point of a local worker process: jobs from a queue, results to a queue.

    Says which job it takes (:class:`Taken`) before it begins it. Exits by
    itself when the batch driver dies (even by ``kill -9``). ``compute_type``:
    the model it holds (:class:`AudioWorker`); "" with ``kinds`` (the compute types
    of a day with lines of several models, :func:`~analyzer.batch.executor.by_model`):
    it holds the model of the job it takes, one at a time — the recordings of one
    model in flight together, then, when the next job is of another model, the
    last of them finished, that model let go and the next one loaded, in the same
    process (no second start-up, no core idle while a second pool starts; the
    driver hands each worker its share kind by kind, :class:`~analyzer.batch.dispatch.Dispatch`).
    A recording's words do not change: its bins are its own and are heard by its
    line's model whichever worker holds it.
    """
    from analyzer.memory import wide_weights, worker_arenas

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    device = options.asr.device
    # the arenas of the widest model the process will hold (set once, before threads)
    arenas = min((worker_arenas(device, k or options.asr.compute_type)
                  for k in (*kinds, compute_type)), default=0)
    feed = _Feed(jobs, results)
    timings: dict[str, float] = defaultdict(float)
    held_models = 0.0
    error = None
    try:
        while (first := feed.peek()) is not None:
            kind = compute_type or first.compute_type or options.asr.compute_type
            # a wide model's worker admits fewer recordings (its weights are ~4x int8's)
            admit = min(inflight, WIDE_WEIGHTS_INFLIGHT) if wide_weights(device, kind) \
                else inflight
            worker = AudioWorker(options, threads=threads, inflight=admit, compute_type=kind,
                                 arenas=arenas)
            feed.worker = worker
            try:
                for result in worker.run(feed.of_kind(
                        None if compute_type else kind, options.asr.compute_type)):
                    results.put(result)
            finally:
                for name, seconds in worker.timings.items():
                    if name != "n_models_held":
                        timings[name] += seconds
                held_models = max(held_models, worker.timings.get("n_models_held", 0.0))
                feed.worker = None
                del worker
                let_models_go()
    except Exception as exc:  # model failed to load: report once, let the driver decide
        error = WorkerError.of(exc)
    timings["n_models_held"] = held_models
    results.put(WorkerDone(dict(timings), error, os.getpid()))


#: Recordings at once in a worker holding weights wider than int8 on a CPU (a telephone
#: line's float32 model, ``asr.phone_compute_type``): the weights are ~4x int8's, and a
#: worker is to stay within 1 GiB (``benchmarks/worker_memory.py``).
WIDE_WEIGHTS_INFLIGHT = 2


class _Feed:
    """A worker process's job queue, read one job ahead: a job of another model than
    the one held is kept back (not yet taken) until the held model's jobs are done."""

    def __init__(self, jobs: Channel, results: Channel) -> None:
        self.jobs = jobs
        self.results = results
        self.worker: AudioWorker | None = None
        self._next: Job | None = None
        self._ended = False

    def peek(self) -> Job | None:
        """The next job (waiting for it), not taken yet; None: no more."""
        if self._next is None and not self._ended:
            self._next = self._pull()
            self._ended = self._next is None
        return self._next

    def of_kind(self, kind: str | None, default: str) -> Iterator[Job]:
        """Take and yield jobs while they are heard with ``kind`` (None: any)."""
        while (job := self.peek()) is not None:
            if kind is not None and (job.compute_type or default) != kind:
                return
            self._next = None
            self.results.put(Taken(os.getpid(), job.job))
            yield job

    def _pull(self) -> Job | None:
        while True:
            try:
                job = self.jobs.get(timeout=0.0)
            except queue.Empty:
                # none to take now (the driver may be keeping the rest for the other
                # workers): the recognizer sends partly filled bins meanwhile
                if self.worker is not None:
                    self.worker.starved(True)
                try:
                    job = self.jobs.get(timeout=1.0)
                except queue.Empty:
                    continue
            if self.worker is not None:
                self.worker.starved(False)
            return job if isinstance(job, Job) else None


def let_models_go() -> None:
    """Drop the speech models this process holds and give their memory back (before
    the next model loads, so a worker holds one at a time)."""
    import ctypes
    import gc

    from analyzer.speech.asr import release_models

    release_models()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)
