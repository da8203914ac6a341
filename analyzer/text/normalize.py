"""Text normalization before lexicon matching (pipeline stage ``normalize``).

Speech recognition and typed transcripts write the same words in many ways:
traditional or simplified characters, full- or half-width letters and digits,
with or without punctuation, with filler particles (啊 呢 嘛 吧 …) and 儿化
endings. :func:`normalize` reduces all of them to one form; the lexicon's
phrases go through the same function, so both sides compare equal.

:func:`normalize_with_map` also returns, for every normalized character, the
index of the original character it came from, so a match found in normalized
text can quote the original text and be timed from word timestamps.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

#: Particles that carry no meaning for the lexicon (removed unless protected).
FILLERS: frozenset[str] = frozenset("啊呢嘛吧呀哦嗯呃额哈噢喔哎诶唉哇啦咯喽呗嘞呐吗欸哼")

#: Words that contain a filler character but are real words (kept whole).
_PROTECTED_WORDS = """
吧台 酒吧 网吧 贴吧 话吧 书吧 吧嗒 干嘛 喇嘛 吗啡 哈尔滨 哈密 哈达 哈萨克
金额 余额 额度 名额 额外 额头 限额 数额 税额 份额 定额 超额 差额 总额 面额 全额
额定 配额 啦啦队 呢子 呢绒 哇哈哈
"""
PROTECTED: tuple[str, ...] = tuple(_PROTECTED_WORDS.split())

#: Characters after which 儿 is an 儿化 ending (这儿 → 这, 一会儿 → 一会).
ERHUA_BEFORE: frozenset[str] = frozenset("这那哪点会玩事块边劲空样味片活门号词趣准信伴角圈份盖头")
#: Characters after 儿 that make it a word of its own (儿子, 儿童 …).
ERHUA_NOT_BEFORE: frozenset[str] = frozenset("子童女科歌孙媳时")


@functools.lru_cache(maxsize=1)
def _converter() -> Any:
    """The OpenCC traditional → simplified converter, created once.

    ``tw2s`` is OpenCC's ``t2s`` plus the Taiwan-standard variant characters
    that Whisper writes (忙著 → 忙着, while 著名 stays), which plain ``t2s``
    leaves unconverted.
    """
    import opencc

    return opencc.OpenCC("tw2s")


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified (OpenCC ``tw2s``)."""
    return str(_converter().convert(text))


def _simplified_chars(text: str) -> list[tuple[str, int]]:
    """Return (simplified piece, original index) for each original character.

    OpenCC converts phrase by phrase; when the whole-string conversion keeps
    the length (almost always), characters map one to one. Otherwise each
    character is converted on its own so the mapping stays exact.
    """
    converted = to_simplified(text)
    if len(converted) == len(text):
        return [(c, i) for i, c in enumerate(converted)]
    return [(to_simplified(c), i) for i, c in enumerate(text)]


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Width-fold, lower-case and drop punctuation/space/symbols for one char."""
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        cat = unicodedata.category(c)
        if cat[0] in "PZSC":
            continue
        out.append(c.lower())
    return "".join(out)


def _protected_mask(chars: list[str]) -> list[bool]:
    """Mark characters that belong to a protected word."""
    text = "".join(chars)
    mask = [False] * len(chars)
    for word in PROTECTED:
        start = text.find(word)
        while start != -1:
            for k in range(start, start + len(word)):
                mask[k] = True
            start = text.find(word, start + 1)
    return mask


def _drop_fillers(chars: list[str], index: list[int]) -> tuple[list[str], list[int]]:
    """Remove filler particles and 儿化 endings, keeping protected words."""
    mask = _protected_mask(chars)
    out_c: list[str] = []
    out_i: list[int] = []
    n = len(chars)
    for k, c in enumerate(chars):
        if not mask[k]:
            if c in FILLERS:
                continue
            if (
                c == "儿"
                and k > 0
                and chars[k - 1] in ERHUA_BEFORE
                and (k + 1 >= n or chars[k + 1] not in ERHUA_NOT_BEFORE)
            ):
                continue
        out_c.append(c)
        out_i.append(index[k])
    return out_c, out_i


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalize ``text`` and map each normalized character back to the original.

    Steps: traditional → simplified (OpenCC ``tw2s``), NFKC width folding (全角 →
    half-width), lower case, punctuation/whitespace/symbols removed, filler
    particles and 儿化 endings removed (protected words such as 吧台, 金额
    kept).

    Args:
        text: Text as written or recognised.

    Returns:
        ``(normalized, index)`` where ``index[i]`` is the position in ``text``
        of the character that produced ``normalized[i]``.
    """
    chars: list[str] = []
    index: list[int] = []
    for piece, i in _simplified_chars(text):
        for c in _fold_char(piece):
            chars.append(c)
            index.append(i)
    chars, index = _drop_fillers(chars, index)
    return "".join(chars), index


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Return the normalized form of ``text`` (see :func:`normalize_with_map`).

    Cached: the rules read the same utterance's normalized text several times.
    """
    return normalize_with_map(text)[0]
