"""Recognition noise for training rows: the errors Whisper makes in Chinese, seeded.

Homophone swaps (same toned pinyin, via pypinyin, among the characters the
phrasings use and a pool of characters Whisper often confuses), traditional
characters (OpenCC ``s2t``), dropped sentence-final particles, dropped
punctuation. Shared by :mod:`analyzer.training.classifiers.build_data` and
:mod:`analyzer.training.classifiers.acts`.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from analyzer.training.classifiers import phrasings as P

_PUNCT = ",。?!、;:" + string.punctuation + " "
#: Characters Whisper often confuses, added to the homophone pool.
_EXTRA_CHARS = "的地得在再做作那哪他她它们门吗嘛马码啊阿吧把爸呢以已意义议一衣医号好办半伴是事市式试视" \
    "知之只纸至制治志里理李力立利例你呢拟年念您请情清轻晴青问文闻稳等登灯"


@lru_cache(maxsize=1)
def _homophones() -> dict[str, tuple[str, ...]]:
    """Map each character of the phrasings to others with the same toned pinyin."""
    from pypinyin import Style, pinyin

    chars = set(_EXTRA_CHARS)
    for phr in _all_phrasings():
        chars.update(phr)
    for values in P.SLOTS.values():
        for v in values:
            chars.update(v)
    groups: dict[str, list[str]] = {}
    for ch in sorted(c for c in chars if "\u4e00" <= c <= "\u9fff"):
        py = pinyin(ch, style=Style.TONE3, heteronym=False)[0][0]
        groups.setdefault(py, []).append(ch)
    out: dict[str, tuple[str, ...]] = {}
    for members in groups.values():
        for ch in members:
            others = tuple(m for m in members if m != ch)
            if others:
                out[ch] = others
    return out


def _all_phrasings() -> Iterator[str]:
    for labels in P.TASKS.values():
        for phr in labels.values():
            yield from phr.values()


def _homophone_swap(text: str, rng: random.Random) -> str:
    table = _homophones()
    positions = [i for i, ch in enumerate(text) if ch in table]
    if not positions:
        return text
    chars = list(text)
    for i in rng.sample(positions, min(len(positions), rng.choice((1, 1, 2)))):
        chars[i] = rng.choice(table[chars[i]])
    return "".join(chars)


@lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def recognition_noise(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """Inject recognition errors; return the text and the names applied."""
    applied = []
    if rng.random() < 0.3:
        swapped = _homophone_swap(text, rng)
        if swapped != text:
            text = swapped
            applied.append("homophone")
    if rng.random() < 0.25:
        text = _s2t().convert(text)
        applied.append("traditional")
    if rng.random() < 0.2:
        dropped = re.sub(f"[{''.join(P.PARTICLES)}](?=[{re.escape(_PUNCT)}]|$)", "", text)
        if dropped and dropped != text:
            text = dropped
            applied.append("no_particles")
    if rng.random() < 0.5:
        text = "".join(ch for ch in text if ch not in _PUNCT)
        applied.append("no_punct")
    return text, applied
