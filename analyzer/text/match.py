"""Error-tolerant lexicon matching (pipeline stage ``match``).

Finds the lexicon's phrases in utterances, in three layers:

1. **Exact** — an Aho-Corasick automaton (``ahocorasick_rs``) over the
   normalized canonical wording and variants of every rule. Phrases with
   slots (``请您到XXX窗口办理``) put their longest fixed part in the automaton
   and are confirmed by a regular expression whose slots take 1–8 characters.
2. **Pinyin** — every character is also read as toneless pinyin (pypinyin)
   folded by the usual fuzzy pairs (zh/z, ch/c, sh/s, n/l, an/ang, en/eng,
   in/ing). Candidates share enough pinyin bigrams with a phrase; they are
   then aligned character by character (a semi-global alignment: same
   character 1.0, same reading 0.9, fuzzy reading 0.8, close reading 0.5;
   unrelated, missing or extra characters penalised; slots free). This finds homophones
   (有排子自己看), near-homophones and missing or extra particles. Short
   fragments cannot match a long phrase: the alignment's similarity is taken
   over the *whole* phrase, in order.
3. **Split** — two consecutive utterances of the same speaker within
   ``MatchOptions.join_gap`` seconds are joined and searched again; only hits
   that cross the join are kept.

The compiled matcher is built once per lexicon and shared (:func:`get_matcher`).

One job per module: :mod:`analyzer.text.pinyin` (how alike characters sound),
:mod:`analyzer.text.patterns` (the compiled lexicon), :mod:`analyzer.text.align`
(aligning a phrase in text), this module (finding the phrases said in an
interaction's utterances: exact, pinyin, split, heard), and
:mod:`analyzer.text.near` (the acoustic verifier's candidates). The names other
modules used to import from here are re-exported below.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from analyzer.options import MatchOptions
from analyzer.text.align import Alignment, align, align_items
from analyzer.text.lexicon import Lexicon, Rule
from analyzer.text.normalize import normalize, normalize_with_map
from analyzer.text.patterns import Matcher, Pattern, get_matcher, role_weight
from analyzer.text.pinyin import char_score, code, readings
from analyzer.types import Heard, Utterance

#: Confidence factor of a verbatim variant relative to the canonical wording.
VARIANT_FACTOR = 0.97
#: Confidence ceiling of pinyin (homophone) and fuzzy alignments.
PINYIN_BASE = 0.92
FUZZY_BASE = 0.85


@dataclass(frozen=True)
class Hit:
    """One phrase found in the speech.

    Attributes:
        rule: The lexicon rule.
        speaker: Speaker of the utterance(s).
        start: Start time (s) of the matched words.
        end: End time (s) of the matched words.
        evidence: The original text that matched (not normalized).
        confidence: 0–1; exact > variant > pinyin > fuzzy.
        method: ``exact``, ``variant``, ``pinyin``, ``fuzzy`` or ``acoustic``
            (heard by the acoustic verifier where the text garbled it).
        utterances: Indices of the utterance(s) it spans (two when split).
        phrase: The canonical wording or variant that matched.
        similarity: Alignment similarity in [0, 1] (1.0 for exact hits).
        heard: The verifier's scores behind an ``acoustic`` hit.
        detector: Which detector heard a forbidden paraphrase (``act model``, ``intent
            rules`` or both: :func:`analyzer.rules.acts.act_hits`); ``""`` for the others.
    """

    rule: Rule
    speaker: str
    start: float
    end: float
    evidence: str
    confidence: float
    method: str
    utterances: tuple[int, ...]
    phrase: str = ""
    similarity: float = 1.0
    heard: Heard | None = None
    detector: str = ""


@dataclass
class _Prepared:
    """One utterance ready for matching."""

    index: int
    utt: Utterance
    norm: str
    origin: list[int]  # normalized position -> original text position
    codes: list[str]
    ends: list[bool]  # a clause may end after this normalized character
    _word_map: list[int | None] | None = None

    def times(self, s: int, e: int) -> tuple[float, float]:
        """Time span of normalized characters ``[s, e)``."""
        u = self.utt
        if u.words:
            wmap = self._words()
            idx = [w for w in wmap[s:e] if w is not None]
            if idx:
                return u.words[min(idx)].start, u.words[max(idx)].end
        n = max(len(self.norm), 1)
        span = u.end - u.start
        return u.start + span * s / n, u.start + span * e / n

    def _words(self) -> list[int | None]:
        if self._word_map is None:
            chars, owner = [], []
            for k, w in enumerate(self.utt.words):
                wn = normalize(w.text)
                chars.append(wn)
                owner.extend([k] * len(wn))
            wtext = "".join(chars)
            wmap: list[int | None] = [None] * len(self.norm)
            sm = SequenceMatcher(None, self.norm, wtext, autojunk=False)
            for a, b, size in sm.get_matching_blocks():
                for k in range(size):
                    wmap[a + k] = owner[b + k]
            self._word_map = wmap
        return self._word_map

    def evidence(self, s: int, e: int) -> str:
        """The original text of normalized characters ``[s, e)``."""
        return self.utt.text[self.origin[s] : self.origin[e - 1] + 1]


def _prepare(index: int, utt: Utterance) -> _Prepared:
    norm, origin = normalize_with_map(utt.text)
    # something was removed after a character (punctuation, space, particle) or the text ends
    ends = [b - a > 1 for a, b in zip(origin, origin[1:], strict=False)] + [True] * bool(norm)
    return _Prepared(index, utt, norm, origin, [code(c) for c in norm], ends)


@dataclass(frozen=True)
class _Passage:
    """Normalized text searched at once: one utterance, or two joined (a split phrase)."""

    text: str
    codes: list[str]
    ends: list[bool]
    speaker: str


@dataclass(frozen=True)
class _Raw:
    """A hit in passage coordinates, before it becomes a :class:`Hit`."""

    pattern: Pattern
    start: int
    end: int
    method: str
    similarity: float
    confidence: float


def _passage_hits(matcher: Matcher, passage: _Passage, options: MatchOptions) -> list[_Raw]:
    """Exact hits, then the best pinyin/fuzzy hit of each rule (per candidate stretch) without one."""
    out: list[_Raw] = []
    text, speaker = passage.text, passage.speaker
    for pat, s, e in matcher.exact(text):
        weight = role_weight(pat.rule, speaker, options)
        if weight and (not pat.clause_end or passage.ends[e - 1]):
            method = "exact" if pat.canonical else "variant"
            conf = options.exact_confidence * (1.0 if pat.canonical else VARIANT_FACTOR)
            out.append(_Raw(pat, s, e, method, 1.0, conf * weight))
    if not options.fuzzy:
        return out
    found = {r.pattern.rule.id for r in out}
    best: dict[tuple[str, int], _Raw] = {}
    for pat, lo, hi in matcher.candidates(passage.codes):
        rule = pat.rule
        weight = role_weight(rule, speaker, options)
        if not weight or rule.id in found or not rule.fuzzy:
            continue
        if pat.chars < options.min_pinyin_chars:
            continue
        al = align_items(pat.items, text[lo:hi], options.max_slot_chars)
        if al is None or al.similarity < options.fuzzy_threshold:
            continue
        if pat.clause_end and not passage.ends[lo + al.end - 1]:
            continue
        if pat.chars < options.min_fuzzy_chars and (not al.clean or al.weakest < 0.8):
            continue  # short phrases: true homophones only
        base = PINYIN_BASE if al.clean else FUZZY_BASE
        conf = base * al.similarity * weight
        if conf < options.min_confidence:
            continue
        method = "pinyin" if al.clean else "fuzzy"
        raw = _Raw(pat, lo + al.start, lo + al.end, method, al.similarity, conf)
        key = (rule.id, lo)
        if key not in best or raw.confidence > best[key].confidence:
            best[key] = raw
    return out + list(best.values())


def _to_hit(raw: _Raw, passage: list[_Prepared]) -> tuple[Hit, tuple[int, int], tuple[int, int]]:
    """Convert passage coordinates to a Hit plus global (utterance, pos) bounds."""
    a = passage[0]
    if len(passage) == 1:
        start, end = a.times(raw.start, raw.end)
        evidence = a.evidence(raw.start, raw.end)
        span = (a.index, raw.start), (a.index, raw.end)
        utts: tuple[int, ...] = (a.index,)
    else:
        b, cut = passage[1], len(a.norm)
        start = a.times(raw.start, cut)[0]
        end = b.times(0, raw.end - cut)[1]
        evidence = a.evidence(raw.start, cut) + " " + b.evidence(0, raw.end - cut)
        span = (a.index, raw.start), (b.index, raw.end - cut)
        utts = (a.index, b.index)
    hit = Hit(
        raw.pattern.rule,
        a.utt.speaker,
        start,
        end,
        evidence,
        round(raw.confidence, 4),
        raw.method,
        utts,
        raw.pattern.phrase,
        round(raw.similarity, 4),
    )
    return hit, span[0], span[1]


def _dedupe(found: list[tuple[Hit, tuple[int, int], tuple[int, int]]]) -> list[Hit]:
    """Keep the most confident of overlapping hits of the same rule.

    The spans kept for one rule never overlap, so, in order of their starts,
    their ends are in order too: a new span overlaps one of them exactly when
    the last kept span starting before the new one's end ends after its
    start. Each hit costs one binary search (issue 26 #12: comparing every
    hit with every kept one made 32,000 repeats of one phrase take minutes).
    """
    kept: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    out: list[Hit] = []
    for hit, s, e in sorted(found, key=lambda x: -x[0].confidence):
        spans = kept.setdefault(hit.rule.id, [])
        at = bisect.bisect_left(spans, (e, e))  # spans[:at]: those starting before e
        if at > 0 and spans[at - 1][1] > s:
            continue
        spans.insert(at, (s, e))
        out.append(hit)
    return sorted(out, key=lambda h: (h.start, h.end, h.rule.id))


def find_phrases(
    utterances: Sequence[Utterance],
    lexicon: Lexicon,
    options: MatchOptions | None = None,
    *,
    kinds: Iterable[str] = ("forbidden", "required", "cue"),
    speakers: Iterable[str] | None = None,
) -> list[Hit]:
    """Find every lexicon phrase said in ``utterances``.

    Args:
        utterances: The interaction's turns, in time order.
        lexicon: From :func:`analyzer.text.lexicon.load_lexicon`.
        options: Matching options (defaults when None).
        kinds: Rule kinds to look for.
        speakers: Only search utterances of these speakers (all when None).

    Returns:
        Hits sorted by start time. A rule bound to a role only matches that
        role's speech (``unknown`` speakers at reduced confidence); overlapping
        hits of one rule are merged, keeping the most confident.
    """
    options = options or MatchOptions()
    matcher = get_matcher(lexicon, kinds, options.max_slot_chars)
    wanted = None if speakers is None else set(speakers)
    prepared = [_prepare(i, u) for i, u in enumerate(utterances)
                if wanted is None or u.speaker in wanted]
    found = []
    for p in prepared:
        passage = _Passage(p.norm, p.codes, p.ends, p.utt.speaker)
        for raw in _passage_hits(matcher, passage, options):
            found.append(_to_hit(raw, [p]))
    for a, b in zip(prepared, prepared[1:], strict=False):
        joinable = (
            b.index == a.index + 1
            and a.utt.speaker == b.utt.speaker
            and b.utt.start - a.utt.end <= options.join_gap
            and a.norm
            and b.norm
        )
        if not joinable:
            continue
        cut = len(a.norm)
        passage = _Passage(a.norm + b.norm, a.codes + b.codes, a.ends + b.ends, a.utt.speaker)
        for raw in _passage_hits(matcher, passage, options):
            if raw.start < cut < raw.end:
                found.append(_to_hit(raw, [a, b]))
    return _dedupe(found + _heard_hits(prepared, lexicon, set(kinds), options, found))


def _heard_hits(prepared: Sequence[_Prepared], lexicon: Lexicon, kinds: set[str],
                options: MatchOptions,
                found: list[tuple[Hit, tuple[int, int], tuple[int, int]]],
                ) -> list[tuple[Hit, tuple[int, int], tuple[int, int]]]:
    """Hits of the phrases the acoustic verifier heard (accepted) where the text shows none of that rule."""
    out = []
    for p in prepared:
        for h in p.utt.heard:
            if not h.accepted or h.rule not in lexicon:
                continue
            rule = lexicon.get(h.rule)
            weight = role_weight(rule, p.utt.speaker, options)
            if rule.kind not in kinds or not weight:
                continue
            if any(f[0].rule.id == rule.id and f[0].start < h.end + 1.0 and h.start - 1.0 < f[0].end
                   for f in found):
                continue  # the text already shows it there
            hit = Hit(rule, p.utt.speaker, h.start, h.end, h.evidence,
                      round(h.confidence * weight, 4), "acoustic", (p.index,), h.phrase,
                      0.0, h)
            out.append((hit, (p.index, 0), (p.index, max(1, len(p.norm)))))
    return out


def match_text(
    text: str, lexicon: Lexicon, speaker: str = "staff", options: MatchOptions | None = None
) -> list[Hit]:
    """Convenience: :func:`find_phrases` on one utterance of ``text``."""
    return find_phrases([Utterance(speaker, 0.0, 0.0, text)], lexicon, options)


# Names other modules import from here (their one-job homes are above).
from analyzer.text.near import Near, locate, near_phrases, phrase_text  # noqa: E402

__all__ = ["Alignment", "Hit", "Matcher", "Near", "Pattern", "align", "char_score", "code",
           "find_phrases", "get_matcher", "locate", "match_text", "near_phrases", "phrase_text",
           "readings"]
