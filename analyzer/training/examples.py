"""Good and bad practice examples for trainers, and training packs.

An *example* is a stretch of a stored interaction that shows one rule:

* **bad** practice: each finding of a breach that was said or heard (a
  forbidden phrase, uncivil language, shouting, a forced hang-up), unless an
  inspector dismissed it as a false alarm;
* **good** practice: a required phrase said well by staff, e.g. a model phone
  greeting (``A7-R-01``) or evaluation request (``A10-R-01``): a lexicon hit
  (:func:`analyzer.text.match.find_phrases`) matched verbatim or by a listed
  variant with confidence of at least ``GOOD_MIN_CONFIDENCE``, in a turn that
  carries no (undismissed) finding.

:func:`export_pack` writes a zip: a short WAV clip cut around each example
(when the recording is available inside the recordings root), the masked
transcript of the clip, and ``manifest.json``/``manifest.csv`` with the rule,
article, seed wording and times. Personal data is masked in every text and
in the audio (:mod:`analyzer.training.privacy`).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from analyzer.errors import AnalyzerError
from analyzer.store.filters import Filter
from analyzer.store.hits import HitRow
from analyzer.tables import write_csv
from analyzer.training import privacy
from analyzer.types import InteractionReport, Utterance

#: A span of audio to mask: start, end (seconds) and the kind of personal data.
Span = tuple[float, float, str]

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon


#: Finding kinds that make a bad-practice example (they have a time span).
BAD_KINDS: tuple[str, ...] = ("forbidden", "uncivil", "acoustic", "hangup")
#: Lowest match confidence for a good-practice example.
GOOD_MIN_CONFIDENCE = 0.9
#: Matching methods that count as "said well" (not a homophone guess).
GOOD_METHODS: tuple[str, ...] = ("exact", "variant")
PRACTICES: tuple[str, ...] = ("good", "bad")
#: Rule contexts that belong to one channel.
_CHANNEL_OF_CONTEXT: dict[str, str] = {"phone_greeting": "phone", "counter_greeting": "counter"}
#: Seconds of context kept before and after an example in its clip.
DEFAULT_PAD = 1.5
#: Longest clip written, in seconds.
MAX_CLIP = 40.0
CLIP_RATE = 16000


@dataclass(frozen=True)
class Example:
    """One example of good or bad practice.

    Attributes:
        practice: ``good`` or ``bad``.
        rule, article, kind: The rule it shows (kind: the finding kind, or
            ``required`` for good practice).
        canonical: The seed's wording of the phrase (or the rule title).
        interaction_pk: The store's interaction key.
        interaction_id, channel, hall, window, staff, day: Where it happened.
        speaker: Who said it.
        start, end: Time span in the recording, seconds.
        text: The evidence (unmasked; mask before showing to trainers).
        confidence: Finding or match confidence.
        finding_id: The finding's id (bad practice), else None.
        method: How it was matched (``exact``, ``variant``, ``pinyin``...).
    """

    practice: str
    rule: str
    article: int
    kind: str
    canonical: str
    interaction_pk: int
    interaction_id: str
    channel: str
    hall: str
    window: str
    staff: str
    day: str
    speaker: str
    start: float
    end: float
    text: str
    confidence: float
    finding_id: int | None = None
    method: str = ""

    @property
    def clip(self) -> tuple[float, float]:
        """The span of its preview clip and pack clip: the example padded by ``DEFAULT_PAD``."""
        start = max(0.0, self.start - DEFAULT_PAD)
        return round(start, 2), round(min(self.end + DEFAULT_PAD, start + MAX_CLIP), 2)

    @property
    def key(self) -> str:
        """A stable identifier of the example."""
        return f"{self.interaction_pk}-{self.practice}-{self.rule}-{self.start:.2f}"

    def masked(self) -> Example:
        """The example as trainers see it: personal data masked in its text, no staff id."""
        return replace(self, text=privacy.mask_text(self.text),
                       interaction_id=privacy.mask_text(self.interaction_id), staff="")


def search_examples(
    store: Any,
    *,
    practice: str | None = None,
    article: int | None = None,
    rule: str | None = None,
    hall: str | None = None,
    since: str | None = None,
    until: str | None = None,
    lexicon: Lexicon | None = None,
    limit: int = 500,
) -> list[Example]:
    """Find examples in a results store.

    Bad practice comes from the findings (one ordered, limited query); good
    practice from the kept candidates (:mod:`analyzer.store.hits`): the
    interactions not yet matched under this lexicon version are matched
    first and kept (on a read-only store they are matched in memory).

    Args:
        store: An :class:`analyzer.store.Store`.
        practice: ``good``, ``bad`` or None for both.
        article: Only this article (6..10).
        rule: Only this rule id.
        hall: Only this hall.
        since, until: Only interactions on these days (``YYYY-MM-DD``).
        lexicon: The lexicon for good practice (default: the shipped one).
        limit: At most this many examples.

    Returns:
        Examples ordered by article, rule, then as stored (interaction, time):
        the order of the store's indexes, so a page reads only its rows.

    Raises:
        ValueError: Unknown ``practice``.
    """
    if practice not in (None, "", *PRACTICES):
        raise ValueError(f"practice must be good or bad, not {practice!r}")
    base = Filter(hall=hall or "", since=since or "", until=until or "")
    out: list[Example] = []
    if practice in (None, "", "bad"):
        out += [_bad_example(f) for f in store.bad_findings(base, BAD_KINDS, article=article,
                                                             rule=rule, limit=limit)]
    if practice in (None, "", "good"):
        out += _good(store, base, article, rule, lexicon, limit=limit)
    out.sort(key=lambda e: (e.article, e.rule, e.interaction_pk, e.start))
    return out[:limit]


def examples_of(store: Any, pk: int, lexicon: Lexicon | None = None) -> list[Example]:
    """Every example (good and bad) of one stored interaction."""
    from analyzer.text.lexicon import load_lexicon

    row = store.interaction(pk)
    bad = [_bad_example({**f, "channel": row["channel"]}) for f in store.findings(pk)
           if f["kind"] in BAD_KINDS and f["verdict"] != "dismiss" and f["start"] is not None]
    return bad + _good_matched(store, [row], None, None, lexicon or load_lexicon())


def clip_allowed(examples: Sequence[Example], start: float, end: float) -> bool:
    """True when ``[start, end]`` lies inside the clip span of one of ``examples``.

    Trainers hear only what an example shows: never a stretch of a recording
    no example covers (the raw recordings are the inspectors').
    """
    slack = 0.011  # the page writes times with two decimals
    return any(a - slack <= start and end <= b + slack for a, b in (e.clip for e in examples))


def _bad_example(f: dict[str, Any]) -> Example:
    end = f["end"] if f["end"] is not None else f["start"]
    return Example(
        "bad", f["rule"], f["article"], f["kind"], f["canonical"], f["interaction_pk"],
        f["interaction_id"], f.get("channel", ""), f["hall"], f["window"], f["staff"],
        f["day"], f["speaker"], float(f["start"]), float(end), f["evidence"],
        float(f["confidence"]), f["id"], str(f["detail"].get("method", "")),
    )


def candidates(report: InteractionReport, lexicon: Lexicon) -> list[HitRow]:
    """Required phrases the staff said well in one report: good-practice candidates.

    A lexicon hit matched verbatim or by a listed variant, with confidence of
    at least ``GOOD_MIN_CONFIDENCE``, of a rule that belongs to the report's
    channel. Whether a finding taints it is decided when searching.
    """
    from analyzer.options import MatchOptions
    from analyzer.text.match import find_phrases

    out = []
    for hit in find_phrases(report.utterances, lexicon, MatchOptions(), kinds=("required",),
                            speakers=("staff",)):
        r = hit.rule
        if hit.confidence < GOOD_MIN_CONFIDENCE or hit.method not in GOOD_METHODS:
            continue
        if _CHANNEL_OF_CONTEXT.get(r.context, report.channel) != report.channel:
            continue  # a phone greeting said at a counter is not a model phone greeting
        out.append(HitRow(r.article, r.id, r.canonical, hit.speaker, float(hit.start),
                          float(hit.end), hit.evidence, float(hit.confidence), hit.method))
    return out


#: Interactions matched per write transaction when indexing.
INDEX_CHUNK = 500


def index_examples(store: Any, lexicon: Lexicon, pks: Sequence[int] | None = None) -> int:
    """Match the interactions not yet matched under ``lexicon`` and keep their candidates.

    The batch calls it after a run; a search calls it for what is left.
    Returns how many interactions were matched.
    """
    pending = list(store.unindexed(lexicon.version) if pks is None else pks)
    for k in range(0, len(pending), INDEX_CHUNK):
        chunk = pending[k:k + INDEX_CHUNK]
        store.save_example_hits(lexicon.version,
                                [(pk, candidates(store.report(pk), lexicon)) for pk in chunk])
    return len(pending)


def _good(store: Any, base: Filter, article: int | None, rule: str | None,
          lexicon: Lexicon | None, limit: int = 500) -> list[Example]:
    from analyzer.text.lexicon import load_lexicon

    lexicon = lexicon or load_lexicon()
    pending = store.unindexed(lexicon.version, base)
    if pending and not store.readonly:
        index_examples(store, lexicon, pending)
        pending = []
    out = [Example("good", h["rule"], h["article"], "required", h["canonical"],
                   h["interaction_pk"], h["interaction_id"], h["channel"], h["hall"],
                   h["window"], h["staff"], h["day"], h["speaker"], float(h["start"]),
                   float(h["end"]), h["evidence"], float(h["confidence"]), None, h["method"])
           for h in store.good_hits(lexicon.version, base, article=article, rule=rule,
                                    limit=limit)]
    if pending:  # a read-only store: what was never matched is matched here, not kept
        wanted = set(pending)
        rows = [r for r in store.interactions(base) if r["id"] in wanted]
        out += _good_matched(store, rows, article, rule, lexicon)
    return out


def _good_matched(store: Any, rows: list[dict[str, Any]], article: int | None,
                  rule: str | None, lexicon: Lexicon) -> list[Example]:
    """Good examples of ``rows`` matched now (one interaction's clips; read-only stores)."""
    out = []
    for row in rows:
        hits = _required_hits(store, row, lexicon)
        findings = [f for f in store.findings(row["id"]) if f["verdict"] != "dismiss"] \
            if hits else []
        for h in hits:
            if (article and h.article != article) or (rule and h.rule != rule):
                continue
            if _tainted(h, findings):
                continue
            out.append(Example(
                "good", h.rule, h.article, "required", h.canonical, row["id"],
                row["interaction_id"], row["channel"], row["hall"], row["window"], row["staff"],
                row["day"], h.speaker, h.start, h.end, h.evidence, h.confidence, None, h.method,
            ))
    return out


#: Candidates per stored analysis: (db, pk, analysis, rescored_at, lexicon
#: version) -> candidates, for interactions matched in memory.
_HITS: dict[tuple[str, int, str, str, str], list[HitRow]] = {}
_HITS_MAX = 200_000


def _required_hits(store: Any, row: dict[str, Any], lexicon: Lexicon) -> list[HitRow]:
    """The good-practice candidates of one stored interaction (cached per analysis)."""
    key = (str(store.path), int(row["id"]), f'{row.get("key")}@{row.get("analyzed_at")}',
           str(row.get("rescored_at") or ""), lexicon.version)
    hits = _HITS.get(key)
    if hits is None:
        hits = candidates(store.report(row["id"]), lexicon)
        if len(_HITS) >= _HITS_MAX:
            _HITS.clear()
        _HITS[key] = hits
    return hits


def _tainted(hit: HitRow, findings: list[dict[str, Any]]) -> bool:
    """True when a finding against the same speaker overlaps the hit (not said well).

    :data:`analyzer.store.hits.TAINTED_SQL` is the same rule for kept candidates.
    """
    for f in findings:
        if f["start"] is None or f["speaker"] != hit.speaker:
            continue
        end = f["end"] if f["end"] is not None else f["start"]
        if f["start"] < hit.end and end > hit.start:
            return True
    return False


@dataclass
class PackSummary:
    """What :func:`export_pack` wrote."""

    examples: int
    clips: int
    masked_spans: int
    missing_audio: list[str]


def export_pack(
    examples: Sequence[Example],
    out: str | Path | IO[bytes],
    *,
    store: Any,
    recordings_root: str | Path | None,
    pad: float = DEFAULT_PAD,
    mask_mode: str = "tone",
) -> PackSummary:
    """Write a training pack (zip) of examples, with personal data masked.

    Args:
        examples: From :func:`search_examples`.
        out: The zip file path or a binary file object.
        store: The :class:`analyzer.store.Store` they came from.
        recordings_root: Folder of the recordings; clips are cut only from
            files inside it (None: text only).
        pad: Seconds of context before and after each example.
        mask_mode: ``tone`` or ``silence`` over personal data in audio.

    Returns:
        Counts of examples, clips and masked audio spans, and the examples
        whose recording was not available.
    """
    from analyzer.speech.clips import recording_of

    summary = PackSummary(len(examples), 0, 0, [])
    manifest = []
    cache: dict[int, tuple[InteractionReport, list[Utterance], list[Span], Path | None]] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n, ex in enumerate(examples, 1):
            if ex.interaction_pk not in cache:
                report = store.report(ex.interaction_pk)
                masked, spans = privacy.mask_utterances(report.utterances)
                path = recording_of(recordings_root, store.interaction(ex.interaction_pk))
                cache[ex.interaction_pk] = (report, masked, spans, path)
            report, masked, spans, path = cache[ex.interaction_pk]
            entry = _pack_entry(n, ex, report, pad)
            zf.writestr(entry["transcript"], _transcript_text(ex, masked, entry))
            if path is not None:
                try:
                    audio, count = _clip(path, entry["clip_start"], entry["clip_end"], spans, mask_mode)
                except AnalyzerError as exc:
                    entry["audio_error"] = str(exc)
                else:
                    zf.writestr(entry["clip"], audio)
                    summary.clips += 1
                    summary.masked_spans += count
            if entry["clip"] not in zf.namelist():
                entry["clip"] = ""
                summary.missing_audio.append(ex.key)
            manifest.append(entry)
        zf.writestr("manifest.json", json.dumps({"examples": manifest}, ensure_ascii=False, indent=1))
        zf.writestr("manifest.csv", _manifest_csv(manifest))
        zf.writestr("README.txt", _readme(summary, mask_mode))
    return summary


def _pack_entry(n: int, ex: Example, report: InteractionReport, pad: float) -> dict[str, Any]:
    duration = report.duration or max((u.end for u in report.utterances), default=ex.end)
    start = max(0.0, ex.start - pad)
    end = min(max(duration, ex.end), ex.end + pad, start + MAX_CLIP)
    if pad == DEFAULT_PAD:  # the preview's span (Example.clip), cut at the recording's end
        start, end = ex.clip[0], min(max(duration, ex.end), ex.clip[1])
    stem = f"{n:03d}-{ex.practice}-{ex.rule}"
    d = asdict(ex.masked())
    d.pop("staff")  # a staff member's name is not needed to learn from the example
    d.update(key=ex.key, clip=f"clips/{stem}.wav", transcript=f"transcripts/{stem}.txt",
             clip_start=round(start, 3), clip_end=round(end, 3),
             example_start_in_clip=round(ex.start - start, 3))
    return d


def _transcript_text(ex: Example, masked: list[Utterance], entry: dict[str, Any]) -> str:
    lines = [f"{ex.practice.upper()}  第{ex.article}条  {ex.rule}  {ex.canonical}",
             f"example: {entry['text']}  ({ex.start:.2f}-{ex.end:.2f} s)", ""]
    for u in masked:
        if u.end >= entry["clip_start"] and u.start <= entry["clip_end"]:
            lines.append(f"[{u.start:7.2f}-{u.end:7.2f}] {u.speaker}: {u.text}")
    return "\n".join(lines) + "\n"


def _clip(path: Path, start: float, end: float, spans: list[Span], mode: str
          ) -> tuple[bytes, int]:
    from analyzer.speech.clips import read_segment, wav_bytes

    samples = read_segment(path, start, end, CLIP_RATE)
    inside = [s for s in spans if s[1] >= start and s[0] <= end]
    masked = privacy.mask_audio(samples, CLIP_RATE, inside, mode=mode, offset=start)
    return wav_bytes(masked, CLIP_RATE), len(inside)


_CSV_COLUMNS = ("key", "practice", "article", "rule", "kind", "canonical", "text", "speaker",
                "hall", "window", "day", "channel", "start", "end", "clip", "transcript",
                "clip_start", "clip_end", "confidence", "method")


def _manifest_csv(rows: list[dict[str, Any]]) -> str:
    return write_csv(_CSV_COLUMNS, rows, bom=True)


def _readme(summary: PackSummary, mode: str) -> str:
    return (
        "Training pack: examples of good and bad practice (Chapter 3, Articles 6-10).\n"
        f"{summary.examples} examples, {summary.clips} audio clips.\n"
        "manifest.json / manifest.csv: one row per example (rule, article, seed wording,\n"
        "times in the original recording and in the clip).\n"
        "Personal data (ID card, phone and bank card numbers, citizens' addresses) is\n"
        f"replaced by tags in text and by {mode} in audio ({summary.masked_spans} spans).\n"
    )
