"""Live analysis of audio as it arrives (:class:`StreamAnalyzer`), typed events out;
the network input (:mod:`analyzer.stream.server`, ``conduct stream --listen``)."""

from analyzer.stream.events import (
    AnsweredEvent,
    EndedEvent,
    ErrorEvent,
    FindingEvent,
    LineEvent,
    PartialEvent,
    PhraseEvent,
    ReportEvent,
    RingEvent,
    StoredEvent,
    StreamEvent,
    UtteranceEvent,
)
from analyzer.stream.live import VAD_FRAME, CallInfo, Segmenter, SileroStream, StreamAnalyzer

__all__ = ["VAD_FRAME", "AnsweredEvent", "CallInfo", "EndedEvent", "ErrorEvent", "FindingEvent",
           "LineEvent", "PartialEvent", "PhraseEvent", "ReportEvent", "RingEvent", "Segmenter",
           "SileroStream", "StoredEvent", "StreamAnalyzer", "StreamEvent", "UtteranceEvent"]
