"""Pinyin readings of characters, for error-tolerant matching (one job: how alike two characters sound).

Every character is read as toneless pinyin (pypinyin, all readings of a
polyphone) and folded by the usual fuzzy pairs of Mandarin speakers and
recognizers: zh/z, ch/c, sh/s, n/l, an/ang, en/eng, in/ing (:func:`fold`).
:func:`char_score` rates a spoken character against a phrase character: same
character 1.0, same reading 0.9, same folded reading 0.8, same initial and a
final one contains 0.5, else 0. :func:`code` is a character's folded primary
reading, the key of the matcher's candidate search and of the transcript search.
"""

from __future__ import annotations

import functools
import re

_INITIAL_RE = re.compile(r"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])(?=.)")
_FUZZY_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "l": "n"}
_FUZZY_FINAL = {"ang": "an", "eng": "en", "ing": "in", "iang": "ian", "uang": "uan"}


def split_syllable(syl: str) -> tuple[str, str]:
    """Split a toneless syllable into initial and final (``zhang`` → ``zh``, ``ang``)."""
    m = _INITIAL_RE.match(syl)
    return (m.group(1), syl[m.end() :]) if m else ("", syl)


def fold(syl: str) -> str:
    """Fold one toneless syllable by the fuzzy initial/final pairs."""
    ini, fin = split_syllable(syl)
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
    return fold(lazy_pinyin(ch)[0])


@functools.lru_cache(maxsize=262144)
def char_score(p: str, t: str) -> float:
    """Similarity of a phrase character ``p`` and a spoken character ``t``."""
    if p == t:
        return 1.0
    rp, rt = readings(p), readings(t)
    if rp & rt:
        return 0.9
    fp, ft = {fold(s) for s in rp}, {fold(s) for s in rt}
    if fp & ft:
        return 0.8
    for a in fp:
        ia, fa = split_syllable(a)
        for b in ft:
            ib, fb = split_syllable(b)
            if ia == ib and ia and (fa.startswith(fb) or fb.startswith(fa)):
                return 0.5
    return 0.0
