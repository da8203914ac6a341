"""Executors that run audio jobs on workers: local processes or a Ray cluster.

(An *executor* runs the batch's jobs; the *engine* is the speech recognition
engine, :mod:`analyzer.speech.engine`, that every worker holds.)

Both take a list of :class:`~analyzer.batch.jobs.Job` and yield a
:class:`~analyzer.batch.jobs.JobResult` or :class:`~analyzer.batch.jobs.JobFailed`
per job as it completes (see :meth:`AudioWorker.run`); the batch driver alone
writes the results database.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Iterator
from typing import Any, Protocol

from analyzer.batch.jobs import Job, JobFailed, Outcome, WorkerDone, WorkerError
from analyzer.batch.worker import AudioWorker, process_main
from analyzer.errors import require
from analyzer.options import AnalyzerOptions


class Executor(Protocol):
    """What runs a batch's recording jobs: :class:`LocalExecutor` or :class:`RayExecutor`."""

    workers: int
    timings: dict[str, float]

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Yield one outcome per job, in completion order."""
        ...


class LocalExecutor:
    """``workers`` processes on this machine, each with its own model.

    With one worker the work runs in the driver process (no start-up cost).

    Args:
        options: Analyzer options.
        workers: Processes (each loads the model once).
        threads: CPU threads per process. On 2 cores, 2 workers x 1 thread
            beat 1 worker x 2 threads (see ``benchmarks/throughput.py``).
        inflight: Recordings each worker analyses at once.
    """

    def __init__(self, options: AnalyzerOptions, *, workers: int = 1, threads: int = 1,
                 inflight: int = 6) -> None:
        self.options = options
        self.workers = max(1, workers)
        self.threads = max(1, threads)
        self.inflight = inflight
        self.timings: dict[str, float] = {}

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Yield one result per job, in completion order."""
        if not jobs:
            return
        if self.workers == 1:
            worker = AudioWorker(self.options, threads=self.threads, inflight=self.inflight)
            yield from worker.run(jobs)
            _add(self.timings, worker.timings)
            return
        yield from self._run_processes(jobs)

    def _run_processes(self, jobs: list[Job]) -> Iterator[Outcome]:
        ctx = mp.get_context("spawn")
        job_q, result_q = ctx.Queue(), ctx.Queue()
        for job in jobs:
            job_q.put(job)
        for _ in range(self.workers):
            job_q.put(None)
        procs = [
            ctx.Process(target=process_main, daemon=True, name=f"conduct-worker-{i}",
                        args=(self.options, self.threads, self.inflight, job_q, result_q))
            for i in range(self.workers)
        ]
        for p in procs:
            p.start()
        outstanding = {job.job for job in jobs}
        finished = 0
        last_error: WorkerError | None = None
        try:
            while finished < self.workers:
                try:
                    msg = result_q.get(timeout=1.0)
                except queue.Empty:
                    if not any(p.is_alive() for p in procs):
                        break
                    continue
                if isinstance(msg, WorkerDone):
                    _add(self.timings, msg.timings)
                    last_error = msg.error or last_error
                    finished += 1
                else:
                    outstanding.discard(msg.job.job)
                    yield msg
            reason = last_error or WorkerError("WorkerError",
                                               "the worker process died while analysing it")
            for job in jobs:
                if job.job in outstanding:
                    yield JobFailed(job, reason)
        finally:
            for p in procs:
                p.join(timeout=5)
                if p.is_alive():
                    p.terminate()


class RayExecutor:
    """Actors on a Ray cluster hold the model; the driver writes the store.

    Args:
        options: Analyzer options.
        address: Ray cluster address (``ray://head:10001`` or ``auto``);
            None starts a local Ray instance with ``workers x threads`` CPUs.
        workers: Actors (each loads the model once, on its node).
        threads: CPU threads per actor (its ``num_cpus``).
        inflight: As for :class:`LocalExecutor`.
        chunk: Recordings sent to an actor per call.
    """

    def __init__(self, options: AnalyzerOptions, *, address: str | None = None, workers: int = 1,
                 threads: int = 1, inflight: int = 6, chunk: int = 4) -> None:
        self.options = options
        self.address = address
        self.workers = max(1, workers)
        self.threads = max(1, threads)
        self.inflight = inflight
        self.chunk = chunk
        self.timings: dict[str, float] = {}

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Yield one result per job, in completion order."""
        if not jobs:
            return
        ray: Any = require("ray", "ray")
        started_here = not ray.is_initialized()
        if started_here:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if self.address:
                ray.init(address=self.address, **kwargs)
            else:
                ray.init(num_cpus=self.workers * self.threads, **kwargs)
        actor_cls = ray.remote(num_cpus=self.threads)(AudioActor)
        actors = [actor_cls.remote(self.options, self.threads, self.inflight)
                  for _ in range(self.workers)]
        chunks = [jobs[i : i + self.chunk] for i in range(0, len(jobs), self.chunk)]
        pending: dict[Any, tuple[Any, list[Job]]] = {}
        try:
            for i, actor in enumerate(actors * 2):
                if i < len(chunks):
                    pending[actor.process.remote(chunks[i])] = (actor, chunks[i])
            nxt = min(len(chunks), 2 * len(actors))
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                actor, chunk = pending.pop(done[0])
                yield from _ray_results(ray, done[0], chunk)
                if nxt < len(chunks):
                    pending[actor.process.remote(chunks[nxt])] = (actor, chunks[nxt])
                    nxt += 1
            for t in ray.get([a.timings.remote() for a in actors]):
                _add(self.timings, t)
        finally:
            for actor in actors:
                ray.kill(actor)
            if started_here:
                ray.shutdown()


def _ray_results(ray: Any, ref: Any, chunk: list[Job]) -> Iterator[Outcome]:
    try:
        yield from ray.get(ref)
    except Exception as exc:  # the actor died: its chunk becomes error rows
        for job in chunk:
            yield JobFailed(job, WorkerError("WorkerError", f"Ray actor failed: {exc}"))


class AudioActor:
    """A Ray actor wrapping one :class:`AudioWorker` (the model stays loaded)."""

    def __init__(self, options: AnalyzerOptions, threads: int, inflight: int) -> None:
        self.worker = AudioWorker(options, threads=threads, inflight=inflight)

    def process(self, jobs: list[Job]) -> list[Outcome]:
        """Analyse a chunk of recordings."""
        return list(self.worker.run(jobs))

    def timings(self) -> dict[str, float]:
        """Seconds per stage so far."""
        return dict(self.worker.timings)


def _add(total: dict[str, float], part: dict[str, float]) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0.0) + v
