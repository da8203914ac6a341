"""Stretches of text that may be a garbled lexicon phrase: the acoustic verifier's candidates.

One job: :func:`near_phrases` runs the matcher's candidate search and
alignment with a low bar, so the verifier (:mod:`analyzer.speech.verify`) can
score the phrase against the audio; :func:`locate` finds where a rule's
wording aligns best in a text, with no bar at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from analyzer.options import MatchOptions
from analyzer.text.align import Alignment, align_items
from analyzer.text.lexicon import Lexicon, Rule, pattern_parts
from analyzer.text.normalize import normalize_with_map
from analyzer.text.patterns import (
    Matcher,
    Pattern,
    compile_pattern,
    get_matcher,
    plain,
    role_weight,
)
from analyzer.text.pinyin import code


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
    codes = [code(c) for c in norm]
    best: dict[tuple[str, int], Near] = {}
    for pat, lo, hi in [*matcher.candidates(codes), *_generous(matcher, codes)]:
        if not plain(pat) or not role_weight(pat.rule, speaker, options):
            continue
        al = align_items(pat.items, norm[lo:hi], options.max_slot_chars)
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


def _generous(matcher: Matcher, codes: list[str]) -> list[tuple[Pattern, int, int]]:
    """Plain patterns with at least half their syllables in the text, over the whole text.

    The bigram search (:meth:`~analyzer.text.patterns.Matcher.candidates`)
    misses a phrase whose errors fall one or two characters apart (你的戒性盾塔
    for 你的记性真差 shares one bigram of five); the verifier must still
    consider it. A pattern whose syllables (fuzzy pinyin codes) are at least
    half present anywhere in the text is aligned against all of it.
    """
    have = Counter(codes)
    out = []
    for pat in matcher.patterns:
        if not plain(pat):
            continue
        need = Counter(code(c) for c in pat.items if c is not None)
        shared = sum(min(n, have[c]) for c, n in need.items())
        if 2 * shared >= pat.chars and shared >= 2:
            out.append((pat, 0, len(codes)))
    return out


def locate(rule: Rule, text: str, options: MatchOptions | None = None) -> Near | None:
    """Where in ``text`` the rule's best plain wording aligns best (no bar), or None."""
    options = options or MatchOptions()
    norm, origin = normalize_with_map(text)
    found: Near | None = None
    for phrase in rule.phrases:
        pat = compile_pattern(rule, phrase, False, options.max_slot_chars)
        if pat is None or not plain(pat) or not norm:
            continue
        al = align_items(pat.items, norm, options.max_slot_chars)
        if al is None or (found is not None and al.similarity <= found.similarity):
            continue
        s, e = _stretch(al, 0, len(norm))
        found = Near(rule, phrase_text(phrase), origin[s], origin[e - 1] + 1,
                     round(al.similarity, 4), al.clean and al.similarity >= 1.0)
    return found


def _stretch(al: Alignment, lo: int, length: int) -> tuple[int, int]:
    """The text an alignment covers, widened over phrase characters missing at its ends.

    你的记性准挑 aligns 你的记性真差 only as far as 你的记性; the garbled 准挑 is
    where 真差 was said, so it belongs to the stretch the phrase replaces.
    """
    return max(0, lo + al.start - al.lead), min(length, lo + al.end + al.trail)
