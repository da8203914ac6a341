"""The analysis core: one interaction in, one scored report out, for every entry point.

* :mod:`analyzer.pipeline.inputs`: what to analyse (folders, manifests,
  recordings, transcripts; :func:`~analyzer.pipeline.inputs.discover`);
* :mod:`analyzer.pipeline.core`: an input to an
  :class:`~analyzer.pipeline.result.AnalysisResult` (recordings through the
  audio path of :mod:`analyzer.speech.recording`, live calls when they end,
  transcripts, re-scoring);
* :mod:`analyzer.pipeline.scoring`: the stages from utterances to a scored
  report (match, context, measures, duties, score, audit block);
* :mod:`analyzer.pipeline.result`: the result, its audio-only part and its
  analysis key.

``conduct analyze``, ``conduct batch``, ``conduct stream`` and ``--listen``
are adapters over it; :func:`analyzer.persist.persist` keeps a result.
"""

from analyzer.pipeline.core import (
    analyze,
    analyze_inputs,
    analyze_recording_file,
    analyze_task,
    analyze_transcript,
    conclude_call,
    finish_recording,
    iter_inputs,
    records_of,
    rescore,
)
from analyzer.pipeline.inputs import Task, discover, discover_all
from analyzer.pipeline.result import (
    TRANSCRIPT_MODEL,
    AnalysisKey,
    AnalysisResult,
    AudioResults,
    identity_of,
    model_identity,
)
from analyzer.pipeline.scoring import (
    STAGES,
    StageTimer,
    analyze_interaction,
    audit_block,
    get_lexicon,
    get_template,
    measure_findings,
    preflight,
    ring_findings,
)

__all__ = [
    "STAGES", "TRANSCRIPT_MODEL", "AnalysisKey", "AnalysisResult", "AudioResults", "StageTimer",
    "identity_of",
    "Task", "analyze", "analyze_inputs", "analyze_interaction", "analyze_recording_file",
    "analyze_task", "analyze_transcript", "audit_block", "conclude_call", "discover",
    "discover_all", "finish_recording", "get_lexicon", "get_template", "iter_inputs",
    "measure_findings", "model_identity", "preflight", "records_of", "rescore", "ring_findings",
]
