"""Executors that run audio jobs on workers: local processes or a Ray cluster.

(An *executor* runs the batch's jobs; the *engine* is the speech recognition
engine, :mod:`analyzer.speech.engine`, that every worker holds.)

Both take a list of :class:`~analyzer.batch.jobs.Job` and yield a
:class:`~analyzer.batch.jobs.JobResult` or :class:`~analyzer.batch.jobs.JobFailed`
per job as it completes (see :meth:`AudioWorker.run`); the batch driver alone
writes the results database.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import wait as wait_for
from pathlib import Path
from typing import Any, Protocol

from analyzer.batch.dispatch import Dispatch
from analyzer.batch.jobs import Job, JobFailed, JobResult, Outcome, Taken, WorkerDone, WorkerError
from analyzer.batch.plan import alone, chunks
from analyzer.batch.worker import (
    WIDE_WEIGHTS_INFLIGHT,
    AudioWorker,
    Channel,
    let_models_go,
    process_main,
)
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


def held_inflight(options: AnalyzerOptions, held: str, inflight: int) -> int:
    """Recordings at once in a worker holding a model of compute type ``held`` (""):
    ``inflight``, at most :data:`WIDE_WEIGHTS_INFLIGHT` for weights wider than int8 on
    a CPU."""
    from analyzer.memory import wide_weights

    if wide_weights(options.asr.device, held or options.asr.compute_type):
        return min(inflight, WIDE_WEIGHTS_INFLIGHT)
    return inflight


def by_model(jobs: Sequence[Job], options: AnalyzerOptions) -> list[tuple[str, list[Job]]]:
    """``jobs`` by the compute type of the model their lines are heard with
    (:attr:`Job.compute_type`, "" read as ``options.asr.compute_type``), the kind with
    the most work first, each kind's jobs in their order. A worker (or Ray actor) holds
    one model at a time, so it takes its share kind by kind in this order, switching
    model in process (a day-plan group is of one kind, :func:`~analyzer.batch.plan.day_plan`)."""
    kinds: dict[str, list[Job]] = {}
    for job in jobs:
        kinds.setdefault(job.compute_type or options.asr.compute_type, []).append(job)
    return sorted(kinds.items(), key=lambda kind: -sum(job.weight for job in kind[1]))


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
        """Yield one result per job, in completion order.

        Recordings whose lines are heard with other models (:attr:`Job.compute_type`)
        run on one pool of processes, each holding one model at a time: a worker's
        share comes kind by kind (:func:`by_model`'s order), and a worker whose next
        recording needs another model finishes the ones in flight, lets its model go
        and loads that one (:func:`~analyzer.batch.worker.process_main`).
        """
        if not jobs:
            return
        kinds = by_model(jobs, self.options)
        if self.workers == 1 and len(kinds) == 1:
            held = kinds[0][0]
            worker = AudioWorker(self.options, threads=self.threads, compute_type=held,
                                 inflight=held_inflight(self.options, held, self.inflight))
            yield from worker.run(jobs)
            _add(self.timings, worker.timings)
            return
        if len(kinds) == 1:
            yield from self._run_processes(jobs, kinds[0][0])
            return
        # several kinds: one pool, each worker holding one model at a time and taking
        # its share kind by kind (process_main), every kind's jobs evened out together
        yield from self._run_processes(jobs, "", tuple(held for held, _ in kinds))

    def _run_processes(self, jobs: list[Job], held: str,
                       kinds: tuple[str, ...] = ()) -> Iterator[Outcome]:
        """Jobs over ``workers`` processes; a dead worker is charged with its own jobs only.

        Each worker says which jobs it has taken. When one dies (killed for
        memory, a crash in a native library) without answering some of them,
        a fresh worker takes its place for the jobs not yet taken, and each
        job the dead one held is analysed again alone in a process of its
        own: a job that kills that process too is failed as the input's
        fault (keyed, so the next run does not try it again; ``--retry-errors``
        does), and the others are analysed as usual.
        """
        pool = _Processes(self, jobs, held, kinds=kinds)
        try:
            yield from pool.run()
            if pool.died:  # (a job a worker took just before it was killed may be unsaid)
                pool.suspects |= pool.outstanding
            suspects = [job for job in jobs if job.job in pool.suspects]
            for job in suspects:
                own = _Processes(self, [alone(job)], held, inflight=1, replace=False,
                                 kinds=kinds)
                try:
                    yield from own.run_alone(alone(job))
                finally:
                    own.close()
            for job in jobs:  # the workers ended (their model failed) before taking these
                if job.job in pool.outstanding and job.job not in pool.suspects:
                    yield JobFailed(job, pool.last_error or WorkerError(
                        "WorkerError", "the worker processes died before analysing it"))
        finally:
            pool.close()


class _Processes:
    """Worker processes, each with its own job queue, knowing which worker holds which job.

    One queue per worker, not one shared by all: a worker waiting for its next
    job holds its queue's read lock, and a worker killed then (the
    out-of-memory killer does not wait) would leave a shared queue locked for
    every other worker, and the batch waiting for ever. The driver hands each
    worker :data:`_PREFETCH` jobs ahead and one more each time it takes one.
    """

    def __init__(self, executor: LocalExecutor, jobs: list[Job], held: str, *,
                 inflight: int | None = None, replace: bool = True,
                 kinds: tuple[str, ...] = ()) -> None:
        self.executor = executor
        self.ctx = mp.get_context("spawn")
        self.results: dict[int, Any] = {}  # each worker's result pipe (the driver's end)
        self.held = held  # the compute type of the model every worker holds ("": kinds)
        self.kinds = kinds  # held "": the models a worker holds in turn, in this order
        self.inflight = (held_inflight(executor.options, held, executor.inflight)
                         if inflight is None else inflight)
        self.jobs = {job.job: job for job in jobs}
        self.outstanding = set(self.jobs)
        slots = min(executor.workers, len(jobs))
        # each worker's share (kind by kind, in ``kinds``' order), then stealing
        rank = {kind: n for n, kind in enumerate(kinds)}
        default = executor.options.asr.compute_type
        self.dispatch = Dispatch(jobs, slots, order=lambda job: rank.get(
            job.compute_type or default, 0))
        # fewer recordings than workers: the cores of the workers not started go to
        # those that are (one recording on 2 x 1 runs as 1 x 2, no core idle)
        self.threads = executor.threads * executor.workers // max(1, slots)
        self.slot: dict[int, int] = {}  # worker -> its share in self.dispatch
        self.suspects: set[int] = set()
        self.last_error: WorkerError | None = None
        self.procs: dict[int, Any] = {}
        self.taken: dict[int, set[int]] = {}
        self.queues: dict[int, Any] = {}
        self.given: dict[int, set[int]] = {}  # in a worker's queue, not taken yet
        self.ended: set[int] = set()  # told there is no more
        self.done: set[int] = set()
        self.died: set[int] = set()
        self.replace = replace
        self.clock = time.perf_counter
        self.started = self.clock()
        self.first_taken: dict[int, float] = {}  # worker -> when it took its first job
        self.ended_at: dict[int, float] = {}  # worker -> when it said it was done
        for slot in range(slots):
            self._start(slot)

    def _start(self, slot: int) -> None:
        e = self.executor
        job_in, job_out = self.ctx.Pipe(duplex=False)
        result_in, result_out = self.ctx.Pipe(duplex=False)
        p = self.ctx.Process(target=process_main, daemon=True,
                             name=f"conduct-worker-{len(self.procs)}",
                             args=(e.options, self.threads, self.inflight, Channel(job_in),
                                   Channel(result_out), self.held, self.kinds))
        p.start()
        job_in.close()  # (the worker's ends: closed here, so a dead worker reads as ended)
        result_out.close()
        pid = int(p.pid or 0)
        self.procs[pid], self.queues[pid], self.results[pid] = p, Channel(job_out), result_in
        self.taken[pid], self.given[pid] = set(), set()
        self.slot[pid] = slot
        self._feed(pid)

    def _feed(self, pid: int) -> None:
        """Keep ``pid``'s queue :data:`_PREFETCH` jobs ahead from its share (or what it may
        take from another's, :class:`~analyzer.batch.dispatch.Dispatch`); its end once
        nothing is left to give anyone."""
        alive = [self.slot[p] for p in self._live()]
        with contextlib.suppress(OSError):  # a dead worker: its jobs are reaped
            while len(self.given[pid]) < _PREFETCH:
                unit = self.dispatch.next(self.slot[pid], alive)
                if unit is None:
                    break
                for job in unit:  # a day-plan group goes to one worker whole
                    self.given[pid].add(job.job)
                    self.queues[pid].put(job)
            if not self.dispatch and pid not in self.ended:
                self.ended.add(pid)
                self.queues[pid].put(None)

    def _feed_all(self, first: int | None = None) -> None:
        """Offer work to ``first``, then to every other worker still taking jobs."""
        for pid in [first, *self._live()] if first is not None else self._live():
            if pid in self.given and pid not in self.done and pid not in self.ended:
                self._feed(pid)

    def _live(self) -> list[int]:
        return [pid for pid in self.procs if pid not in self.done]

    def run(self) -> Iterator[Outcome]:
        """Outcomes as they come, until every worker has finished or died."""
        while self._live():
            ready = wait_for([self.results[pid] for pid in self._live()], timeout=1.0)
            if not ready:
                yield from self._reap()
            for conn in ready:
                yield from self._read(conn)

    def _read(self, conn: Any) -> Iterator[Outcome]:
        try:
            msg = conn.recv()
        except (EOFError, OSError):  # the worker has gone: reaped below
            yield from self._reap()
            return
        yield from self._take(msg)

    def _take(self, msg: Any) -> Iterator[Outcome]:
        if isinstance(msg, Taken):
            self.taken.setdefault(msg.pid, set()).add(msg.job)
            self.first_taken.setdefault(msg.pid, self.clock())
            if msg.pid in self.given and msg.pid not in self.done:
                self.given[msg.pid].discard(msg.job)
                self._feed_all(msg.pid)
        elif isinstance(msg, WorkerDone):
            _add(self.executor.timings, msg.timings)
            self.last_error = msg.error or self.last_error
            self.done.add(msg.pid)
            self.ended_at[msg.pid] = self.clock()
            if not self._live():
                _add(self.executor.timings, self.idle())
        else:
            self.outstanding.discard(msg.job.job)
            for held in self.taken.values():
                held.discard(msg.job.job)
            self.dispatch.finished(msg.job.job)
            self._feed_all()  # less in hand: a worker may now take from another's share
            yield msg

    def _reap(self) -> Iterator[Outcome]:
        """Notice dead workers (after what they sent is read) and replace them."""
        dead = [pid for pid in self._live() if not self.procs[pid].is_alive()]
        if not dead:
            return
        for pid in dead:  # what the dead sent before dying is still in its pipe
            conn = self.results[pid]
            with contextlib.suppress(EOFError, OSError):
                while conn.poll(0.05):
                    yield from self._take(conn.recv())
        for pid in dead:
            if pid in self.done:
                continue
            self.done.add(pid)
            self.died.add(pid)
            # what it was given counts as held: it may have taken a job and died
            # before its word of it left the process
            held = (self.taken.pop(pid, set()) | self.given.pop(pid, set())) & self.outstanding
            logger.warning("worker process %d died (exit code %s) holding %d recording(s); "
                           "each is analysed again alone", pid, self.procs[pid].exitcode,
                           len(held))
            self.suspects |= held
            replaced = bool(self.dispatch) and self.replace
            self.dispatch.lost(self.slot[pid], replaced=replaced)
            if replaced:  # a fresh one for the rest of its share
                self._start(self.slot[pid])
            else:  # the others may take its share
                self._feed_all()

    def idle(self) -> dict[str, float]:
        """Seconds the workers' cores waited, summed over workers: ``idle_start``, from
        the pool's start to a worker's first job (process start, imports, model load);
        ``idle_tail``, from a worker's end to the last worker's end."""
        last = max(self.ended_at.values(), default=self.started)
        return {"idle_start": sum(t - self.started for t in self.first_taken.values()),
                "idle_tail": sum(last - t for t in self.ended_at.values())}

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

    A node (or an actor) lost mid-run does not lose its recordings: the
    chunks it held are sent again, one recording per call, to the actors left
    (a replacement actor is started where the cluster has room). A recording
    whose actor died :data:`RAY_TRIES` times is an error row (not keyed as bad
    input: it is tried again on the next run), so one recording that kills
    its worker cannot take the batch down.

    Recordings reach the actors by path (every node mounts them at the same
    place), or, with ``ship=True``, as bytes: the driver reads each chunk's
    files as it sends it and the actor writes them to a private temporary
    folder for the length of the call.

    Args:
        options: Analyzer options.
        address: Ray cluster address (``ray://head:10001`` or ``auto``);
            None starts a local Ray instance with ``workers x threads`` CPUs.
        workers: Actors (each loads the model once, on its node).
        threads: CPU threads per actor (its ``num_cpus``).
        inflight: As for :class:`LocalExecutor`.
        chunk: Recordings sent to an actor per call.
        ship: Send the recordings' bytes (no shared mount needed).
    """

    def __init__(self, options: AnalyzerOptions, *, address: str | None = None, workers: int = 1,
                 threads: int = 1, inflight: int = 6, chunk: int = 4, ship: bool = False) -> None:
        self.options = options
        self.address = address
        self.workers = max(1, workers)
        self.threads = max(1, threads)
        self.inflight = inflight
        self.chunk = chunk
        self.ship = ship
        self.timings: dict[str, float] = {}
        #: recordings sent again because the actor (or node) holding them was lost
        self.resent = 0
        #: actors lost during the run
        self.lost_actors = 0

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
        try:
            kinds = by_model(jobs, self.options)
            # one kind: every actor holds its model; several (float32 phone lines beside
            # int8 counters): one set of actors over the whole day, each taking its share
            # kind by kind and switching model in process (AudioActor), as local workers do
            held = kinds[0][0] if len(kinds) == 1 else ""
            pool = _ActorPool(ray, self, held, kinds=tuple(kind for kind, _ in kinds)
                              if len(kinds) > 1 else ())
            try:
                yield from pool.dispatch(jobs)
                _add(self.timings, pool.timings())
            finally:
                pool.close()
            if self.lost_actors:  # counts (``n_*``) show in the batch summary
                _add(self.timings, {"n_ray_actors_lost": self.lost_actors,
                                    "n_recordings_resent": self.resent})
        finally:
            if started_here:
                ray.shutdown()


#: Jobs a local worker's queue holds ahead of what it has taken.
_PREFETCH = 2
#: Times a recording is sent to an actor that dies before it is an error row.
RAY_TRIES = 3
#: Seconds to wait for a replacement actor when no other actor is left.
RAY_READY_SECONDS = 600.0
#: Calls each actor holds at once (one running, one queued behind it).
_CALLS_PER_ACTOR = 2


@dataclass
class _Call:
    actor: int
    chunk: list[Job]
    tries: int


class _ActorPool:
    """The Ray executor's actors and the calls in flight on them.

    Recordings are shared out as over local workers
    (:class:`~analyzer.batch.dispatch.Dispatch`: each actor its even share,
    heaviest first, then stealing only to even out); an actor's call takes up
    to ``chunk`` recordings of its share (a day-plan group is a call of its
    own). A lost actor's share goes to anyone (its replacement, when one
    starts, takes from there too); the recordings it held are sent again,
    one per call, before any share.

    The first actors take calls at once (they queue behind the model load).
    An actor started to replace a lost one is on probation: it takes calls
    only once it answers, so work never waits on an actor the cluster has
    no room for (its node may be the one that just died).
    """

    def __init__(self, ray: Any, executor: RayExecutor, held: str = "",
                 kinds: tuple[str, ...] = ()) -> None:
        self.ray = ray
        self.ex = executor
        self.held = held  # the compute type of the model every actor holds ("": kinds)
        self.kinds = kinds  # held "": the models an actor holds in turn, in this order
        self.cls = ray.remote(num_cpus=executor.threads)(AudioActor)
        self.actors: dict[int, Any] = {}
        self.starting: dict[Any, tuple[int, Any]] = {}  # ready() call -> (id, actor)
        self.made = 0
        for aid in range(executor.workers):
            self.actors[aid] = self._actor()
        #: Recordings sent again after their actor was lost (and calls cut from a
        #: lost actor's next unit), given before any share.
        self.todo: deque[tuple[list[Job], int]] = deque()
        self.pending: dict[Any, _Call] = {}
        self.share = Dispatch([], 1)
        #: Each actor's share in ``self.share`` (a replacement takes the lost one's).
        self.slot: dict[int, int] = {}
        #: A day-plan group taken while an actor's call was being filled: its next call.
        self.carry: dict[int, list[Job]] = {}

    def _actor(self) -> Any:
        self.made += 1
        return self.cls.remote(self.ex.options, self.ex.threads,
                               held_inflight(self.ex.options, self.held, self.ex.inflight),
                               self.held, self.kinds)

    def dispatch(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Run every job, sending a lost actor's recordings again; yield outcomes."""
        rank = {kind: n for n, kind in enumerate(self.kinds)}
        default = self.ex.options.asr.compute_type
        # each share kind by kind (``kinds``' order): an actor switches model at most once
        self.share = Dispatch(jobs, len(self.actors), order=lambda job: rank.get(
            job.compute_type or default, 0)) if self.kinds else Dispatch(jobs, len(self.actors))
        self.slot = {aid: aid for aid in self.actors}
        self._fill()
        waited = 0.0
        while self.pending or ((self.todo or self.share) and self.starting
                               and waited < RAY_READY_SECONDS):
            done, _ = self.ray.wait([*self.pending, *self.starting], num_returns=1,
                                    timeout=None if self.pending else 5.0)
            if not done:  # only actors on probation, none ready yet
                waited += 5.0
                continue
            waited = 0.0
            if done[0] in self.starting:
                self._started(done[0])
            else:
                yield from self._answered(done[0])
            self._fill()
        left = [job for chunk, _ in self.todo for job in chunk] + [
            job for carried in self.carry.values() for job in carried] + self.share.rest()
        for job in left:  # no actor left to run them
            yield JobFailed(job, WorkerError("WorkerError", "no Ray actor left to analyse it"))

    def _answered(self, ref: Any) -> Iterator[Outcome]:
        call = self.pending.pop(ref)
        for job in call.chunk:
            self.share.finished(job.job)
        try:
            outcomes = self.ray.get(ref)
        except _lost_errors(self.ray) as exc:
            yield from self._lost(call, exc)
        except Exception as exc:  # the call itself failed: its chunk becomes error rows
            for job in call.chunk:
                yield JobFailed(job, WorkerError("WorkerError", f"Ray actor failed: {exc}"))
        else:
            yield from outcomes

    def _started(self, ref: Any) -> None:
        aid, actor = self.starting.pop(ref)
        try:
            self.ray.get(ref)
        except _lost_errors(self.ray):
            self.ray.kill(actor)
            return
        logger.info("Ray actor %d started in place of a lost one", aid)
        self.actors[aid] = actor

    def _fill(self) -> None:
        """Give each live actor up to :data:`_CALLS_PER_ACTOR` calls."""
        load = dict.fromkeys(self.actors, 0)
        for call in self.pending.values():
            if call.actor in load:
                load[call.actor] += 1
        for aid in sorted(load, key=load.__getitem__):
            while load[aid] < _CALLS_PER_ACTOR:
                nxt = self._next_call(aid)
                if nxt is None:
                    break
                chunk, tries = nxt
                payload = [_shipped(job) for job in chunk] if self.ex.ship else chunk
                ref = self.actors[aid].process.remote(payload)
                self.pending[ref] = _Call(aid, chunk, tries)
                load[aid] += 1

    def _next_call(self, aid: int) -> tuple[list[Job], int] | None:
        """What actor ``aid`` is sent next: a recording sent again, else up to
        ``chunk`` recordings of its share (or taken to even out), or None."""
        if self.todo:
            return self.todo.popleft()
        chunk = self.carry.pop(aid, [])
        alive = [self.slot[a] for a in self.actors]
        while len(chunk) < self.ex.chunk and not (chunk and chunk[0].group is not None):
            unit = self.share.next(self.slot[aid], alive)
            if unit is None:
                break
            calls = chunks([*chunk, *unit], self.ex.chunk)
            chunk = calls[0]
            if len(calls) > 1:  # a group does not join other recordings' call
                self.carry[aid] = [job for call in calls[1:] for job in call]
                break
        return (chunk, 0) if chunk else None

    def _lost(self, call: _Call, exc: BaseException) -> Iterator[Outcome]:
        """An actor (or its node) died holding ``call``: send its recordings again."""
        if call.actor in self.actors:
            logger.warning("Ray actor %d lost (%s); its recordings are sent again",
                           call.actor, type(exc).__name__)
            self.ray.kill(self.actors.pop(call.actor))
            self.ex.lost_actors += 1
            self.share.lost(self.slot[call.actor], replaced=False)  # its share: anyone's
            carried = self.carry.pop(call.actor, None)
            if carried:
                self.todo.append((carried, 0))
            if self._room():  # on probation until it answers; it takes the lost one's slot
                actor = self._actor()
                self.slot[self.made - 1] = self.slot[call.actor]
                self.starting[actor.ready.remote()] = (self.made - 1, actor)
        for job in call.chunk:
            if call.tries + 1 >= RAY_TRIES:
                yield JobFailed(job, WorkerError(
                    "WorkerError", f"the Ray worker analysing it died {RAY_TRIES} times "
                                   f"(last: {type(exc).__name__})"))
            else:  # one recording per call: a recording that kills its worker goes alone
                self.todo.appendleft(([alone(job)], call.tries + 1))
                self.ex.resent += 1

    def _room(self) -> bool:
        """The cluster says it has the CPUs for one more actor now."""
        try:
            free = float(self.ray.available_resources().get("CPU", 0.0))
        except Exception:  # the cluster cannot say: do not start one
            return False
        return free >= self.ex.threads

    def timings(self) -> dict[str, float]:
        """Seconds per stage, summed over the actors still alive."""
        total: dict[str, float] = {}
        for actor in self.actors.values():
            try:
                _add(total, self.ray.get(actor.timings.remote()))
            except _lost_errors(self.ray):
                continue
        return total

    def close(self) -> None:
        """Stop every actor."""
        for actor in [*self.actors.values(), *(a for _, a in self.starting.values())]:
            self.ray.kill(actor)


def _lost_errors(ray: Any) -> tuple[type[BaseException], ...]:
    """Ray's exceptions that mean the worker (or node) holding a call is gone."""
    e = ray.exceptions
    return (e.RayActorError, e.WorkerCrashedError, e.NodeDiedError, e.ObjectLostError)


@dataclass(frozen=True)
class ShippedJob:
    """A job sent with its recording's bytes (no shared mount).

    Attributes:
        job: The job (its path is where the driver read the recording).
        data: The recording's bytes.
        mtime: Its modification time (a start time may be read from it).
    """

    job: Job
    data: bytes
    mtime: float


def _shipped(job: Job) -> ShippedJob:
    try:
        path = Path(job.path)
        return ShippedJob(job, path.read_bytes(), path.stat().st_mtime)
    except OSError:  # read again (and reported) where it is analysed
        return ShippedJob(job, b"", 0.0)


class AudioActor:
    """A Ray actor wrapping one :class:`AudioWorker` (the model stays loaded).

    ``compute_type`` "" with ``kinds`` (a day of lines heard by several models,
    :func:`by_model`): the actor holds the model of the recordings it is sent,
    one at a time: a chunk of another kind lets the held model go and loads
    that one in the same process (no second set of actors, no second start-up;
    :class:`_ActorPool` sends each actor its share kind by kind), as a local
    worker does (:func:`~analyzer.batch.worker.process_main`). A recording's
    words do not change: its windows are its own, heard by its line's model.
    """

    def __init__(self, options: AnalyzerOptions, threads: int, inflight: int,
                 compute_type: str = "", kinds: tuple[str, ...] = ()) -> None:
        from analyzer.memory import worker_arenas

        self.options = options
        self.threads = threads
        self.inflight = inflight
        self.fixed = compute_type
        # the arenas of the widest model the process will hold (set once, before threads)
        self.arenas = min((worker_arenas(options.asr.device, k or options.asr.compute_type)
                           for k in (*kinds, compute_type)), default=0)
        self.held_kind = compute_type or options.asr.compute_type
        self.past: dict[str, float] = defaultdict(float)  # timings of models let go
        self.worker = self._worker(self.held_kind)

    def _worker(self, kind: str) -> AudioWorker:
        inflight = self.inflight if self.fixed else held_inflight(
            self.options, kind, self.inflight)
        return AudioWorker(self.options, threads=self.threads, inflight=inflight,
                           compute_type=kind, arenas=self.arenas)

    def _hold(self, kind: str) -> None:
        """Hold the model of ``kind`` (letting the one held go)."""
        if kind == self.held_kind:
            return
        for name, seconds in self.worker.timings.items():
            if name != "n_models_held":
                self.past[name] += seconds
        self.past["n_models_held"] = max(self.past["n_models_held"],
                                         self.worker.timings.get("n_models_held", 0.0))
        self.worker = None  # type: ignore[assignment]
        let_models_go()
        self.held_kind = kind
        self.worker = self._worker(kind)

    def process(self, jobs: Sequence[Job | ShippedJob]) -> list[Outcome]:
        """Analyse a chunk of recordings (shipped ones from a temporary folder), kind by
        kind where the actor switches models."""
        with tempfile.TemporaryDirectory(prefix="conduct-shipped-") as tmp:
            local = [_landed(item, Path(tmp) / str(n)) for n, item in enumerate(jobs)]
            if self.fixed:
                return [_at_origin(o, jobs) for o in self.worker.run(local)]
            default = self.options.asr.compute_type
            parts: dict[str, list[Job]] = {}
            for job in local:  # the kind held first: no switch where none is needed
                parts.setdefault(job.compute_type or default, []).append(job)
            out: list[Outcome] = []
            for kind in sorted(parts, key=lambda k: k != self.held_kind):
                self._hold(kind)
                out += [_at_origin(o, jobs) for o in self.worker.run(parts[kind])]
            return out

    def ready(self) -> bool:
        """Answers once the actor is constructed (its node has room for it)."""
        return True

    def timings(self) -> dict[str, float]:
        """Seconds per stage so far (every model it held)."""
        total = dict(self.past)
        for name, value in self.worker.timings.items():
            total[name] = (max(total.get(name, 0.0), value) if name == "n_models_held"
                           else total.get(name, 0.0) + value)
        return total


def _landed(item: Job | ShippedJob, folder: Path) -> Job:
    """The job to run here: a shipped recording written under ``folder``."""
    if isinstance(item, Job):
        return item
    if not item.data:  # the driver could not read it: fail here, naming it
        return item.job
    path = folder / Path(item.job.path).name
    folder.mkdir(parents=True)
    path.write_bytes(item.data)
    os.utime(path, (item.mtime, item.mtime))
    return replace(item.job, path=str(path))


def _at_origin(outcome: Outcome, sent: Sequence[Job | ShippedJob]) -> Outcome:
    """The outcome of a job as ``sent``: a shipped recording named by the driver's path."""
    origin = next(s if isinstance(s, Job) else s.job for s in sent
                  if (s if isinstance(s, Job) else s.job).job == outcome.job.job)
    here = outcome.job.path
    if here == origin.path:
        return outcome
    if isinstance(outcome, JobFailed):
        message = outcome.error.message.replace(here, origin.path)
        return JobFailed(origin, replace(outcome.error, message=message))
    result = outcome.result
    interaction = replace(result.interaction, source=result.interaction.source.replace(
        here, origin.path))
    report = replace(result.report, source=result.report.source.replace(here, origin.path))
    return JobResult(origin, replace(result, path=origin.path, interaction=interaction,
                                     report=report))


def _add(total: dict[str, float], part: dict[str, float]) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0.0) + v
