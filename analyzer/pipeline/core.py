"""The analysis core: every entry point's interaction becomes an :class:`AnalysisResult` here.

``conduct analyze`` (:func:`analyze_inputs`), the Python API (:func:`analyze`),
the batch's workers and driver, the live stream and ``conduct stream
--listen`` all call these functions; none of them assembles the pipeline
itself (``tests/test_layout.py`` checks it):

* a recording: :func:`analyze_recording_file` (decode, roles, recognition,
  attribution, rings, loudness, then :func:`finish_recording`);
* a live call that has ended: :func:`conclude_call` (the stream has
  recognised it as it arrived; the rest is the recording's);
* a typed transcript: :func:`analyze_transcript`;
* a stored interaction under a new lexicon: :func:`rescore`.

A recording in which no speech was recognised and no ring was heard is an
error (:func:`finish_recording`), on every path: there is nothing to judge
the clerk on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.errors import AnalyzerError, TranscriptError
from analyzer.options import AnalyzerOptions
from analyzer.pipeline.inputs import Task, discover_all
from analyzer.pipeline.result import AnalysisKey, AnalysisResult, AudioResults
from analyzer.pipeline.scoring import analyze_interaction, get_lexicon
from analyzer.speech.decode import AUDIO_SUFFIXES
from analyzer.speech.meta import CallMeta
from analyzer.text.transcript import TRANSCRIPT_SUFFIXES, load_transcripts, parse_interaction
from analyzer.types import Interaction, InteractionReport

if TYPE_CHECKING:
    from analyzer.speech.decode import DecodedAudio
    from analyzer.speech.recording import AudioAnalysis, HearBlock
    from analyzer.speech.tracks import Recognizer
    from analyzer.text.lexicon import Lexicon

#: What :func:`analyze` takes: a path, a dict following the input contract, or an interaction.
Source = str | Path | Mapping[str, Any] | Interaction


def analyze(source: Source, options: AnalyzerOptions | None = None, *,
            lexicon: Lexicon | None = None) -> InteractionReport:
    """Analyze one interaction.

    Args:
        source: A transcript path (``.json``, or a ``.jsonl`` holding one
            record), a recording path (any of ``analyzer.speech.decode.AUDIO_SUFFIXES``), a dict
            following the input contract, or an :class:`Interaction`.
        options: Analyzer options; defaults when None.
        lexicon: A loaded lexicon; default: the one ``options.lexicon`` names.

    Returns:
        The scored report.

    Raises:
        AnalyzerError: A subclass naming the input (TranscriptError,
            AudioError, LexiconError, ModelError ...).
    """
    options = options or AnalyzerOptions()
    lexicon = lexicon if lexicon is not None else get_lexicon(options)
    if isinstance(source, Interaction):
        return analyze_transcript(source, options, lexicon=lexicon).report
    if isinstance(source, Mapping):
        return analyze_transcript(parse_interaction(dict(source)), options,
                                  lexicon=lexicon).report
    if not isinstance(source, (str, Path)):
        raise TypeError(f"cannot analyze a {type(source).__name__}; pass a path, dict or "
                        "Interaction")
    path = Path(source)
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return analyze_recording_file(path, options, lexicon=lexicon).report
    if path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise AnalyzerError(f"unsupported input {path.suffix or '(no suffix)'!r}; expected a "
                            f"transcript (.json, .jsonl) or a recording "
                            f"({', '.join(AUDIO_SUFFIXES)})", source=str(path))
    if not path.is_file():
        raise AnalyzerError("no such file", source=str(path))
    records = list(load_transcripts(path))
    if len(records) != 1:
        raise TranscriptError(f"holds {len(records)} records; analyze() takes one interaction, "
                              "use analyze_inputs() for many", source=str(path))
    if isinstance(records[0], AnalyzerError):
        raise records[0]
    return analyze_transcript(records[0], options, lexicon=lexicon).report


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Interaction | Path | AnalyzerError]:
    """Expand paths into interactions, recordings and errors, in order.

    Paths are found by :func:`analyzer.pipeline.inputs.discover_all` (folders,
    manifests, files). Transcripts are parsed here and yielded as
    :class:`Interaction` (with a manifest row's metadata), or their
    :class:`TranscriptError` (never raised); recordings as their :class:`Path`.
    """
    for item in discover_all(paths):
        if isinstance(item, AnalyzerError):
            yield item
        elif item.kind == "audio":
            yield Path(item.path)
        else:
            yield from records_of(item)


def records_of(task: Task) -> Iterator[Interaction | AnalyzerError]:
    """A transcript task's records, each with the task's metadata applied (errors inline)."""
    for rec in load_transcripts(task.path):
        if not isinstance(rec, AnalyzerError):
            task.meta.apply_to(rec)
        yield rec


def analyze_inputs(paths: Iterable[str | Path], options: AnalyzerOptions | None = None, *,
                   lexicon: Lexicon | None = None,
                   on_recording: Callable[[Path], object] | None = None,
                   ) -> Iterator[InteractionReport | AnalyzerError]:
    """Analyze every input under ``paths``, yielding a report or an error for each.

    A bad input (malformed transcript, undecodable audio, no speech) is
    yielded as its :class:`AnalyzerError` and the run goes on.
    ``on_recording`` is called with each recording's path as its analysis
    starts (the command line's progress: recordings take seconds).
    """
    options = options or AnalyzerOptions()
    lexicon = lexicon if lexicon is not None else get_lexicon(options)
    for item in discover_all(paths):
        if isinstance(item, AnalyzerError):
            yield item
        elif item.kind == "audio":
            if on_recording is not None:
                on_recording(Path(item.path))
            yield _or_error(item.path, partial(analyze_task, item, options, lexicon=lexicon))
        else:
            for rec in records_of(item):
                if isinstance(rec, AnalyzerError):
                    yield rec
                else:
                    yield _or_error(rec.source, partial(analyze_transcript, rec, options,
                                                        lexicon=lexicon))


def _or_error(source: str, run: Callable[[], AnalysisResult]) -> InteractionReport | AnalyzerError:
    """``run()``'s report, or its error naming ``source`` when it names nothing."""
    try:
        return run().report
    except AnalyzerError as exc:
        if exc.source is None:
            exc.source = source
        return exc


def analyze_task(task: Task, options: AnalyzerOptions, *, lexicon: Lexicon,
                 recognizer: Recognizer | None = None, audio: DecodedAudio | None = None,
                 key: AnalysisKey | None = None,
                 timings: dict[str, float] | None = None) -> AnalysisResult:
    """Analyze a recording found by :func:`~analyzer.pipeline.inputs.discover` (its metadata given)."""
    return analyze_recording_file(task.path, options, lexicon=lexicon, meta=task.meta,
                                  recognizer=recognizer, audio=audio, key=key, timings=timings)


def analyze_recording_file(path: str | Path, options: AnalyzerOptions, *, lexicon: Lexicon,
                           meta: CallMeta | Mapping[str, Any] | None = None,
                           recognizer: Recognizer | None = None,
                           audio: DecodedAudio | None = None,
                           key: AnalysisKey | None = None,
                           timings: dict[str, float] | None = None) -> AnalysisResult:
    """Analyze one recording: the audio path, then :func:`finish_recording`.

    Args:
        path: The recording.
        options: Analyzer options.
        lexicon: The loaded lexicon.
        meta: Metadata over its sidecar (a task's: read already; None: the sidecar's).
        recognizer: Hears the tracks (None: the process's recognition engine).
        audio: Its samples, when decoded already.
        key: What identifies this analysis, when the caller knows it.
        timings: Seconds are added under ``audio`` (the audio path, recognition
            included) and ``matching`` (scoring), and this thread's CPU seconds of
            scoring under ``cpu_matching``.

    Raises:
        AnalyzerError: The recording is unreadable, holds no speech, or the model fails.
    """
    from analyzer.speech.recording import analyze_recording

    t0 = time.perf_counter()
    heard = analyze_recording(path, options, meta, audio=audio, recognizer=recognizer)
    t1, c1 = time.perf_counter(), time.thread_time()
    result = finish_recording(heard, options, lexicon=lexicon, key=key, path=str(path))
    if timings is not None:
        timings["audio"] = timings.get("audio", 0.0) + t1 - t0
        timings["matching"] = timings.get("matching", 0.0) + time.perf_counter() - t1
        timings["cpu_matching"] = timings.get("cpu_matching", 0.0) + time.thread_time() - c1
    return result


def conclude_call(blocks: Iterator[DecodedAudio], heard_of: HearBlock, meta: CallMeta,
                  options: AnalyzerOptions, *, lexicon: Lexicon, source: str,
                  asr_info: Mapping[str, Any] | None) -> AnalysisResult:
    """A live call that has ended: what was recognised as it arrived, then as a recording.

    Attribution (crosstalk, background, mono speaker turns), levels, rings
    and loudness run on the call's audio a block at a time, read back as a
    long recording's blocks are read
    (:func:`analyzer.speech.recording.conclude_blocks`: one block for a call
    no longer than ``recording.block_seconds``), then :func:`finish_recording`.

    Args:
        blocks: The call's samples, a block at a time.
        heard_of: Each block's tracks and the utterances recognised in it.
        meta: The call's metadata.
        options: Analyzer options.
        lexicon: The loaded lexicon.
        source: The call's id, named in the report.
        asr_info: The recognizer's audit block (None: not known).

    Raises:
        AnalyzerError: No speech was recognised and no ring heard.
    """
    from analyzer.speech.recording import conclude_blocks

    audio = conclude_blocks(blocks, heard_of, options, meta, source=source, asr_info=asr_info)
    return finish_recording(audio, options, lexicon=lexicon, path=source)


def finish_recording(audio: AudioAnalysis, options: AnalyzerOptions, *, lexicon: Lexicon,
                     key: AnalysisKey | None = None, path: str = "") -> AnalysisResult:
    """A recording's interaction scored, with what only its audio gave.

    Raises:
        AnalyzerError: No speech was recognised and no ring was heard (the
            one rule for every path; the batch keys it as a bad input).
    """
    if not audio.heard_speech:
        raise AnalyzerError("no speech recognised in the recording",
                            source=path or audio.interaction.source)
    report = analyze_interaction(audio.interaction, options, lexicon=lexicon,
                                 extra_findings=audio.findings, ring=audio.ring,
                                 asr_info=audio.asr_info)
    results = AudioResults(ring=audio.ring, findings=tuple(audio.findings),
                           asr_info=dict(audio.asr_info))
    return AnalysisResult(report, audio.interaction, results, key, path or
                          audio.interaction.source, audio.audio.duration)


def analyze_transcript(interaction: Interaction, options: AnalyzerOptions, *, lexicon: Lexicon,
                       key: AnalysisKey | None = None, path: str = "") -> AnalysisResult:
    """A typed transcript scored (rings from its call record)."""
    report = analyze_interaction(interaction, options, lexicon=lexicon)
    return AnalysisResult(report, interaction, None, key, path or interaction.source)


def rescore(interaction: Interaction, audio: AudioResults, options: AnalyzerOptions, *,
            lexicon: Lexicon, key: AnalysisKey | None = None, path: str = "") -> AnalysisResult:
    """A stored interaction matched and scored again (a new lexicon): no recognition."""
    report = analyze_interaction(interaction, options, lexicon=lexicon,
                                 extra_findings=audio.findings, ring=audio.ring,
                                 asr_info=audio.asr_info or None)
    return AnalysisResult(report, interaction, audio, key, path or interaction.source)
