"""The events a live stream emits, one dataclass each.

Every event has a ``type`` (its wire name) and :meth:`to_dict`, the JSON
object ``conduct stream`` prints, one per line::

    {"type": "ring", "n": 1, "t": 0.0}
    {"type": "answered", "t": 21.3, "rings": 5}
    {"type": "utterance", "index": 0, "speaker": "staff", "start": ..., "emitted_at": ...}
    {"type": "phrase", "rule": "A7-G-01", "kind": "required", ...}
    {"type": "finding", ...Finding.to_dict(), "provisional": false}
    {"type": "report", "report": {...InteractionReport.to_dict()}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from analyzer.types import Finding, InteractionReport, Utterance


@dataclass(frozen=True)
class RingEvent:
    """Ring ``n`` started at stream second ``t`` (counted once its tone has lasted
    ``RingOptions.confirm_seconds``)."""

    type: ClassVar[str] = "ring"
    n: int
    t: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "n": self.n, "t": self.t}


@dataclass(frozen=True)
class AnsweredEvent:
    """Staff speech started at ``t`` after ``rings`` rings (phone)."""

    type: ClassVar[str] = "answered"
    t: float
    rings: int

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "t": self.t, "rings": self.rings}


@dataclass(frozen=True)
class UtteranceEvent:
    """One recognised utterance, as soon as its speaker stopped talking.

    Attributes:
        index: Its number in the stream's transcript.
        utterance: The utterance (times in stream seconds).
        emitted_at: The stream second at which it was emitted.
    """

    type: ClassVar[str] = "utterance"
    index: int
    utterance: Utterance
    emitted_at: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the utterance's fields flat, plus ``index`` and ``emitted_at``."""
        return {"type": self.type, "index": self.index, **self.utterance.to_dict(),
                "emitted_at": self.emitted_at}


@dataclass(frozen=True)
class PhraseEvent:
    """A required phrase or a citizen cue was heard (good practice, context)."""

    type: ClassVar[str] = "phrase"
    rule: str
    kind: str
    speaker: str
    start: float
    end: float
    evidence: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "rule": self.rule, "kind": self.kind,
                "speaker": self.speaker, "start": self.start, "end": self.end,
                "evidence": self.evidence, "confidence": self.confidence}


@dataclass(frozen=True)
class FindingEvent:
    """A breach, live (``provisional`` when the final report may refine it) or at close."""

    type: ClassVar[str] = "finding"
    finding: Finding
    provisional: bool

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the finding's fields flat, plus ``provisional``."""
        return {"type": self.type, **self.finding.to_dict(), "provisional": self.provisional}


@dataclass(frozen=True)
class ReportEvent:
    """The final scored report (the same ``analyze_interaction`` as files)."""

    type: ClassVar[str] = "report"
    report: InteractionReport

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "report": self.report.to_dict()}


#: Any event of a stream.
StreamEvent = RingEvent | AnsweredEvent | UtteranceEvent | PhraseEvent | FindingEvent | ReportEvent
