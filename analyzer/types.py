"""The data shapes that flow through the analyzer: the product's contract.

Every stage of the pipeline (decode -> rings -> VAD/ASR -> normalize -> match
-> acoustics -> score -> sink) reads and writes these dataclasses. Their
``to_dict`` forms are the JSON report contract documented in README.md, and
the SQLite store, the web app and the batch all read the same fields.

Times are seconds from the start of the interaction (the recording, or the
first utterance of a transcript).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from statistics import fmean
from typing import Any, Literal

Speaker = Literal["staff", "citizen", "unknown"]
Channel = Literal["counter", "phone"]

SPEAKERS: tuple[str, ...] = ("staff", "citizen", "unknown")
#: Punctuation a stretch cut out of an utterance (:meth:`Utterance.part`) does not start with.
_LEADING_PUNCT = "?？!！,，.。、;；:： "
CHANNELS: tuple[str, ...] = ("counter", "phone")
#: The metadata fields of an interaction: a transcript's top-level keys beside its
#: utterances, a recording's sidecar, a manifest row, a live line's header.
META_KEYS: tuple[str, ...] = (
    "id", "channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds",
)

#: Kinds of finding. ``forbidden``: a forbidden phrase was said; ``missing``:
#: an owed phrase was not said; ``ring``: answered after too many rings;
#: ``hangup``: forced hang-up; ``acoustic``: shouting, speech rate, ignoring;
#: ``uncivil``: the learned classifier's Article 6 finding; ``unanswered``: a citizen
#: question left without an answer (Article 5); ``interruption`` and ``quarrel``
#: (Article 17); ``piecemeal``: materials told piecemeal, ``earlier_visit``: a
#: citizen's report that an earlier visit did not tell them (Article 18);
#: ``hours``: sending a citizen away within service hours (Article 25).
FINDING_KINDS: tuple[str, ...] = (
    "forbidden",
    "missing",
    "ring",
    "hangup",
    "acoustic",
    "uncivil",
    "unanswered",
    "interruption",
    "quarrel",
    "piecemeal",
    "earlier_visit",
    "hours",
    "runaround",
    "judge",
)


@dataclass(frozen=True)
class Word:
    """One recognised word (or character group) with its time span."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Heard:
    """A lexicon phrase the acoustic verifier tried in a staff piece: heard, or rejected.

    Produced by :mod:`analyzer.speech.verify` from the recognizer's encoder
    output. An *accepted* item (``accepted``) becomes a hit with
    ``method="acoustic"`` when the text did not already show the phrase; a
    rejected one stays in the report with its scores and ``reason``, so an
    inspector can see what was considered and why it was not found.

    Attributes:
        rule: The lexicon rule id.
        phrase: The wording that was scored (simplified script).
        start: Start (s) of the hypothesis stretch it replaces.
        end: End (s) of that stretch.
        evidence: The recognised text of the stretch (what the 1-best said).
        margin: Log-probability per phrase character of the hypothesis with
            the phrase in place, minus the free hypothesis' (0: as likely).
        confidence: 0-1: the phrase detector's probability that the phrase
            was said there (:mod:`analyzer.speech.detector`).
        phrase_score: Summed log-probability of the text with the phrase.
        hypothesis_score: The same for the free hypothesis.
        competitor: The best other candidate of the same piece ("": none).
        competitor_margin: Its margin (None: none).
        source: How it became a candidate: ``pinyin``, ``nbest`` or ``owed``.
        similarity: Pinyin alignment similarity of the stretch to the phrase (0-1).
        text_similarity: 1 minus the character edit distance over the phrase's length.
        word_confidence: Mean recognizer probability of the stretch's words.
        accepted: The detector accepted it (False: tried and rejected).
        reason: Why it was rejected (:data:`REJECT_REASONS`; "" when accepted).
    """

    rule: str
    phrase: str
    start: float
    end: float
    evidence: str
    margin: float
    confidence: float
    phrase_score: float
    hypothesis_score: float
    competitor: str = ""
    competitor_margin: float | None = None
    source: str = "pinyin"
    similarity: float = 0.0
    text_similarity: float = 0.0
    word_confidence: float = 1.0
    accepted: bool = True
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (an utterance's ``heard`` item)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Heard:
        """Rebuild from :meth:`to_dict`."""
        return cls(**{k: d[k] for k in HEARD_KEYS if k in d})


#: Why the verifier rejected a candidate (``Heard.reason``): the phrase scored far
#: below what Whisper wrote (``margin``), an overlapping phrase of another rule
#: was more probable (``rival``), or the detector's probability was under
#: ``verify.accept_probability`` (``probability``).
REJECT_REASONS: tuple[str, ...] = ("margin", "rival", "probability")
#: The keys of :meth:`Heard.to_dict`, and those a ``heard`` item must have.
HEARD_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Heard))
HEARD_REQUIRED: tuple[str, ...] = tuple(f.name for f in fields(Heard) if f.default is MISSING)


@dataclass
class Utterance:
    """One turn of one speaker.

    Attributes:
        speaker: ``staff``, ``citizen`` or ``unknown``.
        start: Start time in seconds.
        end: End time in seconds.
        text: The text as written or as recognised (may be traditional,
            unpunctuated, garbled).
        words: Word-level timestamps when the text came from speech
            recognition; empty for typed transcripts.
        confidence: Recognition confidence in [0, 1]; 1.0 for typed text.
        speaker_known: False when the speaker was assumed (a mono recording
            whose microphone owner was set by configuration).
        heard: Lexicon phrases the acoustic verifier heard in it.
        level_dbfs: Active speech level on its own channel (dBFS RMS of the
            loudest half of 50 ms frames), when measured from audio.
        speaker_confidence: How sure the attribution of ``speaker`` is, 0-1
            (1.0: the party's own channel or a typed transcript; lower where
            speaker turns were told apart on a mono recording, or a stretch
            was given to the other party as crosstalk).
    """

    speaker: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    confidence: float = 1.0
    speaker_known: bool = True
    heard: tuple[Heard, ...] = ()
    level_dbfs: float | None = None
    speaker_confidence: float = 1.0

    def part(self, words: Sequence[Word]) -> Utterance:
        """The stretch of this utterance made of ``words`` (consecutive words of its own).

        Its text is those words' (without leading punctuation), its times and
        recognition confidence theirs, and it keeps the heard phrases it overlaps.
        """
        if len(words) == len(self.words):
            return self
        heard = tuple(h for h in self.heard if h.start < words[-1].end and h.end > words[0].start)
        text = "".join(w.text for w in words).strip().lstrip(_LEADING_PUNCT)
        return replace(self, start=words[0].start, end=words[-1].end, text=text,
                       words=tuple(words), confidence=fmean(w.probability for w in words),
                       heard=heard)

    def attribution_weight(self, assumed: float) -> float:
        """The factor on a finding about this utterance's speaker: how sure it is theirs.

        ``speaker_confidence`` where the speaker was attributed (mono turns,
        crosstalk); ``assumed`` where it was assumed by configuration (a mono
        microphone charged to one party); 1.0 on the party's own channel.
        """
        if self.speaker_confidence < 1.0:
            return self.speaker_confidence
        return 1.0 if self.speaker_known else assumed

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used in reports and the store."""
        d = {
            "speaker": self.speaker,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "confidence": round(self.confidence, 4),
        }
        if not self.speaker_known:
            d["speaker_known"] = False
        if self.speaker_confidence < 1.0:
            d["speaker_confidence"] = round(self.speaker_confidence, 4)
        if self.words:
            d["words"] = [
                [w.text, round(w.start, 3), round(w.end, 3), round(w.probability, 3)]
                for w in self.words
            ]
        if self.heard:
            d["heard"] = [h.to_dict() for h in self.heard]
        if self.level_dbfs is not None:
            d["level_dbfs"] = round(self.level_dbfs, 2)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Utterance:
        """Rebuild an utterance from its :meth:`to_dict` form."""
        return cls(
            speaker=d["speaker"],
            start=d["start"],
            end=d["end"],
            text=d["text"],
            words=tuple(Word(*w) for w in d.get("words", ())),
            confidence=d.get("confidence", 1.0),
            speaker_known=d.get("speaker_known", True),
            heard=tuple(Heard.from_dict(h) for h in d.get("heard", ())),
            level_dbfs=d.get("level_dbfs"),
            speaker_confidence=d.get("speaker_confidence", 1.0),
        )


def attribution_detail(utterances: Sequence[Utterance]) -> dict[str, Any]:
    """Why a finding weighs less: its speaker was attributed, not heard on their own channel.

    The ``detail`` entries every finding on attributed speech carries (context
    rules and the learned classifier); empty when every utterance is sure
    (``speaker_confidence`` 1.0).
    """
    unsure = [u for u in utterances if u.speaker_confidence < 1.0]
    if not unsure:
        return {}
    sure = min(u.speaker_confidence for u in unsure)
    return {"speaker_confidence": round(sure, 4),
            "attribution": f"the speaker was attributed with confidence {sure:.2f} "
                           "(speaker turns told apart on one microphone, or crosstalk); "
                           "the finding weighs that much"}


@dataclass
class Interaction:
    """One counter visit or phone call: the analyzer's input.

    Attributes:
        id: Stable identifier (file stem or the transcript's ``id``).
        channel: ``counter`` or ``phone``.
        utterances: The turns, in time order.
        hall: Service hall name.
        window: Window (counter) number or name.
        staff: Staff member identifier, when the source knows it.
        started_at: ISO-8601 start time, as given.
        started_at_source: Where ``started_at`` came from: ``given`` (the
            transcript, sidecar or manifest), ``metadata`` (the recording's
            creation time tag), ``file_time`` (the recording file's
            modification time), or "" (no start time: the store dates it by
            the analysis).
        rings: Rings before answer from the call record (phone only).
        ring_seconds: Seconds of ringing from the call record (phone only).
        source: Where it came from (a path), for error messages and audit.
        duration: Length of the interaction in seconds, when known.
        meta: Anything else the source carried (kept, not interpreted).
    """

    id: str
    channel: str
    utterances: list[Utterance]
    hall: str = ""
    window: str = ""
    staff: str = ""
    started_at: str = ""
    started_at_source: str = ""
    rings: int | None = None
    ring_seconds: float | None = None
    source: str = ""
    duration: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def end_time(self) -> float:
        """The end of the interaction: its duration, or the last utterance end."""
        if self.duration is not None:
            return self.duration
        return max((u.end for u in self.utterances), default=0.0)


#: Why a finding is held for an inspector's review before it deducts (``Finding.review``):
#: ``speaker``: the words were attributed to their speaker below
#: ``attribution.review_below`` (one microphone, two people); ``detector``: the
#: phrase detector's probability that it was said is under
#: ``verify.review_probability`` (a phrase heard from audio the text did not show);
#: ``judge``: a finding only the turn-level judge made, under ``judge.review_probability``.
REVIEW_REASONS: tuple[str, ...] = ("speaker", "detector", "judge")
#: Why the learned judge may not drop a finding (``Finding.veto_exempt``), set by the rule that
#: files it: ``reply``: a missing calming decided by the clerk's cold reply
#: (:func:`analyzer.rules.context.cold_reply`), a turn the judge's units do not rate;
#: ``timing``: a forced hang-up, decided by when the call ended, not by the words of a turn;
#: ``heard``: a forbidden phrase the acoustic verifier accepted where the recognizer's text
#: did not show it (``method="acoustic"``), decided by the audio, while the judge reads only
#: that garbled text (it was trained on typed transcripts).
VETO_EXEMPT_REASONS: tuple[str, ...] = ("reply", "timing", "heard")


@dataclass
class Finding:
    """One breach of the code of conduct, with its evidence.

    Attributes:
        rule: Stable rule id from the lexicon (e.g. ``A9-F-01``).
        article: Article number of the seed (6..10 for Chapter 3).
        kind: One of :data:`FINDING_KINDS`.
        canonical: The seed's wording of the phrase, or the rule's title.
        speaker: Whose speech it concerns (``staff`` for staff rules).
        start: Start of the evidence in seconds, or None for a whole-call
            finding with no span (e.g. a missing greeting in an empty call).
        end: End of the evidence in seconds, or None.
        evidence: The text (or measurement) that triggered it.
        confidence: Confidence in [0, 1]; exact lexicon hits score higher
            than fuzzy ones.
        points: Points deducted from the score of 100.
        detail: Measured values and thresholds (e.g. ``{"rings": 5,
            "max_rings": 3}``), matching method, and so on.
        review: Why the finding awaits an inspector before it deducts, one of
            :data:`REVIEW_REASONS` (``speaker``: the speaker of its words is
            uncertain); empty: it deducts as scored. A held finding is
            reported and shown but deducts no points until confirmed
            (:func:`analyzer.rules.score.score`).
        veto_exempt: Why the learned judge may not veto it, one of
            :data:`VETO_EXEMPT_REASONS`, set by the rule that files it (read only by
            :func:`analyzer.rules.judge.vetoable`); empty: the judge's vetoes apply.
    """

    rule: str
    article: int
    kind: str
    canonical: str
    speaker: str
    start: float | None
    end: float | None
    evidence: str
    confidence: float
    points: int = 0
    detail: dict[str, Any] = field(default_factory=dict)
    review: str = ""
    veto_exempt: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of the report contract (``review`` only when held,
        ``veto_exempt`` only when set)."""
        d = asdict(self)
        for key in ("review", "veto_exempt"):
            if not d[key]:
                del d[key]
        d["confidence"] = round(self.confidence, 4)
        for key in ("start", "end"):
            if d[key] is not None:
                d[key] = round(d[key], 3)
        return d


#: Kinds of citizen-side (or situation) cue that make a reply owed (Article 10).
#: ``not_ours``: staff said a matter is not theirs (Article 16: a pointer is owed);
#: ``materials_listed`` / ``materials_added``: staff listed materials, or added one
#: later (Article 18); ``earlier_visit``: the citizen says an earlier visit left
#: them uninformed (Article 18). The last three owe no reply.
#: The kinds the learned cue classifier knows (analyzer.rules.learned).
LEARNED_CUE_KINDS: tuple[str, ...] = ("praise", "suggestion", "upset", "incomplete_materials")
CUE_KINDS: tuple[str, ...] = (*LEARNED_CUE_KINDS, "not_ours", "materials_listed",
                              "materials_added", "earlier_visit", "materials_deferred",
                              "deferral", "requeue")


@dataclass(frozen=True)
class Cue:
    """A situation that makes a staff reply owed (Article 10).

    Attributes:
        kind: One of :data:`CUE_KINDS`.
        utterance: Index of the utterance in the interaction.
        start: Start time of the cue in seconds.
        end: End time of the cue in seconds.
        evidence: The text that showed it.
        confidence: Confidence in [0, 1].
        source: ``lexicon`` or ``classifier``.
        owes: Whether it makes a reply owed: a lexicon cue always; a
            classifier cue only at the probability whose out-of-fold
            precision reached 0.95 (``owe_threshold`` in the models'
            metadata); weaker ones are shown and owe nothing.
    """

    kind: str
    utterance: int
    start: float
    end: float
    evidence: str
    confidence: float
    source: str = "lexicon"
    owes: bool = True


@dataclass
class RingResult:
    """Rings before a phone call was answered (Article 7).

    Attributes:
        rings: Number of rings heard / recorded before the answer, or None.
        source: ``record`` (the phone system's call record) or ``audio``
            (ringback tone detected in the recording).
        answer_time: Seconds from the first ring to the answer, if known.
        ring_spans: (start, end) of each ring tone detected in the audio.
        confidence: Confidence in [0, 1] of the count.
    """

    rings: int | None
    source: str
    answer_time: float | None = None
    ring_spans: list[tuple[float, float]] = field(default_factory=list)
    confidence: float = 1.0


#: A JSON object as produced or stored (options, the recognizer's account of a recording).
JsonObject = dict[str, Any]


@dataclass(frozen=True)
class TemplateRecord:
    """The scoring template a report was scored with, kept whole so it can be scored again.

    Attributes:
        source: Where it was read from.
        version: Its ``[template] version``.
        sha256: Of its text.
        text: The template itself.
    """

    source: str
    version: str = ""
    sha256: str = ""
    text: str = ""

    @classmethod
    def from_dict(cls, d: JsonObject) -> TemplateRecord:
        """Read the JSON form (older reports may lack all but ``source``)."""
        return cls(str(d.get("source") or ""), str(d.get("version") or ""),
                   str(d.get("sha256") or ""), str(d.get("text") or ""))


@dataclass
class AuditBlock:
    """A report's ``analyzer`` block: what produced it, for an inspector to audit.

    Attributes:
        version: The analyzer's version.
        commit: The git commit of the analyzer's code, when it ran from a git
            checkout ("" otherwise: :func:`analyzer._version.code_revision`).
        dirty: That checkout's tracked files differed from ``commit``.
        lexicon_version: The lexicon (and hall overrides) it matched with.
        lexicon_sources: The lexicon files, in layering order.
        scoring_template: The scoring template, whole (None in reports from
            before it was kept).
        model: The speech model (None for a typed transcript).
        options: Every option applied (``AnalyzerOptions.to_dict()``).
        classifier: The learned classifiers' identity, when they ran.
        asr: The recognizer's account of a recording (attribution, pieces...).
        stream: The live options, for a report made by the stream.
        more: Keys this version does not know (kept, so nothing is lost when
            a newer report is read and written back).
    """

    version: str = ""
    commit: str = ""
    dirty: bool = False
    lexicon_version: str = ""
    lexicon_sources: list[str] = field(default_factory=list)
    scoring_template: TemplateRecord | None = None
    model: str | None = None
    options: JsonObject = field(default_factory=dict)
    classifier: JsonObject | None = None
    asr: JsonObject | None = None
    stream: JsonObject | None = None
    more: JsonObject = field(default_factory=dict)

    def to_dict(self) -> JsonObject:
        """The JSON form (the report contract's ``analyzer`` object)."""
        out: JsonObject = {"version": self.version, "lexicon_version": self.lexicon_version,
                           "lexicon_sources": list(self.lexicon_sources)}
        if self.commit:
            out["commit"], out["dirty"] = self.commit, self.dirty
        if self.scoring_template is not None:
            out["scoring_template"] = asdict(self.scoring_template)
        out["model"] = self.model
        out["options"] = self.options
        for key in ("classifier", "asr", "stream"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return {**out, **self.more}

    @classmethod
    def from_dict(cls, d: JsonObject) -> AuditBlock:
        """Read the JSON form."""
        known = {f.name for f in fields(cls)} - {"more"}
        template = d.get("scoring_template")
        return cls(
            version=str(d.get("version") or ""),
            commit=str(d.get("commit") or ""), dirty=bool(d.get("dirty")),
            lexicon_version=str(d.get("lexicon_version") or ""),
            lexicon_sources=[str(s) for s in d.get("lexicon_sources") or []],
            scoring_template=(TemplateRecord.from_dict(template)
                              if isinstance(template, dict) else None),
            model=None if d.get("model") is None else str(d["model"]),
            options=dict(d.get("options") or {}),
            classifier=d.get("classifier"), asr=d.get("asr"), stream=d.get("stream"),
            more={k: v for k, v in d.items() if k not in known})


@dataclass
class InteractionReport:
    """The analyzer's verdict on one interaction.

    Attributes:
        id: The interaction's id.
        channel: ``counter`` or ``phone``.
        score: 0..100 after deductions and vetoes.
        grade: Grade band name from the scoring template.
        findings: Every finding, in time order.
        rings: Rings before answer, or None when unknown / not a call.
        ring_source: ``record`` (call metadata), ``audio`` (ringback
            detection) or None.
        answer_time: Seconds from the first ring to the answer, when known.
        utterances: The transcript the findings refer to.
        hall, window, staff, started_at, source, duration: From the input.
        started_at_source: Where the start time came from (see :class:`Interaction`).
        analyzer: The audit block (:class:`AuditBlock`): analyzer version,
            lexicon version, scoring template, model, and every option used.
            A dict given here is read as its JSON form.
        meta: The input's ``meta`` object (the hall's own fields), as given.
    """

    id: str
    channel: str
    score: int
    grade: str
    findings: list[Finding]
    rings: int | None = None
    ring_source: str | None = None
    answer_time: float | None = None
    utterances: list[Utterance] = field(default_factory=list)
    hall: str = ""
    window: str = ""
    staff: str = ""
    started_at: str = ""
    started_at_source: str = ""
    source: str = ""
    duration: float | None = None
    analyzer: AuditBlock = field(default_factory=AuditBlock)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.analyzer, dict):  # the JSON form, as older producers give it
            self.analyzer = AuditBlock.from_dict(self.analyzer)

    @property
    def flagged(self) -> bool:
        """True when there is at least one finding."""
        return bool(self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON report contract (see README, "Report contract")."""
        return {
            "id": self.id,
            "channel": self.channel,
            "hall": self.hall,
            "window": self.window,
            "staff": self.staff,
            "started_at": self.started_at,
            "started_at_source": self.started_at_source,
            "source": self.source,
            "duration": None if self.duration is None else round(self.duration, 3),
            "score": self.score,
            "grade": self.grade,
            "rings": self.rings,
            "ring_source": self.ring_source,
            "answer_time": None if self.answer_time is None else round(self.answer_time, 3),
            "findings": [f.to_dict() for f in self.findings],
            "transcript": [u.to_dict() for u in self.utterances],
            "analyzer": self.analyzer.to_dict(),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> InteractionReport:
        """Rebuild a report from its :meth:`to_dict` form (store, web app)."""
        findings = [Finding(**f) for f in d.get("findings", [])]
        utterances = [Utterance.from_dict(u) for u in d.get("transcript", [])]
        return cls(
            id=d["id"],
            channel=d["channel"],
            score=d["score"],
            grade=d["grade"],
            findings=findings,
            rings=d.get("rings"),
            ring_source=d.get("ring_source"),
            answer_time=d.get("answer_time"),
            utterances=utterances,
            hall=d.get("hall", ""),
            window=d.get("window", ""),
            staff=d.get("staff", ""),
            started_at=d.get("started_at", ""),
            started_at_source=d.get("started_at_source", ""),
            source=d.get("source", ""),
            duration=d.get("duration"),
            analyzer=AuditBlock.from_dict(d.get("analyzer") or {}),
            meta=d.get("meta") or {},
        )
