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
from typing import TYPE_CHECKING

from analyzer.batch.jobs import (
    Job,
    JobFailed,
    JobResult,
    Outcome,
    WorkerDone,
    WorkerError,
)
from analyzer.errors import AnalyzerError
from analyzer.options import AnalyzerOptions
from analyzer.speech.engine import PackedTranscriber
from analyzer.types import Interaction, Utterance

if TYPE_CHECKING:
    from multiprocessing import Queue

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
    """

    def __init__(self, options: AnalyzerOptions, *, threads: int = 1, inflight: int = 6) -> None:
        self.options = replace(options, asr=replace(options.asr, cpu_threads=threads))
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
            self._transcriber = PackedTranscriber.from_options(
                model, self.options.asr, self.options.pack, self.timings)
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
        running: set[Future[Outcome]] = set()
        try:
            for job in jobs:
                transcriber.enter()
                running.add(pool.submit(self._one, job, transcriber))
                # beyond `inflight`, admit a recording only to fill bins everyone waits on
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
        from analyzer.pipeline import Task, analyze_task, get_lexicon
        from analyzer.speech.decode import decode_audio

        before = transcriber.spent()
        t0 = time.perf_counter()
        audio = decode_audio(job.path)
        t1 = time.perf_counter()
        spent: dict[str, float] = {}
        result = analyze_task(Task("audio", job.path, job.meta), self.options,
                              lexicon=get_lexicon(self.options), recognizer=transcriber,
                              audio=audio, key=job.key, timings=spent)
        transcriber._add_time("decode", t1 - t0)
        transcriber._add_time("rings+acoustics",
                              spent.get("audio", 0.0) - (transcriber.spent() - before))
        transcriber._add_time("matching", spent.get("matching", 0.0))
        return JobResult(job, result)


def _warm_up(options: AnalyzerOptions) -> None:
    """Load the lexicon automaton and text resources once, before timing starts."""
    from analyzer.pipeline import analyze

    probe = Interaction("warm-up", "counter", [Utterance("staff", 0.0, 1.0, "您好，请问办理什么业务")])
    with contextlib.suppress(AnalyzerError):  # a broken lexicon shows on the first recording
        analyze(probe, options)


# -- local executor: worker processes ----------------------------------------


def process_main(options: AnalyzerOptions, threads: int, inflight: int,
                 jobs: Queue[Job | None], results: Queue[Outcome | WorkerDone]) -> None:
    """Entry point of a local worker process: jobs from a queue, results to a queue.

    Exits by itself when the batch driver dies (even by ``kill -9``).
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    worker = AudioWorker(options, threads=threads, inflight=inflight)

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
