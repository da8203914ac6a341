"""Recognition quality measures: character error rate and phrase recall.

Used by ``benchmarks/cer.py`` and the ASR tests. Both sides are compared
after the same light normalisation: simplified characters, no punctuation or
spaces, Latin letters lower-cased, so a comma Whisper added is not an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyzer.text.normalize import to_simplified

_NOT_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)


def cer_text(text: str) -> str:
    """The text as CER compares it: simplified, lower-case, no punctuation or spaces."""
    return _NOT_TEXT.sub("", to_simplified(text)).lower()


def edit_distance(ref: str, hyp: str) -> int:
    """Levenshtein distance (substitutions, insertions, deletions) between two strings."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        cur = [i]
        for j, h in enumerate(hyp, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def char_error_rate(pairs: Iterable[tuple[str, str]]) -> float:
    """Corpus CER: total edits over total reference characters.

    Args:
        pairs: (reference, hypothesis) texts.
    """
    edits = chars = 0
    for ref, hyp in pairs:
        r, h = cer_text(ref), cer_text(hyp)
        edits += edit_distance(r, h)
        chars += len(r)
    return edits / chars if chars else 0.0


def phrase_found(phrase: str, text: str, max_cer: float = 0.0) -> bool:
    """True when ``phrase`` occurs in ``text``, allowing ``max_cer`` edits per phrase character.

    With ``max_cer`` > 0 the best-matching window of ``text`` (same length as
    the phrase, plus or minus the allowed edits) is compared.
    """
    p, t = cer_text(phrase), cer_text(text)
    if not p:
        return True
    if p in t:
        return True
    allowed = int(max_cer * len(p))
    if allowed == 0:
        return False
    for size in range(max(1, len(p) - allowed), len(p) + allowed + 1):
        for start in range(0, max(1, len(t) - size + 1)):
            if edit_distance(p, t[start : start + size]) <= allowed:
                return True
    return False
