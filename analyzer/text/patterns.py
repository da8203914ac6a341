"""The compiled form of a lexicon (one job: turning rules into searchable patterns).

Every wording of every rule becomes a :class:`Pattern`: its normalized parts
(``None`` for a slot ``XXX``), a regular expression when it has slots, its
longest fixed part (the Aho-Corasick anchor) and its pinyin bigrams (the
candidate index). :class:`Matcher` holds them with the automaton
(``ahocorasick_rs``) and finds verbatim occurrences (:meth:`Matcher.exact`) and
stretches worth aligning (:meth:`Matcher.candidates`); :func:`get_matcher`
builds it once per lexicon. :func:`role_weight` says whose speech a rule
applies to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzer.options import MatchOptions
from analyzer.text.align import phrase_items
from analyzer.text.lexicon import Lexicon, Rule, pattern_parts
from analyzer.text.normalize import normalize
from analyzer.text.pinyin import code


@dataclass(frozen=True)
class Pattern:
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


def compile_pattern(rule: Rule, phrase: str, canonical: bool, max_slot: int) -> Pattern | None:
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
    return Pattern(
        rule,
        phrase,
        canonical,
        tuple(parts),
        sum(map(len, fixed)),
        regex,
        max(fixed, key=len),
        bigrams,
        phrase_items(parts),
        phrase.rstrip().endswith("$"),
    )


class Matcher:
    """The compiled form of a lexicon: automaton, pattern table, bigram index.

    Build it with :func:`get_matcher` (cached per lexicon).
    """

    def __init__(self, lexicon: Lexicon, kinds: Iterable[str], max_slot: int = 8) -> None:
        import ahocorasick_rs

        self.lexicon = lexicon
        self.max_slot = max_slot
        self.patterns: list[Pattern] = []
        for rule in lexicon.rules:
            if rule.kind not in kinds:
                continue
            for k, phrase in enumerate(rule.phrases):
                pat = compile_pattern(rule, phrase, k == 0, max_slot)
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

    def exact(self, text: str) -> list[tuple[Pattern, int, int]]:
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

    def candidates(self, codes: Sequence[str]) -> list[tuple[Pattern, int, int]]:
        """Stretches of text worth aligning: ``(pattern, lo, hi)``.

        A pattern is a candidate where the text shares at least 40% of its
        pinyin bigrams within one stretch about the phrase's length; the
        candidate is that stretch widened by the phrase's span, so long
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

    def span(self, pat: Pattern) -> int:
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
    assert isinstance(matcher, Matcher)
    return matcher


def role_weight(rule: Rule, speaker: str, options: MatchOptions) -> float:
    """Confidence factor of ``rule`` on ``speaker``'s speech (0: not allowed)."""
    if rule.role == "any" or rule.role == speaker:
        return 1.0
    if speaker == "unknown":
        return options.unknown_speaker_weight
    return 0.0


def plain(pat: Pattern) -> bool:
    """True when a pattern has no interior slot (it can be written out whole)."""
    return None not in pat.items
