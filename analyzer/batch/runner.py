"""The batch driver: plan, dispatch, store, report progress.

For every input it decides one of:

* **skip**: this content was already analysed with the same model and
  lexicon version (its analysis key is in the store);
* **rescore**: the content is stored with the same model but another lexicon
  version (or ``--rescore``): matching and scoring run again on the stored
  transcript, nothing is transcribed again;
* **analyse**: transcripts here or on a pool (:mod:`analyzer.batch.transcripts`),
  recordings on the executor's workers (:mod:`analyzer.batch.executor`).

Every result comes from the analysis core (:mod:`analyzer.pipeline`) and is
kept with :func:`analyzer.persist.persist`, as the live recorder keeps a call.

Each result is written in its own transaction as soon as it arrives, so a
batch killed at any moment (even ``kill -9``) loses at most the recordings in
flight, and running it again analyses exactly those.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from analyzer._version import CodeRevision, code_revision
from analyzer.batch import transcripts
from analyzer.batch.jobs import Job, JobFailed
from analyzer.batch.plan import day_plan, longest_first
from analyzer.errors import AnalyzerError, shown
from analyzer.options import AnalyzerOptions
from analyzer.persist import persist, persist_failure
from analyzer.pipeline import (
    TRANSCRIPT_MODEL,
    AnalysisKey,
    AnalysisResult,
    AudioResults,
    Task,
    discover,
    get_lexicon,
    identity_of,
    model_identity,
    records_of,
    rescore,
)
from analyzer.speech.band import line_compute_type
from analyzer.speech.decode import audio_layout
from analyzer.store import (
    Store,
    analysis_key,
    content_hash_of_file,
    content_hash_of_interaction,
    error_text,
)
from analyzer.text.transcript import bounded_lines
from analyzer.types import InteractionReport

if TYPE_CHECKING:
    from analyzer.batch.executor import Executor

logger = logging.getLogger("analyzer")

#: Bytes of one second of 16 kHz 16-bit mono: a recording's weight when its header
#: gives no length.
_BYTES_PER_SECOND = 32_000
#: What any recording costs besides its length, in seconds of audio over channels:
#: at least one 30 s window encoded and decoded, and its own analysis. Measured on
#: the hall corpus, one worker, one recording at a time (CPU seconds): a 4 s real
#: clip 1.0, a 59 s stereo visit 1.75, a 345 s one 6.55 — about (60 + seconds over
#: channels) / 60.
_FILE_COST_SECONDS = 60.0
#: How many times the CPU a recording takes when its lines are heard with float32 weights
#: rather than int8 (``asr.phone_compute_type``; 1.66x per phone-line second, issue 25's
#: measure on 114 real phone clips), so a worker's share of such a day stays even.
_WIDE_COST = 1.66

#: Called with each failed input's path and its message (``FILE: what went wrong``).
ErrorHandler = Callable[[str, str], None]


@dataclass
class BatchSummary:
    """What a batch did (printed at the end, stored in ``runs.stats``).

    ``version``, ``commit`` and ``dirty`` name the code that ran
    (:func:`analyzer._version.code_revision`; ``commit`` "" outside a git checkout).
    """

    run_id: int = 0
    version: str = ""
    commit: str = ""
    dirty: bool = False
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
        code = CodeRevision(self.version, self.commit, self.dirty).label()
        lines = [
            f"run {self.run_id} (conduct {code}): {self.files} files, "
            f"{self.analysed} interactions analysed, "
            f"{self.rescored} re-scored, {self.skipped} already done, {self.errors} errors"
            + (f", {self.known_bad} known bad (skipped; --retry-errors retries them)"
               if self.known_bad else ""),
            f"audio {self.audio_seconds / 3600:.3f} h in {self.wall_seconds:.1f} s wall: "
            f"{self.throughput:.1f} audio hours per hour; {self.flagged} flagged",
        ]
        seconds = {k: v for k, v in self.timings.items() if not k.startswith(("n_", "cpu_"))}
        if seconds:
            total = sum(seconds.values()) or 1.0
            parts = ", ".join(f"{k} {v:.1f}s ({100 * v / total:.0f}%)"
                              for k, v in sorted(seconds.items(), key=lambda kv: -kv[1]))
            lines.append(f"time (summed over workers and threads): {parts}")
        files = self.timings.get("n_files", 0)
        if files and "cpu_file" in self.timings:
            lines.append(f"CPU of each recording's own work besides the model: "
                         f"{1000 * self.timings['cpu_file'] / files:.0f} ms per file")
        counts = {k[2:]: int(v) for k, v in self.timings.items() if k.startswith("n_")}
        if counts:
            lines.append(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
        return "\n".join(lines)


class BatchRunner:
    """Run one batch into a store.

    Args:
        store: The results database.
        options: Analyzer options.
        executor: A :class:`~analyzer.batch.executor.LocalExecutor` or ``RayExecutor``.
        rescore: Re-score every stored recording and transcript met,
            even when its analysis key is current.
        progress: Show a tqdm progress bar on stderr.
        retry_errors: Analyse again recordings that failed as bad input with
            the same analysis key (skipped otherwise).
        on_error: Told of each failed input as it is stored as an error row.
    """

    def __init__(self, store: Store, options: AnalyzerOptions, executor: Executor, *,
                 rescore: bool = False, progress: bool = True,
                 retry_errors: bool = False, on_error: ErrorHandler | None = None) -> None:
        self.store = store
        self.options = options
        self.executor = executor
        self.force_rescore = rescore
        self.retry_errors = retry_errors
        self.progress = progress
        self.on_error = on_error
        self.lexicon = get_lexicon(options)
        self.summary = BatchSummary()
        self._model: str | None = None
        self._bar: Progress = _Silent()
        self._t0 = 0.0
        self.timings: dict[str, float] = {}

    @property
    def model(self) -> str:
        """The recognizer's identity (part of every recording's analysis key)."""
        if self._model is None:
            self._model = model_identity(self.options)
        return self._model

    def run(self, source: str | Path, argv: Sequence[str] = ()) -> BatchSummary:
        """Analyse everything under ``source``; returns the summary."""
        self._t0 = time.perf_counter()
        run_id = self.store.begin_run(self.options.to_dict(), list(argv),
                                      engine=type(self.executor).__name__,
                                      lexicon_version=self.lexicon.version)
        self.summary.run_id = run_id
        code = code_revision()
        self.summary.version, self.summary.commit, self.summary.dirty = (
            code.version, code.commit, code.dirty)
        logger.info("run %d: %s into %s (%s)", run_id, source, self.store.path,
                    type(self.executor).__name__)
        # absolute paths: the store keeps them, so the review app finds a recording
        # whatever folder it is started from
        items = list(discover(Path(source).absolute()))
        self.summary.files = sum(isinstance(t, Task) for t in items)
        self._bar = _progress(sum(_items_in(t) for t in items if isinstance(t, Task)),
                              self.progress)
        status = "failed"
        try:
            jobs = self._lines([replace(job, weight=self._weight(job))
                                for job in self._plan(items)])
            if self.options.pack.share == "plan":
                jobs = day_plan(jobs, self._plan_minutes)
            self._run_audio(longest_first(jobs, lambda job: job.weight))
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
            ident = item.meta.id or shown(Path(item.path).stem)  # the core's id for it
            key = AnalysisKey(digest, self.model, self.lexicon.version,
                              identity_of(digest, ident, item.meta.started_at))
            job = self._audio_job(item, key, len(jobs))
            if job is None:
                self._bar.update(1)
            else:
                jobs.append(job)
        return jobs

    def _plan_minutes(self, job: Job) -> float | None:
        """A recording's minutes of audio over its channels for the day plan (None: alone)."""
        layout = audio_layout(job.path)
        if layout is None or layout[0] > self.options.recording.block_seconds:
            return None
        return layout[0] * layout[1] / 60

    def _lines(self, jobs: list[Job]) -> list[Job]:
        """Each job with the compute type its line is heard with (a worker holds that
        model only; :func:`~analyzer.speech.band.line_compute_type` decodes a
        recording's first two minutes only where its band decides it)."""
        from analyzer.memory import wide_weights

        t0 = time.perf_counter()
        out = []
        for job in jobs:
            kind = line_compute_type(job.path, job.meta.channel, self.options.asr)
            # a line heard by wider weights costs more CPU a second (shares stay even)
            wide = wide_weights(self.options.asr.device, kind or self.options.asr.compute_type)
            out.append(replace(job, compute_type=kind,
                               weight=job.weight * (_WIDE_COST if wide else 1.0)))
        self._time("line_band", time.perf_counter() - t0)
        return out

    @staticmethod
    def _weight(job: Job) -> float:
        """How much work a recording is, roughly: :data:`_FILE_COST_SECONDS` plus its
        seconds of audio summed over channels (its header; no decoding), else its
        file's size as 16 kHz 16-bit mono would take it."""
        layout = audio_layout(job.path)
        if layout is not None:
            return _FILE_COST_SECONDS + layout[0] * layout[1]
        try:
            return _FILE_COST_SECONDS + os.path.getsize(job.path) / _BYTES_PER_SECOND
        except OSError:
            return _FILE_COST_SECONDS

    def _audio_job(self, task: Task, key: AnalysisKey, n: int) -> Job | None:
        hashed = _hashed(key)
        if self.store.has_key(hashed) and not self.force_rescore:
            self.summary.skipped += 1
            return None
        if not self.retry_errors and self.store.known_bad(hashed):
            self.summary.known_bad += 1
            return None
        stored = self.store.lookup(key.identity)
        if stored is not None and stored.model == self.model:
            self._rescore(stored.pk, key, task.path)
            return None
        return Job(n, task.path, task.meta, key)

    def _transcripts(self, task: Task) -> None:
        """Score one transcript file's records (:mod:`analyzer.batch.transcripts`).

        The bar moves once per record; each result is stored as it comes back.
        """
        planned: list[transcripts.Planned] = []
        for rec in records_of(task):
            if isinstance(rec, AnalyzerError):
                self._error(task.path if rec.line is None else f"{task.path}:{rec.line}", rec)
                self._bar.update(1)
                continue
            digest = content_hash_of_interaction(rec)
            key = AnalysisKey(digest, TRANSCRIPT_MODEL, self.lexicon.version,
                              identity_of(digest, rec.id, rec.started_at))
            if self.store.has_key(_hashed(key)) and not self.force_rescore:
                self.summary.skipped += 1
                self._bar.update(1)
                continue
            rescoring = self.store.lookup(key.identity) is not None
            planned.append(transcripts.Planned(rec, key, rescoring, task.path))
        workers = self.executor.workers
        for item, outcome, seconds in transcripts.score(planned, self.options, workers):
            self._time("matching", seconds)
            if isinstance(outcome, transcripts.RecordFailed):
                self._record_error(item.record.source or task.path, outcome.message,
                                   outcome.kind, None)
            else:
                self._keep(_keyed(outcome, item.key, task.path), rescored=item.rescoring)
            self._bar.update(1)

    def _rescore(self, pk: int, key: AnalysisKey, path: str) -> None:
        """Matching and scoring again on the stored transcript (no recognition)."""
        interaction, stored = self.store.stored_input(pk)
        t0 = time.perf_counter()
        try:
            result = rescore(interaction, AudioResults.from_dict(stored), self.options,
                             lexicon=self.lexicon, key=key, path=path)
        except AnalyzerError as exc:
            self._error(path, exc)
            return
        self._time("matching", time.perf_counter() - t0)
        self._keep(result, rescored=True)

    # -- audio --------------------------------------------------------------

    def _run_audio(self, jobs: list[Job]) -> None:
        for outcome in self.executor.run(jobs):
            self._bar.update(1)
            job = outcome.job
            if isinstance(outcome, JobFailed):
                err = outcome.error
                self._record_error(job.path, err.message, err.kind,
                                   job.key if err.bad_input else None)
                continue
            if self._keep(outcome.result):
                self.summary.audio_seconds += float(outcome.result.duration or 0.0)
                self._show()
        for k, v in self.executor.timings.items():
            self._time(k, v)

    # -- bookkeeping ----------------------------------------------------------

    def _keep(self, result: AnalysisResult, *, rescored: bool = False) -> bool:
        """Store one result and count it; a result the store refuses is an error row."""
        try:
            persist(self.store, result, lexicon=self.lexicon, run_id=self.summary.run_id,
                    timings=self.timings)
        except Exception as exc:  # a result the store cannot take is an error row
            logger.debug("storing %s failed", result.path, exc_info=True)
            self._error(result.path, exc)
            return False
        self._count(result.report, rescored=rescored)
        return True

    def _count(self, report: InteractionReport, *, rescored: bool = False) -> None:
        if rescored:
            self.summary.rescored += 1
        else:
            self.summary.analysed += 1
        self.summary.flagged += bool(report.findings)

    def _error(self, path: str, exc: BaseException) -> None:
        self._record_error(path, str(exc), type(exc).__name__, None)

    def _record_error(self, path: str, message: str, kind: str,
                      key: AnalysisKey | None) -> None:
        """Store one failed input as an error row, count it and tell ``on_error``."""
        path, message = shown(path), shown(message)
        persist_failure(self.store, path, message, kind, key=key, run_id=self.summary.run_id)
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


def _hashed(key: AnalysisKey) -> str:
    return analysis_key(key.identity, key.model, key.lexicon_version)


def _keyed(result: AnalysisResult, key: AnalysisKey, path: str) -> AnalysisResult:
    return replace(result, key=key, path=path)


def _items_in(task: Task) -> int:
    """Progress steps of one input: its records for a JSON Lines file, else 1."""
    if task.kind != "transcript" or not str(task.path).lower().endswith(".jsonl"):
        return 1
    try:
        with open(task.path, "rb") as fh:
            return max(1, sum(1 for line in bounded_lines(fh) if line is None or line.strip()))
    except OSError:
        return 1


class Progress(Protocol):
    """The batch's progress bar (tqdm's)."""

    def update(self, n: int = 1) -> object:
        """Move on ``n`` items."""
        ...

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        """Show ``s`` after the bar."""
        ...

    def close(self) -> None:
        """End the bar."""
        ...


class _Silent:
    """No progress bar (before a run starts)."""

    def update(self, n: int = 1) -> None:
        """Nothing to show."""

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""


def _progress(total: int, enabled: bool) -> Progress:
    """A bar on a terminal; plain lines (cron, systemd, a log file) when stderr is not one."""
    if enabled and not sys.stderr.isatty():
        return LineProgress(total, "batch")
    from tqdm import tqdm

    bar: Progress = tqdm(total=total, unit="item", disable=not enabled, file=sys.stderr,
                         dynamic_ncols=True, desc="batch")
    return bar


class LineProgress:
    """Progress as whole lines: ``batch: 12/40 items (30%), 0:01:23`` (no ``\\r`` fragments).

    A line every ``step`` of the total or every ``seconds``, whichever comes
    first, and one at the end; what a cron log or the journal can read.
    """

    def __init__(self, total: int, desc: str, *, step: float = 0.1, seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 write: Callable[[str], object] | None = None) -> None:
        self.total, self.desc, self.step, self.seconds = total, desc, step, seconds
        self.clock = clock
        self.write = write or (lambda line: sys.stderr.write(line + "\n"))
        self.done = 0
        self.note = ""
        self.started = self.last_time = clock()
        self.last_done = 0

    def update(self, n: int = 1) -> None:
        """Move on ``n`` items; write a line when a step or the interval has passed."""
        self.done += n
        now = self.clock()
        due = self.total and (self.done - self.last_done) >= self.step * self.total
        if due or now - self.last_time >= self.seconds:
            self._line(now)

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        """Shown at the end of the next line."""
        self.note = s

    def close(self) -> None:
        """The last line (unless the last update just wrote it)."""
        if self.done != self.last_done or self.done == 0:
            self._line(self.clock())

    def _line(self, now: float) -> None:
        elapsed = int(now - self.started)
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        clock = f"{elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}"
        note = f", {self.note}" if self.note else ""
        self.write(f"{self.desc}: {self.done}/{self.total} items{share}, {clock}{note}")
        self.last_done, self.last_time = self.done, now


def run_batch(
    source: str | Path,
    db: str | Path,
    options: AnalyzerOptions | None = None,
    *,
    executor: str = "local",
    workers: int = 1,
    threads: int = 1,
    address: str | None = None,
    rescore: bool = False,
    progress: bool = False,
    argv: Sequence[str] = (),
    inflight: int = 6,
    retry_errors: bool = False,
    on_error: ErrorHandler | None = None,
    ship: bool = False,
) -> BatchSummary:
    """Analyse a folder or manifest into a results database (the ``conduct batch`` core).

    Args:
        source: Folder (recursive) or manifest (``.csv`` / ``.jsonl``).
        db: SQLite results file (created if missing).
        options: Analyzer options; defaults when None.
        executor: What runs the recordings' jobs: ``local`` (processes on this
            machine) or ``ray``.
        workers: Worker processes / Ray actors, each holding the model.
        threads: CPU threads per worker.
        address: Ray cluster address (``executor="ray"`` only).
        rescore: Re-score stored interactions even when current.
        progress: Show the progress bar.
        argv: The command line, recorded in the run row.
        inflight: Recordings each worker has in flight.
        retry_errors: Analyse again recordings that failed as bad input
            before (same content, model and lexicon); skipped otherwise.
        on_error: Told of each failed input (path, message) as it is stored.
        ship: Send the recordings' bytes to the Ray actors (``executor="ray"``
            only; no shared mount needed).

    Raises:
        AnalyzerError: A broken lexicon, scoring template or classifier model
            (the same preflight as ``conduct analyze``), before any input is
            read or the database is touched.
    """
    from analyzer.batch.executor import LocalExecutor, RayExecutor
    from analyzer.pipeline import preflight

    options = options or AnalyzerOptions()
    preflight(options)  # a broken lexicon, template or model fails here, before any work
    runs: LocalExecutor | RayExecutor = (
        RayExecutor(options, address=address, workers=workers, threads=threads,
                    inflight=inflight, ship=ship) if executor == "ray"
        else LocalExecutor(options, workers=workers, threads=threads, inflight=inflight))
    with Store(db) as store:
        return BatchRunner(store, options, runs, rescore=rescore, progress=progress,
                           retry_errors=retry_errors, on_error=on_error).run(source, argv)


def iter_results(db: str | Path) -> Iterator[InteractionReport]:
    """Every stored report (convenience for scripts)."""
    with Store(db, readonly=True) as store:
        for row in store.interactions(order="id"):
            yield store.report(row["id"])
