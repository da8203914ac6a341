"""Scoring one interaction: its utterances in, one scored report out.

Stages, each a module with one job::

    normalize -> match (lexicon hits) -> context (cues, forbidden and
    missing phrases) -> measures (rings, speech rate, ignoring, hang-up,
    learned classifier) -> duties -> score -> report (with its audit block)

:func:`analyze_interaction` is what every input comes to: a typed
transcript, or a recording's recognised interaction
(:mod:`analyzer.pipeline.core`). Heavy resources (the lexicon automaton, the
scoring template) are loaded once per process and shared.
"""

from __future__ import annotations

import functools
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from analyzer.i18n import gettext as _
from analyzer.options import AnalyzerOptions
from analyzer.rules.context import context_findings, detect_cues
from analyzer.rules.score import ScoringTemplate, check_template, load_template, score
from analyzer.types import (
    AuditBlock,
    Finding,
    Heard,
    Interaction,
    InteractionReport,
    RingResult,
    TemplateRecord,
    Utterance,
)

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


def get_lexicon(options: AnalyzerOptions) -> Lexicon:
    """The lexicon for ``options.lexicon`` (shipped + a hall's files), loaded once."""
    from analyzer.text.lexicon import load_lexicon

    return load_lexicon(tuple(options.lexicon))


def get_template(options: AnalyzerOptions, lexicon: Lexicon) -> ScoringTemplate:
    """The scoring template for ``options.score.template``, checked against the lexicon.

    A template is checked against a lexicon once: the lexicon keeps the
    content hashes of the templates checked against it in its cache (as it
    keeps its compiled matcher), so they go when the lexicon goes.
    """
    template = load_template(options.score.template or None)
    checked: set[str] = lexicon.cache.setdefault(_CHECKED_KEY, set())
    if template.sha256 not in checked:
        ids = {r.id for r in lexicon.rules} | {r.group for r in lexicon.rules if r.group}
        ids |= set(lexicon.disabled)  # a rule a hall disabled just never fires
        check_template(template, ids)
        checked.add(template.sha256)
    return template


#: The key of a lexicon's cache entry: the templates checked against it.
_CHECKED_KEY = "checked_templates"


def analyze_interaction(
    interaction: Interaction,
    options: AnalyzerOptions | None = None,
    *,
    lexicon: Lexicon | None = None,
    extra_findings: Sequence[Finding] = (),
    ring: RingResult | None = None,
    asr_info: Mapping[str, Any] | None = None,
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
        if options.judge.enabled:  # the learned judge's say on the rules' findings
            from analyzer.rules.judge import judge_findings

            findings = judge_findings(interaction.utterances, interaction.channel, findings,
                                      options, lexicon, interaction.started_at)
        findings = hold_uncertain(findings, interaction.utterances,
                                  options.attribution.review_below,
                                  detector_bar=options.verify.review_probability)
        findings = hold_maybe_said(findings, interaction.utterances,
                                   options.verify.missing_review_probability)
    with clock.stage("score"):
        value, grade, findings = score(findings, template)
    with clock.stage("report"):
        return InteractionReport(
            id=interaction.id, channel=interaction.channel, score=value, grade=grade,
            findings=findings, rings=ring.rings if ring else None,
            ring_source=ring.source if ring else None,
            answer_time=ring.answer_time if ring else None, utterances=interaction.utterances,
            hall=interaction.hall, window=interaction.window, staff=interaction.staff,
            started_at=interaction.started_at,
            started_at_source=interaction.started_at_source
            or ("given" if interaction.started_at else ""),
            source=interaction.source,
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

        out += hangup_findings(interaction, hits, lexicon, options.acoustics, options)
    if options.classifier.enabled:
        out += _uncivil(interaction, hits, lexicon, options)
    return out


def _uncivil(interaction: Interaction, hits: Sequence[Hit], lexicon: Lexicon,
             options: AnalyzerOptions) -> list[Finding]:
    from analyzer.rules.civility import drop_cold_situations
    from analyzer.rules.learned import uncivil_findings

    skip = {i for h in hits if h.rule.kind == "forbidden" for i in h.utterances}
    return drop_cold_situations(uncivil_findings(interaction.utterances, lexicon, options.classifier,
                                                 skip=frozenset(skip)), hits)


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
    how = _("call record") if ring.source == "record" else _("ringback tone in the audio")
    return [Finding(
        rule=rule.id, article=rule.article, kind="ring", canonical=rule.canonical or rule.shown_title(),
        speaker="staff", start=0.0 if end is not None else None, end=end,
        evidence=_("answered after %(rings)s rings (limit %(limit)s; from the %(how)s)",
                   rings=ring.rings, limit=options.rings.max_rings, how=how),
        confidence=ring.confidence, points=rule.points,
        detail={"rings": ring.rings, "max_rings": options.rings.max_rings,
                "ring_source": ring.source, "answer_time": ring.answer_time,
                "group": rule.group},
    )]


#: Finding kinds that say nothing about whose words they are (measured from the call record).
_NOT_ABOUT_WORDS = frozenset({"ring"})


def speaker_sureness(finding: Finding, utterances: Sequence[Utterance]) -> float:
    """How sure the speaker of the words a finding rests on is (1.0: sure, or no words).

    The utterances overlapping the finding's span: for a phrase or act of a
    party (forbidden, uncivil, ...), that party's utterances there; for a
    missing phrase, the *other* party's there (the owed words may have been
    said and given to the wrong party). Their lowest ``speaker_confidence``:
    1.0 on a party's own channel and in typed transcripts, lower where turns
    were told apart on one microphone or crosstalk was re-attributed.
    """
    if finding.kind in _NOT_ABOUT_WORDS or finding.start is None or finding.end is None:
        return 1.0
    start, end = finding.start, max(finding.end, finding.start + 1e-3)
    near = [u for u in utterances if u.start < end and u.end > start]
    if finding.kind == "missing":
        mine = [u for u in near if u.speaker != finding.speaker]
    else:
        mine = [u for u in near if u.speaker == finding.speaker] or near
    return min((u.speaker_confidence for u in mine), default=1.0)


def hold_uncertain(findings: Sequence[Finding], utterances: Sequence[Utterance], bar: float,
                   *, detector_bar: float = 0.0) -> list[Finding]:
    """Abstain when unsure: the one rule every entry point's scoring applies.

    A finding whose words' speaker is surer than ``bar`` (``attribution.review_below``)
    stands; one below it is held for review (``review="speaker"``, with its
    ``speaker_confidence`` and the bar in ``detail``). A phrase heard from the
    audio only (``method="acoustic"``) whose detector probability is under
    ``detector_bar`` (``verify.review_probability``) is held the same way
    (``review="detector"``, with ``probability`` and the bar in ``detail``), and so
    is a forbidden phrase the text matched only loosely (``pinyin``/``fuzzy``)
    where the verifier rated the same rule lower (:func:`detection_probability`).
    A held finding is reported and shown, and deducts nothing until an
    inspector confirms it (:func:`analyzer.rules.score.score`,
    :func:`analyzer.rules.score.release`).
    """
    out = []
    for f in findings:
        if f.review:
            out.append(f)
            continue
        sure = speaker_sureness(f, utterances)
        if sure < bar:
            out.append(replace(f, review="speaker", detail={
                **f.detail, "speaker_confidence": round(sure, 4), "review_bar": bar}))
            continue
        p = detection_probability(f, utterances)
        if p is not None and p < detector_bar:
            out.append(replace(f, review="detector", detail={
                **f.detail, "probability": p, "review_bar": detector_bar}))
            continue
        out.append(f)
    return out


def hold_maybe_said(findings: Sequence[Finding], utterances: Sequence[Utterance],
                    bar: float) -> list[Finding]:
    """Hold a "missing" finding for review when its owed phrase may have been said.

    The acoustic verifier tries the owed phrases in a window's staff pieces
    (:mod:`analyzer.speech.verify`); one it rated but did not accept, with a
    detector probability of at least ``bar`` (``verify.missing_review_probability``),
    may have been said all the same: the phrase detector is calibrated, so a
    "missing" claim is then wrong at least that often. Such a finding is held
    (``review="detector"``, with the probability, the phrase tried and the bar
    in ``detail``) and deducts nothing until an inspector confirms it.
    Candidates under ``verify.min_margin`` (reason ``margin``) were not rated.

    Args:
        findings: The interaction's findings.
        utterances: Its utterances, with what the verifier tried (``heard``).
        bar: The probability from which a finding is held (1.0: never).

    Returns:
        The findings, the doubtful "missing" ones held for review.
    """
    out = []
    for f in findings:
        tried = None if f.kind != "missing" or f.review else maybe_said(f, utterances)
        if tried is not None and tried.confidence >= bar:
            f = replace(f, review="detector", detail={
                **f.detail, "probability": tried.confidence, "heard": tried.phrase,
                "heard_at": tried.start, "review_bar": bar})
        out.append(f)
    return out


def maybe_said(finding: Finding, utterances: Sequence[Utterance]) -> Heard | None:
    """The most probable rated (not accepted) wording of a missing finding's group tried in
    a staff piece of its window (None: none was rated)."""
    rules = set(finding.detail.get("alternatives") or (finding.rule,))
    lo = -float("inf") if finding.start is None else finding.start
    hi = float("inf") if finding.end is None else finding.end
    best: Heard | None = None
    for u in utterances:
        if u.speaker != "staff" or u.end < lo or u.start > hi:
            continue
        for h in u.heard:
            if (h.rule in rules and not h.accepted and h.reason != "margin"
                    and (best is None or h.confidence > best.confidence)):
                best = h
    return best


#: Text matches that are not the phrase as written (sound-alike or fuzzy alignment).
LOOSE_METHODS: tuple[str, ...] = ("pinyin", "fuzzy")
#: Seconds a verifier's stretch may lie outside a loose text match's span.
LOOSE_SLACK = 0.5


def detection_probability(finding: Finding, utterances: Sequence[Utterance] = ()
                          ) -> float | None:
    """The phrase detector's probability behind a finding (None: the detector did not rate it).

    A phrase heard from the audio only (``method="acoustic"``) carries it. A
    forbidden phrase the text matched only loosely (:data:`LOOSE_METHODS`) takes
    that of the verifier's stretch of the same rule over it in a staff piece (the
    best one; accepted or not, unless under ``verify.min_margin``, which the
    detector never rated), so a garbled text match passes the same detector as
    a phrase heard from the audio. Typed transcripts have no such stretch.
    """
    method = finding.detail.get("method")
    if method == "acoustic":
        acoustic = finding.detail.get("acoustic")
        if not isinstance(acoustic, dict) or acoustic.get("probability") is None:
            return None
        return float(acoustic["probability"])
    if method not in LOOSE_METHODS or finding.kind != "forbidden" or finding.start is None:
        return None
    lo, hi = finding.start - LOOSE_SLACK, (finding.end or finding.start) + LOOSE_SLACK
    rated = [h.confidence for u in utterances if u.speaker == "staff" for h in u.heard
             if h.rule == finding.rule and h.reason != "margin" and lo <= h.start and h.end <= hi]
    return max(rated) if rated else None


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, float | None, float | None]] = set()
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
                asr_info: Mapping[str, Any] | None) -> AuditBlock:
    """The report's ``analyzer`` block: what produced it, for an inspector to audit."""
    from analyzer._version import code_revision

    code = code_revision()
    classifier = None
    if options.classifier.enabled:
        from analyzer.rules.learned import model_info

        classifier = model_info(options.classifier)
    return AuditBlock(
        version=code.version, commit=code.commit, dirty=code.dirty,
        lexicon_version=lexicon.version,
        lexicon_sources=list(lexicon.sources),
        scoring_template=TemplateRecord(template.source, template.version, template.sha256,
                                        template.text),
        model=(asr_info or {}).get("model"), options=json.loads(_options_json(options)),
        classifier=classifier, asr=dict(asr_info) if asr_info else None)


def preflight(options: AnalyzerOptions) -> Lexicon:
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
