"""Aligning a lexicon phrase inside a stretch of spoken text (one job: the alignment).

A semi-global alignment: the whole phrase is consumed in order, text before
and after it is free. Each aligned character scores
:func:`analyzer.text.pinyin.char_score`; an unrelated character costs
:data:`SUB_PENALTY`, a missing one :data:`DELETE_PENALTY` (:data:`EDGE_PENALTY`
at the phrase's start or end: a truncated phrase is weaker evidence), an extra
one inside the phrase :data:`INSERT_PENALTY`; interior slots (``XXX``) take 1-8
characters free. The similarity is the score over the phrase's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.text.pinyin import char_score

#: Alignment costs (in units of one matched character).
INSERT_PENALTY = 0.75
#: Extra cost of a phrase character missing at the phrase's start or end (a
#: truncated phrase, e.g. 投诉好了 for 你去投诉好了, is weaker evidence).
EDGE_PENALTY = 0.5
#: Cost of a phrase character missing inside the phrase.
DELETE_PENALTY = 0.25
#: Cost of a phrase character aligned to an unrelated spoken character.
SUB_PENALTY = 0.25


def phrase_items(parts: Sequence[str | None]) -> tuple[str | None, ...]:
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


@dataclass(frozen=True)
class Alignment:
    start: int  # first matched text position (normalized)
    end: int  # one past the last matched text position
    similarity: float
    clean: bool  # no missing, extra or unmatched characters
    weakest: float  # lowest char_score among matched characters
    lead: int = 0  # phrase items before the first matched one (missing at the start)
    trail: int = 0  # phrase items after the last matched one (missing at the end)


def align(pat_parts: Sequence[str | None], text: str, max_slot: int = 8) -> Alignment | None:
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
    return align_items(phrase_items(pat_parts), text, max_slot)


def align_items(items: Sequence[str | None], text: str, max_slot: int) -> Alignment | None:
    """:func:`align` on precomputed alignment items (:func:`phrase_items`)."""
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
) -> Alignment | None:
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
    return Alignment(min(matched), max(matched) + 1, max(0.0, score) / n_chars, clean, weakest,
                      min(hit_items), len(items) - 1 - max(hit_items))
