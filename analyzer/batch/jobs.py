"""What the batch driver, its engines and its workers hand each other.

Every message is a frozen, picklable dataclass, so it crosses a process queue
or a Ray call unchanged and its kind is its type:

* the driver plans a :class:`Job` per recording;
* a worker answers each job with a :class:`JobResult` or a :class:`JobFailed`
  (whose :class:`WorkerError` says whether the input itself is at fault);
* a worker process ends with one :class:`WorkerDone` (its stage timings, and
  the error that stopped it, if one did).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from analyzer.errors import (
    AnalyzerError,
    LexiconError,
    MissingDependencyError,
    ModelError,
    OptionError,
    StoreError,
)
from analyzer.types import Finding, Interaction, InteractionReport, RingResult


@dataclass(frozen=True)
class Job:
    """One recording to analyse.

    Attributes:
        job: Its number in this run (results come back in completion order).
        path: The recording.
        meta: Sidecar and manifest metadata (``channel``, ``hall``, ...).
        content_hash: sha256 of the recording's bytes.
        key: The analysis key (content, model, lexicon version).
    """

    job: int
    path: str
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    key: str = ""


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
        """The error record of an exception raised while analysing an input."""
        if isinstance(exc, AnalyzerError):
            # the input's own faults are keyed as known bad; a broken lexicon,
            # template or option (configuration), a model, a dependency or the
            # store (the machine) are not: fixed, the next run tries again
            not_the_input = (LexiconError | OptionError | ModelError | MissingDependencyError
                             | StoreError)
            return cls(type(exc).__name__, str(exc), bad_input=not isinstance(exc, not_the_input))
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return cls(type(exc).__name__, f"{exc} ({last})", bad_input=False)


@dataclass(frozen=True)
class AudioResults:
    """What only the audio gave: kept in the store so a re-score needs no recognition.

    Attributes:
        ring: Rings heard in the audio, or None.
        findings: Measured findings (loudness, hang-up timing...).
        asr_info: The recognizer's audit block.
    """

    ring: RingResult | None = None
    findings: tuple[Finding, ...] = ()
    asr_info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data, as the store keeps it."""
        ring = None if self.ring is None else {
            "rings": self.ring.rings, "source": self.ring.source,
            "answer_time": self.ring.answer_time,
            "ring_spans": [list(s) for s in self.ring.ring_spans],
            "confidence": self.ring.confidence}
        return {"ring": ring, "findings": [f.to_dict() for f in self.findings],
                "asr_info": self.asr_info}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> AudioResults:
        """Rebuild from :meth:`to_dict` (an empty dict: a typed transcript)."""
        d = d or {}
        ring_d = d.get("ring")
        ring = None if not ring_d else RingResult(
            **{**ring_d, "ring_spans": [tuple(s) for s in ring_d.get("ring_spans", [])]})
        return cls(ring=ring, findings=tuple(Finding(**f) for f in d.get("findings", [])),
                   asr_info=d.get("asr_info") or {})


@dataclass(frozen=True)
class JobResult:
    """A recording analysed.

    Attributes:
        job: The job it answers.
        report: The scored report.
        interaction: The recognised interaction (kept for re-scoring).
        audio: What only the audio gave.
        duration: Seconds of audio.
    """

    job: Job
    report: InteractionReport
    interaction: Interaction
    audio: AudioResults
    duration: float


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
