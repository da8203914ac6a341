"""What the batch driver, its executors and its workers hand each other.

Every message is a frozen, picklable dataclass, so it crosses a process queue
or a Ray call unchanged and its kind is its type:

* the driver plans a :class:`Job` per recording;
* a worker answers each job with a :class:`JobResult` (the core's
  :class:`~analyzer.pipeline.result.AnalysisResult`) or a :class:`JobFailed`
  (whose :class:`WorkerError` says whether the input itself is at fault);
* a worker process says which job it has taken (:class:`Taken`), so a worker
  that dies (killed for memory, a crash in a native library) is charged
  with its own recordings only, and ends with one :class:`WorkerDone` (its
  stage timings, and the error that stopped it, if one did).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from analyzer.errors import AnalyzerError
from analyzer.persist import input_at_fault
from analyzer.pipeline.result import AnalysisKey, AnalysisResult
from analyzer.speech.meta import CallMeta


@dataclass(frozen=True)
class Group:
    """A recording's place in a day plan (``pack.share = "plan"``,
    :mod:`analyzer.batch.plan`): the recordings of one group share 30 s bins,
    in the plan's order, and with no other recording.

    Attributes:
        id: The group's number in the run.
        index: The recording's place in its group (0 first).
        size: Recordings in the group.
    """

    id: int
    index: int
    size: int


@dataclass(frozen=True)
class Job:
    """One recording to analyse.

    Attributes:
        job: Its number in this run (results come back in completion order).
        path: The recording.
        meta: Its metadata (manifest row over sidecar).
        key: What identifies its analysis (content hash, model, lexicon version).
        group: Its day-plan group (None: its bins hold its own speech only).
        weight: Roughly how much work it is (the batch: a fixed cost plus its
            seconds of audio summed over channels, as its header says), for sharing
            recordings out over workers (:mod:`analyzer.batch.dispatch`).
        compute_type: The compute type of the model its line is heard with
            (:func:`analyzer.speech.band.line_compute_type`; "": the options'
            ``asr.compute_type``): only a worker holding that model takes it.
    """

    job: int
    path: str
    meta: CallMeta = field(default_factory=CallMeta)
    key: AnalysisKey = AnalysisKey("", "", "")
    group: Group | None = None
    weight: float = 0.0
    compute_type: str = ""


@dataclass(frozen=True)
class WorkerError:
    """Why a job (or a whole worker) failed.

    Attributes:
        kind: The exception's class name.
        message: What went wrong, naming the input.
        bad_input: The input itself is at fault (not audio, truncated, no
            speech...): it fails again on every run, so the driver keys it as
            known bad. A failing model, a missing dependency or a bug is not.
    """

    kind: str
    message: str
    bad_input: bool = False

    @classmethod
    def of(cls, exc: BaseException) -> WorkerError:
        """The error record of an exception raised while analysing an input
        (:func:`analyzer.persist.input_at_fault` says whose fault it is)."""
        if isinstance(exc, AnalyzerError):
            return cls(type(exc).__name__, str(exc), bad_input=input_at_fault(exc))
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return cls(type(exc).__name__, f"{exc} ({last})", bad_input=False)


@dataclass(frozen=True)
class JobResult:
    """A recording analysed: the core's result for the job."""

    job: Job
    result: AnalysisResult


@dataclass(frozen=True)
class JobFailed:
    """A recording that could not be analysed: it becomes an error row."""

    job: Job
    error: WorkerError


#: What a worker answers a job with.
Outcome = JobResult | JobFailed


@dataclass(frozen=True)
class WorkerDone:
    """The last message of a worker process.

    Attributes:
        timings: Seconds per stage.
        error: What stopped the worker before its jobs were done (its model
            failed to load, say), or None.
    """

    timings: dict[str, float]
    error: WorkerError | None = None
    pid: int = 0


@dataclass(frozen=True)
class Taken:
    """A worker process (``pid``) has begun job number ``job``."""

    pid: int
    job: int
