"""The analysis pipeline: one interaction in, one scored report out.

Stages, each a module with one job::

    transcript (or audio: decode -> rings -> VAD/ASR, in analyzer.speech.recording)
      -> normalize -> match (lexicon hits) -> context (cues, forbidden and
      missing phrases) -> measures (rings, speech rate, ignoring, hang-up,
      learned classifier) -> score -> sink

:func:`analyze` takes one source; :func:`iter_inputs` expands paths (folders,
``.json``, ``.jsonl``, recordings) and :func:`analyze_inputs` streams reports
and errors for many, never stopping at a bad input. Heavy resources (the
lexicon automaton, the scoring template, the Whisper model) are loaded once
per process and shared.
"""

from __future__ import annotations

import functools
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.errors import AnalyzerError, TranscriptError
from analyzer.options import AnalyzerOptions
from analyzer.rules.context import context_findings, detect_cues
from analyzer.rules.score import ScoringTemplate, check_template, load_template, score
from analyzer.speech.decode import (
    AUDIO_SUFFIXES,  # routed to analyzer.speech.recording.analyze_recording
)
from analyzer.text.transcript import TRANSCRIPT_SUFFIXES, load_transcripts, parse_interaction
from analyzer.types import Finding, Interaction, InteractionReport, RingResult

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon
    from analyzer.text.match import Hit


#: The stages :class:`StageTimer` reports, in pipeline order.
STAGES: tuple[str, ...] = ("match", "context", "measures", "score", "report")


class StageTimer:
    """Accumulates wall time per pipeline stage (for ``benchmarks/text_speed.py``).

    Pass one to :func:`analyze_interaction`; read :attr:`seconds` afterwards.

    Args:
        clock: The clock: :func:`time.perf_counter` (wall time, default) or
            :func:`time.process_time` (CPU time of this process, robust to
            other processes sharing the cores).
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name``."""
        t0 = self.clock()
        try:
            yield
        finally:
            self.seconds[name] += self.clock() - t0


class _NoTimer:
    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield


_NO_TIMER = _NoTimer()


def get_lexicon(options: AnalyzerOptions) -> Any:
    """The lexicon for ``options.lexicon`` (shipped + a hall's files), loaded once."""
    from analyzer.text.lexicon import load_lexicon

    return load_lexicon(tuple(options.lexicon))


def get_template(options: AnalyzerOptions, lexicon: Lexicon) -> ScoringTemplate:
    """The scoring template for ``options.score.template``, checked against the lexicon."""
    template = load_template(options.score.template or None)
    key = (id(template), id(lexicon))
    if key not in _CHECKED:
        ids = {r.id for r in lexicon.rules} | {r.group for r in lexicon.rules if r.group}
        ids |= set(lexicon.disabled)  # a rule a hall disabled just never fires
        check_template(template, ids)
        _CHECKED[key] = (template, lexicon)  # holding them keeps the ids unique
    return template


#: (template, lexicon) pairs already checked against each other.
_CHECKED: dict[tuple[int, int], tuple[ScoringTemplate, Any]] = {}


def analyze(source: Any, options: AnalyzerOptions | None = None, *,
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
    if isinstance(source, Interaction):
        return analyze_interaction(source, options, lexicon=lexicon)
    if isinstance(source, dict):
        return analyze_interaction(parse_interaction(source), options, lexicon=lexicon)
    if not isinstance(source, (str, Path)):
        raise TypeError(f"cannot analyze a {type(source).__name__}; pass a path, dict or "
                        "Interaction")
    path = Path(source)
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return analyze_recording_path(path, options, lexicon=lexicon)
    if path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise AnalyzerError(_unsupported(path), source=str(path))
    if not path.is_file():
        raise AnalyzerError("no such file", source=str(path))
    records = list(load_transcripts(path))
    if len(records) != 1:
        raise TranscriptError(f"holds {len(records)} records; analyze() takes one interaction, "
                              "use analyze_inputs() for many", source=str(path))
    if isinstance(records[0], AnalyzerError):
        raise records[0]
    return analyze_interaction(records[0], options, lexicon=lexicon)


def analyze_recording_path(path: Path, options: AnalyzerOptions, *,
                           lexicon: Lexicon | None = None, meta: dict | None = None) -> InteractionReport:
    """Audio path: transcribe and measure the recording, then analyze its transcript."""
    from analyzer.speech.recording import analyze_recording

    a = analyze_recording(path, options, meta)
    return analyze_interaction(a.interaction, options, lexicon=lexicon,
                               extra_findings=a.findings, ring=a.ring, asr_info=a.asr_info)


def analyze_interaction(
    interaction: Interaction,
    options: AnalyzerOptions | None = None,
    *,
    lexicon: Lexicon | None = None,
    extra_findings: Sequence[Finding] = (),
    ring: RingResult | None = None,
    asr_info: dict | None = None,
    timer: StageTimer | None = None,
) -> InteractionReport:
    """Analyze a parsed interaction (the transcript path's core, shared by audio).

    Args:
        interaction: The interaction.
        options: Analyzer options; defaults when None.
        lexicon: A loaded lexicon; default: the one ``options.lexicon`` names.
        extra_findings: Findings measured elsewhere (audio: shouting).
        ring: Rings detected in the audio; when None, the call record's
            ``rings`` / ``ring_seconds`` are used for a phone call.
        asr_info: What the speech recogniser reported (model, timings), for
            the audit block.
        timer: Collects per-stage time when given.

    Returns:
        The scored report.
    """
    options = options or AnalyzerOptions()
    lexicon = lexicon if lexicon is not None else get_lexicon(options)
    template = get_template(options, lexicon)
    clock = timer or _NO_TIMER
    with clock.stage("match"):  # normalize + lexicon match (analyzer.text.match normalizes)
        from analyzer.text.match import find_phrases

        hits = find_phrases(interaction.utterances, lexicon, options.match)
        from analyzer.rules.acts import act_hits  # learned acts beside the lexicon's hits

        hits = [*hits, *act_hits(interaction, hits, lexicon, options)]
    with clock.stage("context"):
        cues = detect_cues(interaction, hits, options, lexicon)
        findings = context_findings(interaction, hits, cues, lexicon, options.context)
    with clock.stage("measures"):
        if ring is None and interaction.channel == "phone":
            from analyzer.speech.rings import rings_from_record

            ring = rings_from_record(interaction, options.rings)
        findings += measure_findings(interaction, hits, lexicon, options, ring)
        findings = _dedupe([*findings, *extra_findings])
        from analyzer.rules.duties import apply_duties

        findings = apply_duties(interaction, hits, cues, lexicon, options, ring, findings)
    with clock.stage("score"):
        value, grade, findings = score(findings, template)
    with clock.stage("report"):
        return InteractionReport(
            id=interaction.id, channel=interaction.channel, score=value, grade=grade,
            findings=findings, rings=ring.rings if ring else None,
            ring_source=ring.source if ring else None,
            answer_time=ring.answer_time if ring else None, utterances=interaction.utterances,
            hall=interaction.hall, window=interaction.window, staff=interaction.staff,
            started_at=interaction.started_at, source=interaction.source,
            duration=interaction.duration,
            analyzer=audit_block(options, lexicon, template, asr_info),
            meta=interaction.meta,
        )


def measure_findings(interaction: Interaction, hits: Sequence[Hit], lexicon: Lexicon,
                     options: AnalyzerOptions, ring: RingResult | None) -> list[Finding]:
    """Rings (Article 7), speech rate and ignoring, forced hang-up, learned classifier."""
    out = ring_findings(ring, options, lexicon)
    from analyzer.rules.acoustics import timing_findings

    out += timing_findings(interaction, options.acoustics, lexicon)
    if interaction.channel == "phone":
        from analyzer.rules.hangup import hangup_findings

        out += hangup_findings(interaction, hits, lexicon, options.acoustics)
    if options.classifier.enabled:
        out += _uncivil(interaction, hits, lexicon, options)
    return out


def _uncivil(interaction: Interaction, hits: Sequence[Hit], lexicon: Lexicon,
             options: AnalyzerOptions) -> list[Finding]:
    from analyzer.rules.learned import uncivil_findings

    skip = {i for h in hits if h.rule.kind == "forbidden" for i in h.utterances}
    return list(uncivil_findings(interaction.utterances, lexicon, options.classifier,
                                 skip=frozenset(skip)))


def ring_findings(ring: RingResult | None, options: AnalyzerOptions, lexicon: Lexicon) -> list[Finding]:
    """``A7-RING`` when the call was answered after more than ``rings.max_rings`` rings.

    The ring count is still reported (``report.rings``) when a hall's lexicon
    disables the rule; only the finding is dropped.
    """
    if ring is None or ring.rings is None or ring.rings <= options.rings.max_rings:
        return []
    try:
        rule = lexicon.get("A7-RING")
    except KeyError:  # switched off by a hall's lexicon layer ([[disable]])
        return []
    end = ring.ring_spans[-1][1] if ring.ring_spans else ring.answer_time
    how = "call record" if ring.source == "record" else "ringback tone in the audio"
    return [Finding(
        rule=rule.id, article=rule.article, kind="ring", canonical=rule.canonical or rule.title,
        speaker="staff", start=0.0 if end is not None else None, end=end,
        evidence=f"answered after {ring.rings} rings (limit {options.rings.max_rings}; "
                 f"from the {how})",
        confidence=ring.confidence, points=rule.points,
        detail={"rings": ring.rings, "max_rings": options.rings.max_rings,
                "ring_source": ring.source, "answer_time": ring.answer_time,
                "group": rule.group},
    )]


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule, f.kind, f.start, f.end)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


@functools.lru_cache(maxsize=64)
def _options_json(options: AnalyzerOptions) -> str:
    """``options.to_dict()`` as JSON, computed once per options value (it is frozen)."""
    return json.dumps(options.to_dict(), ensure_ascii=False)


def audit_block(options: AnalyzerOptions, lexicon: Lexicon, template: ScoringTemplate,
                asr_info: dict | None) -> dict[str, Any]:
    """The report's ``analyzer`` block: what produced it, for an inspector to audit."""
    from analyzer._version import __version__

    block: dict[str, Any] = {
        "version": __version__,
        "lexicon_version": lexicon.version,
        "lexicon_sources": list(lexicon.sources),
        "scoring_template": {"source": template.source, "version": template.version,
                             "sha256": template.sha256, "text": template.text},
        "model": (asr_info or {}).get("model"),
        "options": json.loads(_options_json(options)),
    }
    if options.classifier.enabled:
        from analyzer.rules.learned import model_info

        block["classifier"] = model_info(options.classifier)
    if asr_info:
        block["asr"] = asr_info
    return block


def preflight(options: AnalyzerOptions) -> Any:
    """Load what every interaction needs (lexicon, template, classifier models) once.

    Lets a command fail at once, naming the broken file, instead of failing
    every input the same way.

    Returns:
        The lexicon.

    Raises:
        AnalyzerError: LexiconError for a bad lexicon or template, ModelError
            for missing classifier models.
    """
    lexicon = get_lexicon(options)
    get_template(options, lexicon)
    if options.classifier.enabled:
        from analyzer.rules.learned import model_info

        model_info(options.classifier)
    return lexicon


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Interaction | Path | AnalyzerError]:
    """Expand paths into interactions, recordings and errors, in order.

    Folders are walked recursively (sorted; hidden files skipped) for
    ``.json``, ``.jsonl`` and recordings; in a folder, ``<stem>.json`` next to
    a recording ``<stem>.wav`` is that recording's sidecar metadata (read by
    the audio path), not a transcript. Transcripts are parsed here and
    yielded as :class:`Interaction` (or :class:`TranscriptError`, never
    raised); recordings are yielded as their :class:`Path` for the audio path.
    """
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files = _folder_inputs(path)
            if not files:
                yield AnalyzerError("folder holds no transcripts (.json, .jsonl) or recordings",
                                    source=str(path))
            for f in files:
                yield from _one_input(f)
        elif not path.exists():
            yield AnalyzerError("no such file or folder", source=str(path))
        else:
            yield from _one_input(path)


def _folder_inputs(folder: Path) -> list[Path]:
    files = sorted(f for f in folder.rglob("*") if f.is_file()
                   and not any(part.startswith(".") for part in f.relative_to(folder).parts)
                   and f.suffix.lower() in TRANSCRIPT_SUFFIXES + AUDIO_SUFFIXES)
    recordings = {f.with_suffix("") for f in files if f.suffix.lower() in AUDIO_SUFFIXES}
    return [f for f in files
            if not (f.suffix.lower() == ".json" and f.with_suffix("") in recordings)]


def _one_input(path: Path) -> Iterator[Interaction | Path | AnalyzerError]:
    suffix = path.suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        yield path
    elif suffix in TRANSCRIPT_SUFFIXES:
        yield from load_transcripts(path)
    else:
        yield AnalyzerError(_unsupported(path), source=str(path))


def _unsupported(path: Path) -> str:
    return (f"unsupported input {path.suffix or '(no suffix)'!r}; expected a transcript "
            f"(.json, .jsonl) or a recording ({', '.join(AUDIO_SUFFIXES)})")


def analyze_inputs(paths: Iterable[str | Path], options: AnalyzerOptions | None = None, *,
                   lexicon: Lexicon | None = None) -> Iterator[InteractionReport | AnalyzerError]:
    """Analyze every input under ``paths``, yielding a report or an error for each.

    A bad input (malformed transcript, undecodable audio) is yielded as its
    :class:`AnalyzerError` and the run goes on.
    """
    options = options or AnalyzerOptions()
    lexicon = lexicon if lexicon is not None else get_lexicon(options)
    for item in iter_inputs(paths):
        if isinstance(item, AnalyzerError):
            yield item
            continue
        try:
            if isinstance(item, Path):
                yield analyze_recording_path(item, options, lexicon=lexicon)
            else:
                yield analyze_interaction(item, options, lexicon=lexicon)
        except AnalyzerError as exc:
            if exc.source is None:
                exc.source = str(item) if isinstance(item, Path) else item.source
            yield exc
