"""Recognition quality measures: character error rate and phrase recall.

Used by ``benchmarks/cer.py`` and the ASR tests. Both sides are compared
after the same light normalisation: simplified characters, no punctuation or
spaces, Latin letters lower-cased, so a comma Whisper added is not an error.
"""

from __future__ import annotations

import re
from collections import Counter
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


#: Characters of a number said aloud (and digits, where a text writes them so).
NUMBER_CHARS = frozenset("零〇一二两三四五六七八九十百千万亿点幺0123456789")

#: The kinds :func:`error_kinds` sorts edits into, in the order it tries them.
ERROR_KINDS = ("number", "clip edge", "clause edge", "homophone", "substitution",
               "insertion", "deletion")


def _alignment(ref: str, hyp: str) -> list[tuple[int, str, str]]:
    """A minimal edit script of ``hyp`` against ``ref``: (reference position,
    reference char or "", hypothesis char or "") per edit; an insertion carries
    the position of the reference character it stands before."""
    rows = [list(range(len(hyp) + 1))]
    for i, r in enumerate(ref, start=1):
        cur = [i]
        for j, h in enumerate(hyp, start=1):
            cur.append(min(rows[-1][j] + 1, cur[j - 1] + 1, rows[-1][j - 1] + (r != h)))
        rows.append(cur)
    edits: list[tuple[int, str, str]] = []
    i, j = len(ref), len(hyp)
    while i or j:
        if i and j and rows[i][j] == rows[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            if ref[i - 1] != hyp[j - 1]:
                edits.append((i - 1, ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i and rows[i][j] == rows[i - 1][j] + 1:
            edits.append((i - 1, ref[i - 1], ""))
            i -= 1
        else:
            edits.append((i, "", hyp[j - 1]))
            j -= 1
    return edits[::-1]


def _clause_edges(reference: str) -> set[int]:
    """Positions (in :func:`cer_text` of ``reference``) of the characters next to
    punctuation inside the reference (a clause's first or last character)."""
    edges: set[int] = set()
    kept = -1
    pending = False  # punctuation seen since the last kept character
    for ch in to_simplified(reference):
        if _NOT_TEXT.fullmatch(ch):
            if kept >= 0:
                edges.add(kept)
                pending = True
            continue
        kept += 1
        if pending:
            edges.add(kept)
            pending = False
    return edges


def error_kinds(reference: str, hypothesis: str, edge: int = 2) -> Counter[str]:
    """The edits of ``hypothesis`` against ``reference`` by kind (:data:`ERROR_KINDS`).

    Each edit counts once, as the first kind that fits: ``number`` (either side a
    number's character), ``clip edge`` (within ``edge`` characters of the clip's
    start or end: a cut or a padding error), ``clause edge`` (next to the
    reference's punctuation: a pause), ``homophone`` (a substitution that sounds
    alike, :func:`analyzer.text.pinyin.char_score` >= 0.8: heard, written wrong),
    else ``substitution``, ``insertion`` or ``deletion``. The counts sum to the
    edit distance of the two :func:`cer_text` texts.
    """
    from analyzer.text.pinyin import char_score

    ref, hyp = cer_text(reference), cer_text(hypothesis)
    clause = _clause_edges(reference)
    kinds: Counter[str] = Counter()
    for pos, r, h in _alignment(ref, hyp):
        if r in NUMBER_CHARS or h in NUMBER_CHARS:
            kind = "number"
        elif pos < edge or pos >= len(ref) - edge:
            kind = "clip edge"
        elif pos in clause or (not r and pos - 1 in clause):
            kind = "clause edge"
        elif r and h:
            kind = "homophone" if char_score(r, h) >= 0.8 else "substitution"
        else:
            kind = "insertion" if h else "deletion"
        kinds[kind] += 1
    return kinds


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
