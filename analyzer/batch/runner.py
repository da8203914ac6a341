"""The batch driver: plan, dispatch, store, report progress.

For every input it decides one of:

* **skip**: this content was already analysed with the same model and
  lexicon version (its analysis key is in the store);
* **rescore**: the content is stored with the same model but another lexicon
  version (or ``--rescore``): matching and scoring run again on the stored
  transcript, nothing is transcribed again;
* **analyse**: transcripts right here, recordings on the engine's workers.

Each result is written in its own transaction as soon as it arrives, so a
batch killed at any moment (even ``kill -9``) loses at most the recordings in
flight, and running it again analyses exactly those.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from analyzer.batch.jobs import AudioResults, Job, JobFailed
from analyzer.batch.sources import Task, discover
from analyzer.errors import AnalyzerError, shown
from analyzer.options import AnalyzerOptions
from analyzer.store import (
    Store,
    analysis_key,
    content_hash_of_file,
    content_hash_of_interaction,
    error_text,
)
from analyzer.types import Interaction, InteractionReport

TRANSCRIPT_MODEL = "transcript"
logger = logging.getLogger("analyzer")

#: Called with each failed input's path and its message (``FILE: what went wrong``).
ErrorHandler = Callable[[str, str], None]


@dataclass
class BatchSummary:
    """What a batch did (printed at the end, stored in ``runs.stats``)."""

    run_id: int = 0
    files: int = 0
    analysed: int = 0
    rescored: int = 0
    skipped: int = 0
    known_bad: int = 0  # inputs that failed as bad input before (same key), not retried
    errors: int = 0
    flagged: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    #: seconds per stage, summed over workers and threads (``n_*`` keys are counts)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        """Audio hours per wall hour (recordings transcribed in this run)."""
        return self.audio_seconds / self.wall_seconds if self.wall_seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``runs.stats`` and ``--json``."""
        return {**asdict(self), "throughput": round(self.throughput, 2)}

    def text(self) -> str:
        """The end-of-batch summary lines."""
        lines = [
            f"run {self.run_id}: {self.files} files, {self.analysed} interactions analysed, "
            f"{self.rescored} re-scored, {self.skipped} already done, {self.errors} errors"
            + (f", {self.known_bad} known bad (skipped; --retry-errors retries them)"
               if self.known_bad else ""),
            f"audio {self.audio_seconds / 3600:.3f} h in {self.wall_seconds:.1f} s wall: "
            f"{self.throughput:.1f} audio hours per hour; {self.flagged} flagged",
        ]
        seconds = {k: v for k, v in self.timings.items() if not k.startswith("n_")}
        if seconds:
            total = sum(seconds.values()) or 1.0
            parts = ", ".join(f"{k} {v:.1f}s ({100 * v / total:.0f}%)"
                              for k, v in sorted(seconds.items(), key=lambda kv: -kv[1]))
            lines.append(f"time (summed over workers and threads): {parts}")
        counts = {k[2:]: int(v) for k, v in self.timings.items() if k.startswith("n_")}
        if counts:
            lines.append(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
        return "\n".join(lines)


def model_identity(options: AnalyzerOptions) -> str:
    """Which recognizer produced a transcript: model folder + recognition options.

    A different model, or options that change the words (language, beam,
    VAD, prompt, packing), make recordings be transcribed again; device,
    threads, compute type and windows per call do not.
    """
    from analyzer.speech.asr import model_path

    path = model_path(options.asr)
    asr = asdict(options.asr)
    for k in ("device", "cpu_threads", "compute_type", "model"):
        asr.pop(k, None)
    asr["pack"] = {k: v for k, v in asdict(options.pack).items() if k != "batch_size"}
    blob = json.dumps(asr, sort_keys=True, default=str)
    return f"{path.name}/{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


class BatchRunner:
    """Run one batch into a store.

    Args:
        store: The results database.
        options: Analyzer options.
        engine: A :class:`~analyzer.batch.engine.LocalEngine` or ``RayEngine``.
        rescore: Re-score every stored recording and transcript met,
            even when its analysis key is current.
        progress: Show a tqdm progress bar on stderr.
        retry_errors: Analyse again recordings that failed as bad input with
            the same analysis key (skipped otherwise).
        on_error: Told of each failed input as it is stored as an error row.
    """

    def __init__(self, store: Store, options: AnalyzerOptions, engine: Any, *,
                 rescore: bool = False, progress: bool = True,
                 retry_errors: bool = False, on_error: ErrorHandler | None = None) -> None:
        from analyzer.pipeline import get_lexicon

        self.store = store
        self.options = options
        self.engine = engine
        self.force_rescore = rescore
        self.retry_errors = retry_errors
        self.progress = progress
        self.on_error = on_error
        self.lexicon = get_lexicon(options)
        self.summary = BatchSummary()
        self._model: str | None = None
        self._bar: Any = None
        self._t0 = 0.0
        self.timings: dict[str, float] = {}

    @property
    def model(self) -> str:
        if self._model is None:
            self._model = model_identity(self.options)
        return self._model

    def run(self, source: str | Path, argv: Sequence[str] = ()) -> BatchSummary:
        """Analyse everything under ``source``; returns the summary."""
        self._t0 = time.perf_counter()
        run_id = self.store.begin_run(self.options.to_dict(), list(argv),
                                      engine=type(self.engine).__name__,
                                      lexicon_version=self.lexicon.version)
        self.summary.run_id = run_id
        logger.info("run %d: %s into %s (%s)", run_id, source, self.store.path,
                    type(self.engine).__name__)
        items = list(discover(source))
        self.summary.files = sum(isinstance(t, Task) for t in items)
        self._bar = _progress(sum(_items_in(t) for t in items if isinstance(t, Task)),
                              self.progress)
        status = "failed"
        try:
            jobs = self._plan(items)
            self._run_audio(jobs)
            self._index_examples()
            status = "done"
        finally:
            self._bar.close()
            self.summary.wall_seconds = time.perf_counter() - self._t0
            self.summary.timings = {k: round(v, 3) for k, v in self.timings.items()}
            self.store.finish_run(run_id, self.summary.to_dict(), status)
        return self.summary

    def _index_examples(self) -> None:
        """Match, for trainers' examples, what is stored but was never matched.

        Each report saved by the batch carries its candidates already; this
        catches interactions stored without them (an older analyzer, a
        store written by other tools).
        """
        from analyzer.training.examples import index_examples

        t0 = time.perf_counter()
        n = index_examples(self.store, self.lexicon)
        if n:
            self._time("examples", time.perf_counter() - t0)
            logger.info("run %d: %d interactions matched for trainers' examples",
                        self.summary.run_id, n)

    # -- planning -----------------------------------------------------------

    def _plan(self, items: list[Task | AnalyzerError]) -> list[Job]:
        jobs: list[Job] = []
        for item in items:
            if isinstance(item, AnalyzerError):
                self._error(item.source or "", item)
                continue
            if item.kind == "transcript":
                self._transcripts(item)
                continue
            try:
                digest = content_hash_of_file(item.path)
            except OSError as exc:
                self._error(item.path, AnalyzerError(f"unreadable: {exc.strerror or exc}",
                                                     source=item.path))
                self._bar.update(1)
                continue
            job = self._audio_job(item, digest, len(jobs))
            if job is None:
                self._bar.update(1)
            else:
                jobs.append(job)
        return jobs

    def _audio_job(self, task: Task, digest: str, n: int) -> Job | None:
        key = analysis_key(digest, self.model, self.lexicon.version)
        if self.store.has_key(key) and not self.force_rescore:
            self.summary.skipped += 1
            return None
        if not self.retry_errors and self.store.known_bad(key):
            self.summary.known_bad += 1
            return None
        stored = self.store.lookup(digest)
        if stored is not None and stored.model == self.model:
            self._rescore(stored.pk, digest, key, task.path)
            return None
        return Job(n, task.path, dict(task.meta), digest, key)

    def _transcripts(self, task: Task) -> None:
        """Analyse one transcript file's records: here, or spread over the workers.

        The bar moves once per record. With more than one worker and at least
        :data:`POOL_MIN` records to analyse, records go in chunks to a pool of
        ``workers`` processes (each with its own lexicon and classifiers); the
        driver stores each result as it comes back.
        """
        from analyzer.text.transcript import load_transcripts

        pending: list[tuple[Interaction, str, str, bool]] = []
        for rec in load_transcripts(task.path):
            if isinstance(rec, AnalyzerError):
                self._error(task.path if rec.line is None else f"{task.path}:{rec.line}", rec)
                self._bar.update(1)
                continue
            try:
                planned = self._plan_transcript(rec, task)
            except Exception as exc:  # one bad record is an error row; the batch goes on
                logger.debug("transcript record failed", exc_info=True)
                self._error(rec.source or task.path, exc)
                planned = None
            if planned is None:
                self._bar.update(1)
            else:
                pending.append(planned)
        workers = int(getattr(self.engine, "workers", 1))
        if workers > 1 and len(pending) >= POOL_MIN:
            self._pooled(pending, task, workers)
            return
        for rec, digest, key, rescoring in pending:
            try:
                report = self._analyze(rec, task.path)
                if report is not None:
                    self._save(report, digest, key, task.path, rec, None, TRANSCRIPT_MODEL)
                    self._count(report, rescored=rescoring)
            except Exception as exc:  # one bad record is an error row; the batch goes on
                logger.debug("transcript record failed", exc_info=True)
                self._error(rec.source or task.path, exc)
            self._bar.update(1)

    def _plan_transcript(self, rec: Interaction, task: Task
                         ) -> tuple[Interaction, str, str, bool] | None:
        """A record to analyse (with its digest, key, re-scoring flag), or None when current."""
        _apply_meta(rec, task.meta)
        digest = content_hash_of_interaction(rec)
        key = analysis_key(digest, TRANSCRIPT_MODEL, self.lexicon.version)
        if self.store.has_key(key) and not self.force_rescore:
            self.summary.skipped += 1
            return None
        return rec, digest, key, self.store.lookup(digest) is not None

    def _pooled(self, pending: list[tuple[Interaction, str, str, bool]], task: Task,
                workers: int) -> None:
        """Analyse records on ``workers`` processes; store results as they arrive."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        chunks = [pending[k:k + POOL_CHUNK] for k in range(0, len(pending), POOL_CHUNK)]
        context = multiprocessing.get_context("spawn")  # no forked model sessions
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_pool_init,
                                 initargs=(self.options,)) as pool:
            futures = {pool.submit(_pool_analyze, [rec for rec, *_ in chunk]): chunk
                       for chunk in chunks}
            for future in as_completed(futures):
                chunk = futures[future]
                outcomes, seconds = future.result()
                self._time("matching", seconds)
                for (rec, digest, key, rescoring), outcome in zip(chunk, outcomes, strict=True):
                    if isinstance(outcome, tuple):  # the worker's (kind, message, ours)
                        kind, message, ours = outcome
                        self._record_error(task.path if ours else rec.source or task.path,
                                           message, kind, None)
                    else:
                        try:
                            self._save(outcome, digest, key, task.path, rec, None,
                                       TRANSCRIPT_MODEL)
                            self._count(outcome, rescored=rescoring)
                        except Exception as exc:  # noqa: BLE001 - an error row, not a stop
                            self._error(rec.source or task.path, exc)
                    self._bar.update(1)

    def _rescore(self, pk: int, digest: str, key: str, path: str) -> None:
        """Matching and scoring again on the stored transcript (no recognition)."""
        interaction, stored = self.store.stored_input(pk)
        audio = AudioResults.from_dict(stored)
        report = self._analyze(interaction, path, extra=audio.findings, ring=audio.ring,
                               asr_info=audio.asr_info or None)
        if report is not None:
            self._save(report, digest, key, path, interaction, stored, self.model)
            self._count(report, rescored=True)

    def _analyze(self, interaction: Interaction, path: str, **kw: Any
                 ) -> InteractionReport | None:
        from analyzer.pipeline import analyze_interaction

        t0 = time.perf_counter()
        try:
            report = analyze_interaction(
                interaction, self.options, lexicon=self.lexicon,
                extra_findings=kw.get("extra", ()), ring=kw.get("ring"),
                asr_info=kw.get("asr_info"))
        except AnalyzerError as exc:
            self._error(path, exc)
            return None
        self._time("matching", time.perf_counter() - t0)
        return report

    # -- audio --------------------------------------------------------------

    def _run_audio(self, jobs: list[Job]) -> None:
        for result in self.engine.run(jobs):
            self._bar.update(1)
            job = result.job
            if isinstance(result, JobFailed):
                err = result.error
                self._record_error(job.path, err.message, err.kind,
                                   job.key if err.bad_input else None)
                continue
            try:
                self._save(result.report, job.content_hash, job.key, job.path,
                           result.interaction, result.audio.to_dict(), self.model)
            except Exception as exc:  # a result the store cannot take is an error row
                logger.debug("storing %s failed", job.path, exc_info=True)
                self._error(job.path, exc)
                continue
            self.summary.audio_seconds += float(result.duration or 0.0)
            self._count(result.report)
            self._show()
        for k, v in getattr(self.engine, "timings", {}).items():
            self._time(k, v)

    # -- bookkeeping ----------------------------------------------------------

    def _save(self, report: InteractionReport, digest: str, key: str, path: str,
              interaction: Interaction, audio: dict[str, Any] | None, model: str) -> None:
        from analyzer.training.examples import candidates

        t0 = time.perf_counter()
        examples = candidates(report, self.lexicon)  # trainers' examples, matched once
        t1 = time.perf_counter()
        self.store.save_report(report, run_id=self.summary.run_id, content_hash=digest,
                               path=path, key=key, interaction=interaction, audio=audio,
                               model=model, lexicon_version=self.lexicon.version,
                               examples=examples)
        self._time("examples", t1 - t0)
        self._time("database", time.perf_counter() - t1)

    def _count(self, report: InteractionReport, *, rescored: bool = False) -> None:
        if rescored:
            self.summary.rescored += 1
        else:
            self.summary.analysed += 1
        self.summary.flagged += bool(report.findings)

    def _error(self, path: str, exc: BaseException) -> None:
        self._record_error(path, str(exc), type(exc).__name__, None)

    def _record_error(self, path: str, message: str, kind: str, key: str | None) -> None:
        """Store one failed input as an error row, count it and tell ``on_error``."""
        path, message = shown(path), shown(message)
        self.store.save_error(self.summary.run_id, path, message, kind, key=key)
        self.summary.errors += 1
        line = error_text(path, message)
        logger.debug("input failed (%s): %s", kind, line)
        if self.on_error is not None:
            self.on_error(path, line)

    def _time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def _show(self) -> None:
        wall = time.perf_counter() - self._t0
        hours = self.summary.audio_seconds / 3600
        self._bar.set_postfix_str(
            f"audio {hours:.2f} h, {hours / (wall / 3600):.1f} h/h, errors {self.summary.errors}",
            refresh=False)


def _apply_meta(rec: Interaction, meta: dict[str, Any]) -> None:
    """Manifest values fill the transcript's metadata."""
    for key in ("hall", "window", "staff", "started_at", "channel"):
        if meta.get(key):
            setattr(rec, key, meta[key])
    if meta.get("rings") is not None:
        rec.rings = meta["rings"]
    if meta.get("ring_seconds") is not None:
        rec.ring_seconds = meta["ring_seconds"]


#: Records to analyse in one transcript file before they are spread over workers.
POOL_MIN = 64
#: Records per chunk sent to a worker.
POOL_CHUNK = 32
_POOL: dict[str, Any] = {}


def _pool_init(options: AnalyzerOptions) -> None:
    """A transcript worker: its options and lexicon, loaded once."""
    from analyzer.pipeline import get_lexicon

    _POOL["options"], _POOL["lexicon"] = options, get_lexicon(options)


#: A record a worker could not analyse: error kind, message, and whether it is
#: one of the analyzer's errors (named by file, as the driver's own path names it).
PoolError = tuple[str, str, bool]


def _pool_analyze(records: list[Interaction]
                  ) -> tuple[list[InteractionReport | PoolError], float]:
    """Analyse records in a worker: each a report, or its :data:`PoolError`."""
    from analyzer.pipeline import analyze_interaction

    t0 = time.perf_counter()
    out: list[InteractionReport | PoolError] = []
    for rec in records:
        try:
            out.append(analyze_interaction(rec, _POOL["options"], lexicon=_POOL["lexicon"]))
        except AnalyzerError as exc:
            out.append((type(exc).__name__, str(exc), True))
        except Exception as exc:  # noqa: BLE001 - reported as the record's error row
            out.append((type(exc).__name__, str(exc), False))
    return out, time.perf_counter() - t0


def _items_in(task: Task) -> int:
    """Progress steps of one input: its records for a JSON Lines file, else 1."""
    if task.kind != "transcript" or not str(task.path).lower().endswith(".jsonl"):
        return 1
    try:
        with open(task.path, "rb") as fh:
            return max(1, sum(1 for line in fh if line.strip()))
    except OSError:
        return 1


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="item", disable=not enabled, file=sys.stderr,
                dynamic_ncols=True, desc="batch")


def run_batch(
    source: str | Path,
    db: str | Path,
    options: AnalyzerOptions | None = None,
    *,
    engine: str = "local",
    workers: int = 1,
    threads: int = 1,
    address: str | None = None,
    rescore: bool = False,
    progress: bool = False,
    argv: Sequence[str] = (),
    inflight: int = 6,
    retry_errors: bool = False,
    on_error: ErrorHandler | None = None,
) -> BatchSummary:
    """Analyse a folder or manifest into a results database (the ``conduct batch`` core).

    Args:
        source: Folder (recursive) or manifest (``.csv`` / ``.jsonl``).
        db: SQLite results file (created if missing).
        options: Analyzer options; defaults when None.
        engine: ``local`` (processes on this machine) or ``ray``.
        workers: Worker processes / Ray actors, each holding the model.
        threads: CPU threads per worker.
        address: Ray cluster address (``engine="ray"`` only).
        rescore: Re-score stored interactions even when current.
        progress: Show the progress bar.
        argv: The command line, recorded in the run row.
        inflight: Recordings each worker has in flight.
        retry_errors: Analyse again recordings that failed as bad input
            before (same content, model and lexicon); skipped otherwise.
        on_error: Told of each failed input (path, message) as it is stored.

    Raises:
        AnalyzerError: A broken lexicon, scoring template or classifier model
            (the same preflight as ``conduct analyze``), before any input is
            read or the database is touched.
    """
    from analyzer.batch.engine import LocalEngine, RayEngine
    from analyzer.pipeline import preflight

    options = options or AnalyzerOptions()
    preflight(options)  # a broken lexicon, template or model fails here, before any work
    kw = {"workers": workers, "threads": threads, "inflight": inflight}
    eng = RayEngine(options, address=address, **kw) if engine == "ray" else LocalEngine(
        options, **kw)
    with Store(db) as store:
        return BatchRunner(store, options, eng, rescore=rescore, progress=progress,
                           retry_errors=retry_errors, on_error=on_error).run(source, argv)


def iter_results(db: str | Path) -> Iterator[InteractionReport]:
    """Every stored report (convenience for scripts)."""
    with Store(db, readonly=True) as store:
        for row in store.interactions(order="id"):
            yield store.report(row["id"])
