"""Live analysis of audio as it arrives (:class:`StreamAnalyzer`), typed events out."""

from analyzer.stream.events import (
    AnsweredEvent,
    FindingEvent,
    PhraseEvent,
    ReportEvent,
    RingEvent,
    StreamEvent,
    UtteranceEvent,
)
from analyzer.stream.live import VAD_FRAME, Segmenter, SileroStream, StreamAnalyzer

__all__ = ["VAD_FRAME", "AnsweredEvent", "FindingEvent", "PhraseEvent", "ReportEvent",
           "RingEvent", "Segmenter", "SileroStream", "StreamAnalyzer", "StreamEvent",
           "UtteranceEvent"]
