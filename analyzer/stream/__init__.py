"""Live analysis of audio as it arrives (:class:`StreamAnalyzer`), typed events out;
the network input (:mod:`analyzer.stream.server`, ``conduct stream --listen``).

* :mod:`analyzer.stream.frontend`: decode, resample, crosstalk, VAD, speech segments;
* :mod:`analyzer.stream.online`: the online policy (ended utterances, partials,
  LocalAgreement in :mod:`analyzer.stream.agreement`);
* :mod:`analyzer.stream.rules`: the live rules (rings, answer, phrases, findings);
* :mod:`analyzer.stream.live`: :class:`StreamAnalyzer`, wiring them, and the
  analysis core when the call ends;
* :mod:`analyzer.stream.events`: the events; :mod:`analyzer.stream.line`: a
  network line's wire format; :mod:`analyzer.stream.server`: the listener;
  :mod:`analyzer.stream.record`: a finished call kept as the batch keeps it.
"""

from analyzer.stream.events import (
    AnsweredEvent,
    EndedEvent,
    ErrorEvent,
    FindingEvent,
    LineEvent,
    PartialEvent,
    PhraseEvent,
    ReportEvent,
    RevisionEvent,
    RingEvent,
    StoredEvent,
    StreamEvent,
    UtteranceEvent,
)
from analyzer.stream.frontend import VAD_FRAME, Segmenter, SileroStream
from analyzer.stream.live import StreamAnalyzer

__all__ = ["VAD_FRAME", "AnsweredEvent", "EndedEvent", "ErrorEvent", "FindingEvent",
           "LineEvent", "PartialEvent", "PhraseEvent", "ReportEvent", "RevisionEvent", "RingEvent",
           "Segmenter",
           "SileroStream", "StoredEvent", "StreamAnalyzer", "StreamEvent", "UtteranceEvent"]
