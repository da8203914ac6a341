"""Numbers as they were said: Whisper's digits written back in Chinese characters.

Whisper writes many spoken numbers in Arabic digits (``14400元``, ``36个月``,
``3号窗口``) and others in characters, as its training subtitles did. People
in a service hall *say* 一万四千四百元, 三十六个月, 三号窗口; the lexicon
writes its phrases that way, human transcripts of Mandarin speech are written
that way, and the character error rate of a transcript is measured against
them. :func:`spoken_words` rewrites each number of a recognised piece as it
is read aloud in Mandarin:

* cardinal reading (``14400`` -> 一万四千四百, ``105`` -> 一百零五, ``10`` -> 十),
  thousands separators included (``305,334``);
* digit by digit where Mandarin reads digits: a year before 年 (``2023年`` ->
  二零二三年), a number with a leading zero, and long strings such as phone,
  account and ID numbers (more than 9 digits);
* decimals (``3.5`` -> 三点五), percentages (``50%`` -> 百分之五十) and ranges
  (``70-90`` -> 七十到九十);
* a lone ``2`` before a measure word is 两 (``2个月`` -> 两个月).

Full-width digits count as digits. Words keep their times: the words a
number spans become one word holding its reading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from analyzer.types import Word

_DIGITS = "零一二三四五六七八九"
_UNITS = ("", "十", "百", "千")
#: Measure words before which the number 2 is read 两.
_LIANG_BEFORE = frozenset("个位份张次天本件条家种点周岁层间辆只块元毛分年组台把项")
#: A year read digit by digit: four digits before 年.
_YEAR_DIGITS = 4
#: Longer digit strings are read digit by digit (phone, account, ID numbers).
_MAX_CARDINAL_DIGITS = 9
_D = r"[0-9０-９]"
#: A number: digits (thousands separators allowed), an optional fraction, an
#: optional percent sign, and optionally a range to a second such number.
_NUMBER = re.compile(
    rf"(?P<a>{_D}{{1,3}}(?:,{_D}{{3}})+|{_D}+)(?:[.．](?P<af>{_D}+))?(?P<ap>[%％])?"
    rf"(?:(?P<sep>[-~～—至])(?P<b>{_D}+)(?:[.．](?P<bf>{_D}+))?(?P<bp>[%％])?)?")


def spoken_text(text: str) -> str:
    """``text`` with every number written as it is read aloud."""
    return _NUMBER.sub(lambda m: _reading(m, text[m.end():m.end() + 1]), text)


def spoken_words(words: Sequence[Word]) -> list[Word]:
    """Words with their numbers as read aloud; the words a number spans become one."""
    text = "".join(w.text for w in words)
    if not any(_is_digit(c) for c in text):
        return list(words)
    owner = [i for i, w in enumerate(words) for _ in w.text]  # character -> word
    out: list[Word] = []
    done = 0  # words before this index are in ``out``
    for m in _NUMBER.finditer(text):
        first, last = owner[m.start()], owner[m.end() - 1]
        if first < done:  # shares a word with the previous number (already rewritten)
            continue
        out += words[done:first]
        head = words[first].text[: m.start() - _offset(words, first)]
        tail = words[last].text[m.end() - _offset(words, last):]
        said = _reading(m, text[m.end():m.end() + 1])
        span = words[first:last + 1]
        out.append(Word(head + said + tail, span[0].start, span[-1].end,
                        min(w.probability for w in span)))
        done = last + 1
    return out + list(words[done:])


def _offset(words: Sequence[Word], index: int) -> int:
    return sum(len(w.text) for w in words[:index])


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9" or "０" <= char <= "９"


def _reading(m: re.Match[str], after: str) -> str:
    """How the number ``m`` (followed by the character ``after``) is read."""
    if m.group("b") is None:
        return _one(m.group("a"), m.group("af"), m.group("ap"), after)
    # 10-20% -> 百分之十到百分之二十: the percent sign belongs to both ends
    first = _one(m.group("a"), m.group("af"), m.group("ap") or m.group("bp"), "")
    return first + "到" + _one(m.group("b"), m.group("bf"), m.group("bp"), after)


def _one(whole: str, fraction: str | None, percent: str | None, after: str) -> str:
    digits = unicodedata.normalize("NFKC", whole).replace(",", "")
    if (len(digits) == _YEAR_DIGITS and after == "年" and not fraction and not percent) \
            or (len(digits) > 1 and digits.startswith("0")) or len(digits) > _MAX_CARDINAL_DIGITS:
        said = _by_digit(digits)
    elif digits == "2" and not fraction and not percent and after in _LIANG_BEFORE:
        said = "两"
    else:
        said = cardinal(int(digits))
    if fraction:
        said += "点" + _by_digit(unicodedata.normalize("NFKC", fraction))
    return "百分之" + said if percent else said


def _by_digit(digits: str) -> str:
    return "".join(_DIGITS[int(c)] for c in digits)


def cardinal(n: int) -> str:
    """The Mandarin reading of a whole number below 10^12 (105 -> 一百零五, 10 -> 十)."""
    if n == 0:
        return "零"
    out = ""
    for size, name in ((10 ** 8, "亿"), (10 ** 4, "万"), (1, "")):
        chunk = n // size % 10 ** 4
        if chunk:
            gap = out and chunk < 1000 and not out.endswith("零")
            out += ("零" if gap else "") + _below_10000(chunk) + name
        elif out and n % size and not out.endswith("零"):
            out += "零"
    return out[1:] if out.startswith("一十") else out


def _below_10000(n: int) -> str:
    out, zero = "", False
    for power in range(3, -1, -1):
        digit = n // 10 ** power % 10
        if digit:
            out += ("零" if zero else "") + _DIGITS[digit] + _UNITS[power]
            zero = False
        elif out:
            zero = True
    return out
