"""Executors that run audio jobs on workers: local processes or a Ray cluster.

(An *executor* runs the batch's jobs; the *engine* is the speech recognition
engine, :mod:`analyzer.speech.engine`, that every worker holds.)

Both take a list of :class:`~analyzer.batch.jobs.Job` and yield a
:class:`~analyzer.batch.jobs.JobResult` or :class:`~analyzer.batch.jobs.JobFailed`
per job as it completes (see :meth:`AudioWorker.run`); the batch driver alone
writes the results database.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
from collections.abc import Iterator
from typing import Any, Protocol

from analyzer.batch.jobs import Job, JobFailed, Outcome, Taken, WorkerDone, WorkerError
from analyzer.batch.worker import AudioWorker, process_main
from analyzer.errors import require, shown
from analyzer.options import AnalyzerOptions

logger = logging.getLogger("analyzer")


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
        """Jobs over ``workers`` processes; a dead worker is charged with its own jobs only.

        Each worker says which jobs it has taken. When one dies (killed for
        memory, a crash in a native library) without answering some of them,
        a fresh worker takes its place for the jobs not yet taken, and each
        job the dead one held is analysed again alone in a process of its
        own: a job that kills that process too is failed as the input's
        fault (keyed, so the next run does not try it again; ``--retry-errors``
        does), and the others are analysed as usual.
        """
        pool = _Processes(self, jobs)
        try:
            yield from pool.run()
            if pool.died:  # (a job a worker took just before it was killed may be unsaid)
                pool.suspects |= pool.outstanding
            suspects = [job for job in jobs if job.job in pool.suspects]
            for job in suspects:
                alone = _Processes(self, [job], inflight=1, replace=False)
                try:
                    yield from alone.run_alone(job)
                finally:
                    alone.close()
            for job in jobs:  # the workers ended (their model failed) before taking these
                if job.job in pool.outstanding and job.job not in pool.suspects:
                    yield JobFailed(job, pool.last_error or WorkerError(
                        "WorkerError", "the worker processes died before analysing it"))
        finally:
            pool.close()


class _Processes:
    """Worker processes over one job queue, knowing which worker holds which job."""

    def __init__(self, executor: LocalExecutor, jobs: list[Job], *,
                 inflight: int | None = None, replace: bool = True) -> None:
        self.executor = executor
        self.ctx = mp.get_context("spawn")
        self.job_q: Any = self.ctx.Queue()
        self.result_q: Any = self.ctx.Queue()
        self.inflight = executor.inflight if inflight is None else inflight
        self.jobs = {job.job: job for job in jobs}
        self.outstanding = set(self.jobs)
        self.suspects: set[int] = set()
        self.last_error: WorkerError | None = None
        self.procs: dict[int, Any] = {}
        self.taken: dict[int, set[int]] = {}
        self.done: set[int] = set()
        self.died: set[int] = set()
        self.replace = replace
        workers = min(executor.workers, len(jobs))
        for job in jobs:
            self.job_q.put(job)
        for _ in range(workers):
            self.job_q.put(None)
            self._start()

    def _start(self) -> None:
        e = self.executor
        p = self.ctx.Process(target=process_main, daemon=True,
                             name=f"conduct-worker-{len(self.procs)}",
                             args=(e.options, e.threads, self.inflight, self.job_q,
                                   self.result_q))
        p.start()
        pid = int(p.pid or 0)
        self.procs[pid] = p
        self.taken[pid] = set()

    def _live(self) -> list[int]:
        return [pid for pid in self.procs if pid not in self.done]

    def run(self) -> Iterator[Outcome]:
        """Outcomes as they come, until every worker has finished or died."""
        while self._live():
            try:
                msg = self.result_q.get(timeout=1.0)
            except queue.Empty:
                yield from self._reap()
                continue
            yield from self._take(msg)

    def _take(self, msg: Any) -> Iterator[Outcome]:
        if isinstance(msg, Taken):
            self.taken.setdefault(msg.pid, set()).add(msg.job)
        elif isinstance(msg, WorkerDone):
            _add(self.executor.timings, msg.timings)
            self.last_error = msg.error or self.last_error
            self.done.add(msg.pid)
        else:
            self.outstanding.discard(msg.job.job)
            for held in self.taken.values():
                held.discard(msg.job.job)
            yield msg

    def _reap(self) -> Iterator[Outcome]:
        """Notice dead workers (after what they sent is read) and replace them."""
        dead = [pid for pid in self._live() if not self.procs[pid].is_alive()]
        if not dead:
            return
        while True:  # what the dead sent before dying is still in the queue
            try:
                msg = self.result_q.get(timeout=0.2)
            except queue.Empty:
                break
            yield from self._take(msg)
        for pid in dead:
            if pid in self.done:
                continue
            self.done.add(pid)
            self.died.add(pid)
            held = self.taken.pop(pid, set()) & self.outstanding
            logger.warning("worker process %d died (exit code %s) holding %d recording(s); "
                           "each is analysed again alone", pid, self.procs[pid].exitcode,
                           len(held))
            self.suspects |= held
            if held and self.replace:  # died of a recording: a fresh one for the rest
                self.job_q.put(None)  # (the dead one may have taken its end already)
                self._start()

    def run_alone(self, job: Job) -> Iterator[Outcome]:
        """One job in a process of its own: a death now is the job's."""
        got = False
        for outcome in self.run():
            got = True
            yield outcome
        if not got and not self.died:  # it ended without analysing (its model failed)
            yield JobFailed(job, self.last_error or WorkerError(
                "WorkerError", "the worker process ended without analysing it"))
        elif not got:
            code = next(iter(self.procs.values())).exitcode
            yield JobFailed(job, WorkerError(
                "WorkerDied", f"{shown(job.path)}: the worker process analysing it alone died "
                f"(exit code {code}{', killed: out of memory?' if code == -9 else ''})",
                bad_input=True))

    def close(self) -> None:
        for p in self.procs.values():
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
