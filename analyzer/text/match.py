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
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from analyzer.options import MatchOptions
from analyzer.text.lexicon import Lexicon, Rule, pattern_parts
from analyzer.text.normalize import normalize, normalize_with_map
from analyzer.types import Heard, Utterance

#: Confidence factor of a verbatim variant relative to the canonical wording.
VARIANT_FACTOR = 0.97
#: Confidence ceiling of pinyin (homophone) and fuzzy alignments.
PINYIN_BASE = 0.92
FUZZY_BASE = 0.85
#: Alignment costs (in units of one matched character).
INSERT_PENALTY = 0.75
#: Extra cost of a phrase character missing at the phrase's start or end (a
#: truncated phrase, e.g. 投诉好了 for 你去投诉好了, is weaker evidence).
EDGE_PENALTY = 0.5
#: Cost of a phrase character missing inside the phrase.
DELETE_PENALTY = 0.25
#: Cost of a phrase character aligned to an unrelated spoken character.
SUB_PENALTY = 0.25

_INITIAL_RE = re.compile(r"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])(?=.)")
_FUZZY_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "l": "n"}
_FUZZY_FINAL = {"ang": "an", "eng": "en", "ing": "in", "iang": "ian", "uang": "uan"}


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


# ---------------------------------------------------------------- pinyin


def _split_syllable(syl: str) -> tuple[str, str]:
    """Split a toneless syllable into initial and final (``zhang`` → ``zh``, ``ang``)."""
    m = _INITIAL_RE.match(syl)
    return (m.group(1), syl[m.end() :]) if m else ("", syl)


def _fold(syl: str) -> str:
    """Fold one toneless syllable by the fuzzy initial/final pairs."""
    ini, fin = _split_syllable(syl)
    return _FUZZY_INITIAL.get(ini, ini) + _FUZZY_FINAL.get(fin, fin)


@functools.lru_cache(maxsize=65536)
def readings(ch: str) -> frozenset[str]:
    """All toneless pinyin readings of a character (the char itself if not Han)."""
    from pypinyin import Style, pinyin

    if not ("\u3400" <= ch <= "\u9fff"):
        return frozenset((ch,))
    return frozenset(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])


@functools.lru_cache(maxsize=65536)
def code(ch: str) -> str:
    """The fuzzy-folded primary reading of a character (for candidate search)."""
    from pypinyin import lazy_pinyin

    if not ("\u3400" <= ch <= "\u9fff"):
        return ch
    return _fold(lazy_pinyin(ch)[0])


@functools.lru_cache(maxsize=262144)
def char_score(p: str, t: str) -> float:
    """Similarity of a phrase character ``p`` and a spoken character ``t``."""
    if p == t:
        return 1.0
    rp, rt = readings(p), readings(t)
    if rp & rt:
        return 0.9
    fp, ft = {_fold(s) for s in rp}, {_fold(s) for s in rt}
    if fp & ft:
        return 0.8
    for a in fp:
        ia, fa = _split_syllable(a)
        for b in ft:
            ib, fb = _split_syllable(b)
            if ia == ib and ia and (fa.startswith(fb) or fb.startswith(fa)):
                return 0.5
    return 0.0


# ---------------------------------------------------------------- patterns


@dataclass(frozen=True)
class _Pattern:
    """One normalized phrase of a rule."""

    rule: Rule
    phrase: str
    canonical: bool
    parts: tuple[str | None, ...]  # normalized text parts, None = slot
    chars: int  # characters outside slots
    regex: re.Pattern[str] | None  # exact form when it has slots
    anchor: str  # the longest fixed part (in the automaton)
    bigrams: frozenset[tuple[str, str]]
    items: tuple[str | None, ...] = ()  # alignment items: chars, None = interior slot
    clause_end: bool = False  # written with a final "$": must end a clause


def _compile_pattern(rule: Rule, phrase: str, canonical: bool, max_slot: int) -> _Pattern | None:
    parts: list[str | None] = []
    for part in pattern_parts(phrase):
        if part is None:
            parts.append(None)
        elif norm := normalize(part):
            parts.append(norm)
    fixed = [p for p in parts if p]
    if not fixed:
        return None
    regex = None
    if None in parts:
        body = []
        for k, p in enumerate(parts):
            if p is not None:
                body.append(re.escape(p))
            else:
                lo = 0 if k in (0, len(parts) - 1) else 1
                body.append(f".{{{lo},{max_slot}}}?" if lo else f".{{0,{max_slot}}}")
        regex = re.compile("".join(body))
    bigrams = frozenset((code(a), code(b)) for p in fixed for a, b in zip(p, p[1:], strict=False))
    return _Pattern(
        rule,
        phrase,
        canonical,
        tuple(parts),
        sum(map(len, fixed)),
        regex,
        max(fixed, key=len),
        bigrams,
        _items(parts),
        phrase.rstrip().endswith("$"),
    )


def _items(parts: Sequence[str | None]) -> tuple[str | None, ...]:
    """Alignment items of a phrase: its characters, None for an interior slot.

    Leading and trailing slots are dropped (they may take 0 characters).
    """
    parts = list(parts)
    while parts and parts[0] is None:
        parts.pop(0)
    while parts and parts[-1] is None:
        parts.pop()
    items: list[str | None] = []
    for p in parts:
        items.extend([None] if p is None else list(p))
    return tuple(items)


class Matcher:
    """The compiled form of a lexicon: automaton, pattern table, bigram index.

    Build it with :func:`get_matcher` (cached per lexicon).
    """

    def __init__(self, lexicon: Lexicon, kinds: Iterable[str], max_slot: int = 8) -> None:
        import ahocorasick_rs

        self.lexicon = lexicon
        self.max_slot = max_slot
        self.patterns: list[_Pattern] = []
        for rule in lexicon.rules:
            if rule.kind not in kinds:
                continue
            for k, phrase in enumerate(rule.phrases):
                pat = _compile_pattern(rule, phrase, k == 0, max_slot)
                if pat is not None:
                    self.patterns.append(pat)
        anchors: dict[str, list[int]] = {}
        for idx, pat in enumerate(self.patterns):
            anchors.setdefault(pat.anchor, []).append(idx)
        self._anchor_text = list(anchors)
        self._anchor_owners = [anchors[a] for a in self._anchor_text]
        self._automaton = ahocorasick_rs.AhoCorasick(
            self._anchor_text, matchkind=ahocorasick_rs.MatchKind.Standard
        )
        self._by_bigram: dict[tuple[str, str], list[int]] = {}
        for idx, pat in enumerate(self.patterns):
            for bg in pat.bigrams:
                self._by_bigram.setdefault(bg, []).append(idx)

    def exact(self, text: str) -> list[tuple[_Pattern, int, int]]:
        """Verbatim occurrences ``(pattern, start, end)`` in normalized text."""
        out = []
        checked: set[int] = set()
        for ac_idx, s, e in self._automaton.find_matches_as_indexes(text, overlapping=True):
            for pidx in self._anchor_owners[ac_idx]:
                pat = self.patterns[pidx]
                if pat.regex is None:
                    out.append((pat, s, e))
                elif pidx not in checked:
                    checked.add(pidx)
                    out.extend((pat, m.start(), m.end()) for m in pat.regex.finditer(text))
        return out

    def candidates(self, codes: Sequence[str]) -> list[tuple[_Pattern, int, int]]:
        """Text windows worth aligning: ``(pattern, lo, hi)``.

        A pattern is a candidate where the text shares at least 40% of its
        pinyin bigrams within one stretch about the phrase's length; the
        window is that stretch widened by the phrase's span, so long
        utterances are aligned only where the phrase may be.
        """
        positions: dict[int, list[tuple[int, tuple[str, str]]]] = {}
        for k, bg in enumerate(zip(codes, codes[1:], strict=False)):
            for pidx in self._by_bigram.get(bg, ()):
                positions.setdefault(pidx, []).append((k, bg))
        out = []
        for pidx, found in positions.items():
            pat = self.patterns[pidx]
            need = max(1, math.ceil(0.4 * len(pat.bigrams)))
            reach = self.span(pat)
            for lo, hi, distinct in _clusters(found, reach):
                if distinct >= need:
                    out.append((pat, max(0, lo - reach), min(len(codes), hi + reach + 2)))
        return out

    def span(self, pat: _Pattern) -> int:
        """The most text characters an occurrence of ``pat`` can cover."""
        slots = sum(1 for it in pat.items if it is None)
        return 2 * pat.chars + slots * self.max_slot


def _clusters(found: list[tuple[int, tuple[str, str]]], reach: int) -> list[tuple[int, int, int]]:
    """Group bigram positions closer than ``reach``: ``(first, last, distinct bigrams)``."""
    groups: list[tuple[int, int, int]] = []
    start = last = found[0][0]
    seen = {found[0][1]}
    for k, bg in found[1:]:
        if k - last > reach:
            groups.append((start, last, len(seen)))
            start, seen = k, set()
        last = k
        seen.add(bg)
    groups.append((start, last, len(seen)))
    return groups


def get_matcher(
    lexicon: Lexicon, kinds: Iterable[str] = ("forbidden", "required", "cue"), max_slot: int = 8
) -> Matcher:
    """The compiled matcher for ``lexicon``: built once, kept on the lexicon, shared.

    :func:`analyzer.text.lexicon.load_lexicon` is cached too, so every interaction
    of a run (and every thread) uses the same automaton.
    """
    key = ("matcher", tuple(sorted(set(kinds))), max_slot)
    matcher = lexicon.cache.get(key)
    if matcher is None:
        matcher = lexicon.cache.setdefault(key, Matcher(lexicon, key[1], max_slot))
    return matcher


# ---------------------------------------------------------------- alignment


@dataclass(frozen=True)
class _Alignment:
    start: int  # first matched text position (normalized)
    end: int  # one past the last matched text position
    similarity: float
    clean: bool  # no missing, extra or unmatched characters
    weakest: float  # lowest char_score among matched characters
    lead: int = 0  # phrase items before the first matched one (missing at the start)
    trail: int = 0  # phrase items after the last matched one (missing at the end)


def align(pat_parts: Sequence[str | None], text: str, max_slot: int = 8) -> _Alignment | None:
    """Best semi-global alignment of a phrase (with slots) inside ``text``.

    The whole phrase must be consumed in order; text before and after is free.
    Scores: :func:`char_score` per aligned character, ``-SUB_PENALTY`` for an
    unrelated one, ``-DELETE_PENALTY`` per missing character (``-EDGE_PENALTY``
    at the phrase's start or end), ``-INSERT_PENALTY`` per extra character
    inside the phrase; the similarity is the score over the phrase's length.
    Leading/trailing slots are dropped here (they take 0–8 chars).

    Returns:
        The best alignment, or None when the phrase has no fixed characters.
    """
    return _align(_items(pat_parts), text, max_slot)


def _align(items: Sequence[str | None], text: str, max_slot: int) -> _Alignment | None:
    """:func:`align` on precomputed alignment items."""
    n_chars = sum(1 for it in items if it is not None)
    if not n_chars or not text:
        return None
    n, neg = len(text), -1e9
    # score, back-pointer (move, prev j) per row; row 0: free start anywhere
    prev = [0.0] * (n + 1)
    rows: list[list[tuple[str, int]]] = []
    for i, item in enumerate(items):
        cur = [neg] * (n + 1)
        back: list[tuple[str, int]] = [("", -1)] * (n + 1)
        if item is None:  # interior slot: 1..max_slot characters
            for j in range(n + 1):
                for k in range(1, max_slot + 1):
                    if j - k >= 0 and prev[j - k] > cur[j]:
                        cur[j], back[j] = prev[j - k], ("slot", j - k)
        else:
            for j in range(n + 1):
                if prev[j] - DELETE_PENALTY > cur[j]:  # phrase char missing in the text
                    cur[j], back[j] = prev[j] - DELETE_PENALTY, ("del", j)
                if j:
                    sc = char_score(item, text[j - 1])
                    s = prev[j - 1] + (sc if sc > 0 else -SUB_PENALTY)
                    if s > cur[j]:
                        cur[j], back[j] = s, ("sub", j - 1)
        if 0 < i + 1 < len(items) and items[i + 1] is not None:
            for j in range(1, n + 1):  # extra text character inside the phrase
                s = cur[j - 1] - INSERT_PENALTY
                if s > cur[j]:
                    cur[j], back[j] = s, ("ins", j - 1)
        rows.append(back)
        prev = cur
    best_j = max(range(n + 1), key=lambda j: (prev[j], -j))
    return _trace(rows, items, text, best_j, prev[best_j], n_chars)


def _trace(
    rows: list[list[tuple[str, int]]],
    items: Sequence[str | None],
    text: str,
    j_end: int,
    score: float,
    n_chars: int,
) -> _Alignment | None:
    """Follow back-pointers to the matched span and judge cleanliness."""
    matched: list[int] = []
    hit_items: list[int] = []  # pattern item indices that matched a character
    clean = True
    i, j = len(items), j_end
    while i > 0:
        move, pj = rows[i - 1][j]
        if move == "ins":
            clean = False
            j = pj
            continue
        if move == "sub":
            if char_score(items[i - 1], text[pj]) > 0:
                matched.append(pj)
                hit_items.append(i - 1)
            else:
                clean = False
        elif move == "del":
            clean = False
        i, j = i - 1, pj
    if not matched:
        return None
    edge = min(hit_items) + (len(items) - 1 - max(hit_items))
    score += (DELETE_PENALTY - EDGE_PENALTY) * edge  # edge deletions cost EDGE_PENALTY
    weakest = min(char_score(items[k], text[t]) for k, t in zip(hit_items, matched, strict=True))
    return _Alignment(min(matched), max(matched) + 1, max(0.0, score) / n_chars, clean, weakest,
                      min(hit_items), len(items) - 1 - max(hit_items))


# ---------------------------------------------------------------- utterances


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
class _Window:
    """Normalized text searched at once: one utterance, or two joined."""

    text: str
    codes: list[str]
    ends: list[bool]
    speaker: str


def _role_weight(rule: Rule, speaker: str, options: MatchOptions) -> float:
    """Confidence factor of ``rule`` on ``speaker``'s speech (0: not allowed)."""
    if rule.role == "any" or rule.role == speaker:
        return 1.0
    if speaker == "unknown":
        return options.unknown_speaker_weight
    return 0.0


@dataclass(frozen=True)
class _Raw:
    """A hit in window coordinates, before it becomes a :class:`Hit`."""

    pattern: _Pattern
    start: int
    end: int
    method: str
    similarity: float
    confidence: float


def _window_hits(matcher: Matcher, win: _Window, options: MatchOptions) -> list[_Raw]:
    """Exact hits, then the best pinyin/fuzzy hit of each rule (per text window) without one."""
    out: list[_Raw] = []
    text, speaker = win.text, win.speaker
    for pat, s, e in matcher.exact(text):
        weight = _role_weight(pat.rule, speaker, options)
        if weight and (not pat.clause_end or win.ends[e - 1]):
            method = "exact" if pat.canonical else "variant"
            conf = options.exact_confidence * (1.0 if pat.canonical else VARIANT_FACTOR)
            out.append(_Raw(pat, s, e, method, 1.0, conf * weight))
    if not options.fuzzy:
        return out
    found = {r.pattern.rule.id for r in out}
    best: dict[tuple[str, int], _Raw] = {}
    for pat, lo, hi in matcher.candidates(win.codes):
        rule = pat.rule
        weight = _role_weight(rule, speaker, options)
        if not weight or rule.id in found or not rule.fuzzy:
            continue
        if pat.chars < options.min_pinyin_chars:
            continue
        al = _align(pat.items, text[lo:hi], options.max_slot_chars)
        if al is None or al.similarity < options.fuzzy_threshold:
            continue
        if pat.clause_end and not win.ends[lo + al.end - 1]:
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


def _to_hit(raw: _Raw, window: list[_Prepared]) -> tuple[Hit, tuple[int, int], tuple[int, int]]:
    """Convert window coordinates to a Hit plus global (utterance, pos) bounds."""
    a = window[0]
    if len(window) == 1:
        start, end = a.times(raw.start, raw.end)
        evidence = a.evidence(raw.start, raw.end)
        span = (a.index, raw.start), (a.index, raw.end)
        utts: tuple[int, ...] = (a.index,)
    else:
        b, cut = window[1], len(a.norm)
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
    """Keep the most confident of overlapping hits of the same rule."""
    kept: list[tuple[Hit, tuple[int, int], tuple[int, int]]] = []
    for item in sorted(found, key=lambda x: -x[0].confidence):
        hit, s, e = item
        if any(k[0].rule.id == hit.rule.id and s < k[2] and k[1] < e for k in kept):
            continue
        kept.append(item)
    return sorted((k[0] for k in kept), key=lambda h: (h.start, h.end, h.rule.id))


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
    prepared = [_prepare(i, u) for i, u in enumerate(utterances)]
    prepared = [p for p in prepared if wanted is None or p.utt.speaker in wanted]
    found = []
    for p in prepared:
        win = _Window(p.norm, p.codes, p.ends, p.utt.speaker)
        for raw in _window_hits(matcher, win, options):
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
        win = _Window(a.norm + b.norm, a.codes + b.codes, a.ends + b.ends, a.utt.speaker)
        for raw in _window_hits(matcher, win, options):
            if raw.start < cut < raw.end:
                found.append(_to_hit(raw, [a, b]))
    return _dedupe(found + _heard_hits(prepared, lexicon, set(kinds), options, found))


def _heard_hits(prepared: Sequence[_Prepared], lexicon: Lexicon, kinds: set[str],
                options: MatchOptions,
                found: list[tuple[Hit, tuple[int, int], tuple[int, int]]],
                ) -> list[tuple[Hit, tuple[int, int], tuple[int, int]]]:
    """Hits of the phrases the acoustic verifier heard where the text shows none of that rule."""
    out = []
    for p in prepared:
        for h in p.utt.heard:
            if h.rule not in lexicon:
                continue
            rule = lexicon.get(h.rule)
            weight = _role_weight(rule, p.utt.speaker, options)
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


# ---------------------------------------------------------------- near phrases


@dataclass(frozen=True)
class Near:
    """A stretch of text that may be a garbled lexicon phrase (a verification candidate).

    Attributes:
        rule: The lexicon rule.
        phrase: The rule's wording that aligned best (slots at its ends dropped).
        start: First character of the stretch in the original text.
        end: One past its last character.
        similarity: Pinyin alignment similarity in [0, 1].
        exact: The stretch is the phrase verbatim (the text matcher finds it).
    """

    rule: Rule
    phrase: str
    start: int
    end: int
    similarity: float
    exact: bool = False


def _plain(pat: _Pattern) -> bool:
    """True when a pattern has no interior slot (it can be written out whole)."""
    return None not in pat.items


def phrase_text(pat_phrase: str) -> str:
    """A phrase as it would be said: end slots and the clause mark dropped."""
    parts = pattern_parts(pat_phrase.rstrip().rstrip("$"))
    while parts and parts[0] is None:
        parts.pop(0)
    while parts and parts[-1] is None:
        parts.pop()
    return "".join(p for p in parts if p is not None)


def near_phrases(text: str, lexicon: Lexicon, *, kinds: Iterable[str], speaker: str,
                 min_similarity: float, options: MatchOptions | None = None) -> list[Near]:
    """Every stretch of ``text`` whose pinyin resembles a lexicon phrase, however weakly.

    The text matcher's own candidate search and alignment, with a low bar
    (``min_similarity``): the acoustic verifier scores these. Only phrases
    with no interior slot are returned (they can be written out whole), the
    best-aligned wording per rule and stretch.
    """
    options = options or MatchOptions()
    matcher = get_matcher(lexicon, kinds, options.max_slot_chars)
    norm, origin = normalize_with_map(text)
    if not norm:
        return []
    best: dict[tuple[str, int], Near] = {}
    for pat, lo, hi in matcher.candidates([code(c) for c in norm]):
        if not _plain(pat) or not _role_weight(pat.rule, speaker, options):
            continue
        al = _align(pat.items, norm[lo:hi], options.max_slot_chars)
        if al is None or al.similarity < min_similarity:
            continue
        s, e = _stretch(al, lo, len(norm))
        exact = al.clean and al.similarity >= 1.0
        near = Near(pat.rule, phrase_text(pat.phrase), origin[s], origin[e - 1] + 1,
                    round(al.similarity, 4), exact)
        key = (pat.rule.id, s)
        if key not in best or near.similarity > best[key].similarity:
            best[key] = near
    return sorted(best.values(), key=lambda n: -n.similarity)


def locate(rule: Rule, text: str, options: MatchOptions | None = None) -> Near | None:
    """Where in ``text`` the rule's best plain wording aligns best (no bar), or None."""
    options = options or MatchOptions()
    norm, origin = normalize_with_map(text)
    found: Near | None = None
    for phrase in rule.phrases:
        pat = _compile_pattern(rule, phrase, False, options.max_slot_chars)
        if pat is None or not _plain(pat) or not norm:
            continue
        al = _align(pat.items, norm, options.max_slot_chars)
        if al is None or (found is not None and al.similarity <= found.similarity):
            continue
        s, e = _stretch(al, 0, len(norm))
        found = Near(rule, phrase_text(phrase), origin[s], origin[e - 1] + 1,
                     round(al.similarity, 4), al.clean and al.similarity >= 1.0)
    return found


def _stretch(al: _Alignment, lo: int, length: int) -> tuple[int, int]:
    """The text an alignment covers, widened over phrase characters missing at its ends.

    你的记性准挑 aligns 你的记性真差 only as far as 你的记性; the garbled 准挑 is
    where 真差 was said, so it belongs to the stretch the phrase replaces.
    """
    return max(0, lo + al.start - al.lead), min(length, lo + al.end + al.trail)
