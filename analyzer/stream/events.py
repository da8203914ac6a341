"""The events a live stream emits, one dataclass each.

Every event has a ``type`` (its wire name), ``emitted_at`` (when it came
out, in seconds on the stream's clock: the wall clock since the line's first
audio for a live line or a ``--realtime`` replay, else the audio consumed)
and :meth:`to_dict`, the JSON object ``conduct stream`` prints, one per line::

    {"type": "ring", "n": 1, "t": 0.0, "emitted_at": 0.6}
    {"type": "answered", "t": 21.3, "rings": 5, "emitted_at": ...}
    {"type": "partial", "speaker": "staff", "start": 21.3, "committed": "您好",
     "tentative": "请问", "emitted_at": ...}
    {"type": "utterance", "index": 0, "speaker": "staff", "start": ..., "emitted_at": ...}
    {"type": "revision", "speaker": "staff", "start": 20.1, "end": 23.4, "replaced": [20.1],
     "utterances": [{...Utterance.to_dict()}], "emitted_at": ...}
    {"type": "phrase", "rule": "A7-G-01", "kind": "required", ...}
    {"type": "finding", ...Finding.to_dict(), "provisional": false, "again": false,
     "emitted_at": ...}
    {"type": "report", "report": {...InteractionReport.to_dict()}, "emitted_at": ...}
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
    emitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "n": self.n, "t": self.t, "emitted_at": self.emitted_at}


@dataclass(frozen=True)
class AnsweredEvent:
    """Staff speech started at ``t`` after ``rings`` rings (phone)."""

    type: ClassVar[str] = "answered"
    t: float
    rings: int
    emitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "t": self.t, "rings": self.rings,
                "emitted_at": self.emitted_at}


@dataclass(frozen=True)
class UtteranceEvent:
    """One recognised utterance, as soon as its speaker stopped talking.

    Attributes:
        index: Its number in the stream's transcript.
        utterance: The utterance (times in stream seconds).
        emitted_at: When it came out (the stream's clock).
    """

    type: ClassVar[str] = "utterance"
    index: int
    utterance: Utterance
    emitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the utterance's fields flat, plus ``index`` and ``emitted_at``."""
        return {"type": self.type, "index": self.index, **self.utterance.to_dict(),
                "emitted_at": self.emitted_at}


@dataclass(frozen=True)
class PartialEvent:
    """A growing utterance decoded again (see :mod:`analyzer.stream.agreement`).

    Attributes:
        speaker: Whose speech it is.
        start: Where the utterance started (stream seconds).
        end: Where the audio decoded ends.
        committed: The text two hypotheses in a row agreed on (kept).
        tentative: The rest of the latest hypothesis (may change).
        emitted_at: When it came out (the stream's clock).
    """

    type: ClassVar[str] = "partial"
    speaker: str
    start: float
    end: float
    committed: str
    tentative: str
    emitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "speaker": self.speaker, "start": self.start,
                "end": self.end, "committed": self.committed, "tentative": self.tentative,
                "emitted_at": self.emitted_at}


@dataclass(frozen=True)
class RevisionEvent:
    """The second hearing (:mod:`analyzer.stream.again`) changed the words of a piece of
    one speaker's speech: its utterances told before are replaced by these.

    Attributes:
        speaker: Whose speech.
        start: Where the piece starts (stream seconds).
        end: Where it ends.
        replaced: The ``start`` of each utterance told before for it (those to take away).
        utterances: Its utterances now (the call's report has these words).
        emitted_at: When it came out (the stream's clock).
    """

    type: ClassVar[str] = "revision"
    speaker: str
    start: float
    end: float
    replaced: tuple[float, ...]
    utterances: tuple[Utterance, ...]
    emitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the utterances as an ``utterance`` event has them (no index)."""
        return {"type": self.type, "speaker": self.speaker, "start": self.start,
                "end": self.end, "replaced": [round(t, 3) for t in self.replaced],
                "utterances": [u.to_dict() for u in self.utterances],
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
    emitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "rule": self.rule, "kind": self.kind,
                "speaker": self.speaker, "start": self.start, "end": self.end,
                "evidence": self.evidence, "confidence": self.confidence,
                "emitted_at": self.emitted_at}


@dataclass(frozen=True)
class FindingEvent:
    """A breach, live (``provisional`` when the final report may refine it) or at close.

    Attributes:
        finding: The finding.
        provisional: The final report may refine it.
        emitted_at: When it came out (the stream's clock).
        again: Told by the second hearing (:mod:`analyzer.stream.again`): the first
            hearing of its speech did not find it.
    """

    type: ClassVar[str] = "finding"
    finding: Finding
    provisional: bool
    emitted_at: float = 0.0
    again: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the finding's fields flat, plus ``provisional``, ``again`` and
        ``emitted_at``."""
        return {"type": self.type, **self.finding.to_dict(), "provisional": self.provisional,
                "again": self.again, "emitted_at": self.emitted_at}


@dataclass(frozen=True)
class ReportEvent:
    """The final scored report (the same ``analyze_interaction`` as files)."""

    type: ClassVar[str] = "report"
    report: InteractionReport
    emitted_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "report": self.report.to_dict(),
                "emitted_at": self.emitted_at}


#: Any event of a stream.
StreamEvent = (RingEvent | AnsweredEvent | PartialEvent | UtteranceEvent | RevisionEvent
               | PhraseEvent | FindingEvent | ReportEvent)


@dataclass(frozen=True)
class LineEvent:
    """A line opened on the listener (``conduct stream --listen``): who it is."""

    type: ClassVar[str] = "line"
    call_id: str
    channel: str
    channels: int
    hall: str
    window: str
    staff: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "call_id": self.call_id, "channel": self.channel,
                "channels": self.channels, "hall": self.hall, "window": self.window,
                "staff": self.staff}


@dataclass(frozen=True)
class ErrorEvent:
    """A line's problem (bad header or frame, dropped connection, a failed step)."""

    type: ClassVar[str] = "error"
    call_id: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "call_id": self.call_id, "message": self.message}


@dataclass(frozen=True)
class StoredEvent:
    """A finished call was written to the results database (row ``interaction``)."""

    type: ClassVar[str] = "stored"
    call_id: str
    interaction: int
    recording: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "call_id": self.call_id, "interaction": self.interaction,
                "recording": self.recording}


@dataclass(frozen=True)
class EndedEvent:
    """A line ended: its score, grade and rings (the report's), and its stored row (None
    when not stored)."""

    type: ClassVar[str] = "ended"
    call_id: str
    dropped: bool
    score: float | None
    grade: str | None
    interaction: int | None
    rings: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"type": self.type, "call_id": self.call_id, "dropped": self.dropped,
                "score": self.score, "grade": self.grade, "interaction": self.interaction,
                "rings": self.rings}


#: What the listener itself says about a line, besides its stream's events.
LineNotice = LineEvent | ErrorEvent | StoredEvent | EndedEvent
