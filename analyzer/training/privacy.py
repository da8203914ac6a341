"""Find and mask citizens' personal data in transcripts and audio.

Recordings of a service hall hold citizens' ID card numbers, phone numbers,
bank card numbers, home addresses and names. Training packs leave the inspection
team, so :mod:`analyzer.training.examples` masks these before export:

* in text, each span is replaced by a tag such as ``[电话号码]``;
* in audio, the span's time (from word timestamps, or estimated from the
  character position when a transcript has none) is overwritten by a tone or
  by silence.

Numbers are found whether written (``13812345678``, full-width digits) or
spoken digit by digit as recognised from speech (``幺三八一二三四五六七八``,
with ``零/〇/洞`` for 0, ``幺`` for 1, ``两`` for 2), across the spaces and
commas that recognition puts between digit groups. Addresses are found from a
cue (``住在``, ``地址是``, ``寄到`` ...) or from a chain of place units
(``...市...区...路12号``); they are masked in citizens' turns, where the
issue places them, while numbers are masked in every turn (staff often read a
number back). Names are found where a speaker gives one (``我叫王小明``,
``名字是…``, ``我姓欧阳``) or where someone is addressed by surname and title
(``王先生``, ``李女士``, ``张阿姨``: the surname is masked), in every turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from analyzer.types import Utterance, Word

#: Characters read as one digit each, as speech recognition writes them.
DIGITS: dict[str, str] = {
    **{str(i): str(i) for i in range(10)},
    **{chr(0xFF10 + i): str(i) for i in range(10)},  # full-width ０..９
    "零": "0", "〇": "0", "○": "0", "洞": "0",
    "幺": "1", "一": "1", "壹": "1",
    "二": "2", "两": "2", "貳": "2", "贰": "2",
    "三": "3", "叁": "3",
    "四": "4", "肆": "4",
    "五": "5", "伍": "5",
    "六": "6", "陆": "6", "陸": "6",
    "七": "7", "柒": "7",
    "八": "8", "捌": "8",
    "九": "9", "玖": "9",
}  # fmt: skip

#: Characters speech recognition writes for a spoken digit (homophones).
HOMOPHONES: dict[str, str] = {
    "要": "1", "腰": "1", "妖": "1", "E": "1", "e": "1", "衣": "1", "医": "1", "依": "1",
    "伞": "3", "散": "3", "寺": "4", "似": "4", "舞": "5", "午": "5", "武": "5",
    "流": "6", "溜": "6", "柳": "6", "妻": "7", "期": "7", "起": "7",
    "把": "8", "吧": "8", "爸": "8", "巴": "8", "扒": "8",
    "酒": "9", "久": "9", "旧": "9", "玲": "0", "铃": "0", "灵": "0", "令": "0", "凌": "0",
}  # fmt: skip
#: Share of a run that must be real digits (the rest may be homophones).
_MIN_REAL_SHARE = 0.6

#: Characters allowed between digit groups of one spoken number.
_SEPARATORS = set(" \t-–—－,，、.．·()（）")
_MAX_SEPARATOR_RUN = 3  # "150 - 7187 - 4633"
#: How the check character of an ID card number may be written or said.
_ID_CHECK_X = set("Xx叉ⅩＸ")

#: Tag that replaces each kind of span in masked text.
TAGS: dict[str, str] = {
    "id_card": "[身份证号]",
    "phone": "[电话号码]",
    "bank_card": "[银行卡号]",
    "number": "[号码]",
    "address": "[地址]",
    "name": "[姓名]",
}

#: Common Chinese surnames (single and compound), for names said with a title.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱"
    "江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐",
                      "夏侯", "尉迟", "长孙", "宇文", "司徒", "公孙", "端木", "南宫")
_TITLES = ("先生", "女士", "小姐", "阿姨", "大爷", "大妈", "大姐", "大哥", "师傅",
           "老师", "同志", "奶奶", "爷爷")
_SURNAME_RE = "|".join(_COMPOUND_SURNAMES) + f"|[{_SURNAMES}]"
#: A name right before a title: the surname (``王先生``) or the full name
#: (``王建国先生``) is the span.
_TITLE_NAME_RE = re.compile(rf"((?:{_SURNAME_RE})[\u4e00-\u9fff]{{0,2}}?)(?=(?:{'|'.join(_TITLES)}))")
#: Words after which a name follows: the speaker's own (我叫, 我叫做), a third
#: party's (他叫, 我老公叫, 我爸爸是), or a form's (申请人, 户主是, 联系人).
_NAME_CUES = (
    "我叫做", "叫做", "我叫", "他叫", "她叫", "本人叫", "名叫", "申请人是", "申请人", "户主是",
    "户主", "联系人是", "联系人", "，叫", ",叫", "法人是", "代办人是", "代办人", "经办人", "收件人是", "收件人",
    *(f"{kin}{verb}" for kin in ("爸爸", "妈妈", "父亲", "母亲", "老公", "爱人", "丈夫", "妻子",
                                 "老婆", "儿子", "女儿", "孩子", "哥哥", "姐姐", "弟弟", "妹妹")
      for verb in ("叫做", "叫", "是")),
)
_CUED_NAME_RE = re.compile(
    "(?:" + "|".join(sorted(map(re.escape, _NAME_CUES), key=len, reverse=True)) + r")\s*"
    rf"((?:{_SURNAME_RE})[\u4e00-\u9fff]{{1,2}})")
#: A name given after a cue: two or three characters, not a pronoun (``我叫你…``).
_GIVEN_NAME_RE = re.compile(
    r"(?:名字叫|名字是|姓名是)\s*"
    r"(?![你您他她它我咱])([\u4e00-\u9fff]{2,3})"
)
#: ``我是`` / ``本人是`` followed by a surname and one or two characters that
#: end the clause (``我是张伟。``; not ``我是周末来的``, ``我是张家口人``).
_I_AM_RE = re.compile(rf"(?:我是|本人是)\s*((?:{_SURNAME_RE})[\u4e00-\u9fff]{{1,2}})"
                      r"(?=[，。,.!！?？、；;\s]|$)")
#: A surname given alone (``我姓王``, ``免贵姓欧阳``).
_SURNAME_GIVEN_RE = re.compile(rf"姓\s*({_SURNAME_RE})")

#: Words after which a citizen says an address.
_ADDRESS_CUES = (
    "地址是", "地址在", "地址为", "住址是", "住址", "地址", "住在", "家住", "家在",
    "寄到", "邮寄到", "送到", "搬到", "户籍在", "户口在",
)  # fmt: skip
_PLACE_UNITS = (
    "自治区", "自治州", "街道", "大道", "胡同", "小区", "花园", "公寓", "大厦", "社区",
    "省", "市", "区", "县", "旗", "镇", "乡", "村", "路", "街", "巷", "弄", "里",
)  # fmt: skip
_NUM = "0-9０-９零〇一二三四五六七八九十百幺两"
_HOUSE = rf"[{_NUM}]+(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|组)"
_UNIT_RE = "|".join(_PLACE_UNITS)
#: Two or more place units in a row, then optional house numbers; or one
#: place unit followed by a house number.
_ADDRESS_RE = re.compile(
    rf"(?:[\u4e00-\u9fff]{{1,6}}?(?:{_UNIT_RE})){{2,}}(?:{_HOUSE})*"
    rf"|[\u4e00-\u9fff]{{1,6}}?(?:{_UNIT_RE})(?:{_HOUSE})+"
)
_CUE_RE = re.compile("|".join(re.escape(c) for c in sorted(_ADDRESS_CUES, key=len, reverse=True)))
_ADDRESS_STOP = set("。！？!?；;\n")
_ADDRESS_MAX = 40


@dataclass(frozen=True)
class PiiSpan:
    """A piece of personal data found in a text.

    Attributes:
        kind: ``id_card``, ``phone``, ``bank_card``, ``number`` (another long
            number), ``address`` or ``name``.
        start: Offset of the first character in the text.
        end: Offset after the last character.
        text: The characters as found.
        digits: The number as ASCII digits (empty for addresses).
    """

    kind: str
    start: int
    end: int
    text: str
    digits: str = ""


def find_pii(text: str, *, addresses: bool = True) -> list[PiiSpan]:
    """Find ID card, phone and bank card numbers, names and addresses in a text.

    Args:
        text: A transcript turn, written or recognised.
        addresses: Also look for addresses (citizens' turns).

    Returns:
        Non-overlapping spans in text order. Traditional characters are read
        as simplified (張偉, 臺北市…號), positions staying those of ``text``.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    if len(simple) == len(text):
        text = simple
    spans = [s for s in _digit_runs(text) if s is not None]
    spans += _names(text)
    if addresses:
        spans += _addresses(text)
    return _merge(spans)


def _names(text: str) -> list[PiiSpan]:
    """Names given after a cue, surnames given alone or said with a title."""
    spans = []
    for pattern in (_GIVEN_NAME_RE, _CUED_NAME_RE, _I_AM_RE, _SURNAME_GIVEN_RE, _TITLE_NAME_RE):
        for m in pattern.finditer(text):
            found = m.group(1)
            if pattern is _GIVEN_NAME_RE and found.startswith(_NOT_NAME_STARTS):
                continue  # 名字叫什么 / 我叫不出来: no name given
            spans.append(PiiSpan("name", m.start(1), m.end(1), found))
    return spans


#: How ``名字是…`` continues when no name follows.
_NOT_NAME_STARTS = ("什么", "啥", "不", "来", "想", "要", "在", "这", "那", "一")


def mask_text(text: str, *, addresses: bool = True) -> str:
    """Return ``text`` with every personal-data span replaced by its tag."""
    return _replace(text, find_pii(text, addresses=addresses))


def _replace(text: str, spans: Sequence[PiiSpan]) -> str:
    out, pos = [], 0
    for s in spans:
        out.append(text[pos : s.start])
        out.append(TAGS[s.kind])
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


def _digit_at(text: str, i: int) -> str | None:
    """The digit character ``i`` stands for, or None.

    A homophone that speech recognition writes for a spoken digit
    (``要`` for 幺, ``把`` for 八, ``E`` for 一 ...) counts only next to a real
    digit, so ordinary words are never read as numbers.
    """
    ch = text[i]
    if ch in DIGITS:
        return DIGITS[ch]
    if ch in HOMOPHONES:
        near = (text[i - 1] if i > 0 else "") + (text[i + 1] if i + 1 < len(text) else "")
        if any(c in DIGITS for c in near):
            return HOMOPHONES[ch]
    return None


def _digit_runs(text: str) -> list[PiiSpan | None]:
    """Split the text into runs of digits (separators allowed) and classify them."""
    runs: list[PiiSpan | None] = []
    i, n = 0, len(text)
    while i < n:
        if _digit_at(text, i) is None:
            i += 1
            continue
        start, digits, end, j, gap, real = i, [], i, i, 0, 0
        while j < n:
            ch, digit = text[j], _digit_at(text, j)
            if digit is not None:
                digits.append(digit)
                real += ch in DIGITS
                end, gap = j + 1, 0
            elif ch in _ID_CHECK_X and len(digits) == 17:
                digits.append("X")
                end = j + 1
                break
            elif ch in _SEPARATORS and gap < _MAX_SEPARATOR_RUN:
                gap += 1
            else:
                break
            j += 1
        if real >= _MIN_REAL_SHARE * len(digits):
            lead = 0  # homophones before the first real digit (受理日期2023…: 期 is not 7)
            while lead < len(digits) and text[start + lead] in HOMOPHONES:
                lead += 1
            if _is_date("".join(digits[lead:])):
                runs.append(None)
            else:
                # an area code in brackets is part of the number: (010)6512 3456
                opened = start > 0 and text[start - 1] in "(（"
                runs.append(_classify(text, start - opened, end, "".join(digits)))
        i = max(end, start + 1)
    return runs


#: What follows an amount of money or a share (12,345.67元, 30%).
_AMOUNT_AFTER = re.compile(r"\s*(?:元|块|圆|万|亿|角|分钱|%|％|人民币)")
_AMOUNT_BEFORE = set("￥¥$")


def _is_date(digits: str) -> bool:
    """``YYYYMMDD`` of a plausible date (20230504, or 2023-05-04 read as digits)."""
    if len(digits) != 8 or not digits.isdigit() or digits[:2] not in ("19", "20"):
        return False
    month, day = int(digits[4:6]), int(digits[6:])
    return 1 <= month <= 12 and 1 <= day <= 31


def _classify(text: str, start: int, end: int, digits: str) -> PiiSpan | None:
    n = len(digits)
    if n < 6 or _is_date(digits):
        return None
    if _AMOUNT_AFTER.match(text, end) or (start and text[start - 1] in _AMOUNT_BEFORE):
        return None  # an amount of money, not a number of a person
    if digits.endswith("X") or (n == 18 and id_card_valid(digits)):
        kind = "id_card"
    elif n == 11 and digits[0] == "1" and digits[1] in "3456789":
        kind = "phone"
    elif 15 <= n <= 19:
        kind = "bank_card"
    elif 7 <= n <= 8 or (digits[0] == "0" and 10 <= n <= 12):
        kind = "phone"
    else:
        kind = "number"
    return PiiSpan(kind, start, end, text[start:end], digits)


def id_card_valid(digits: str) -> bool:
    """True when an 18-character number has the GB 11643 check character."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(digits[:17], weights, strict=True))
    return "10X98765432"[total % 11] == digits[17].upper()


def _addresses(text: str) -> list[PiiSpan]:
    spans = []
    for m in _CUE_RE.finditer(text):
        end = m.end()
        while end < len(text) and text[end] not in _ADDRESS_STOP and end - m.end() < _ADDRESS_MAX:
            if text[end] in "，," and not _continues_address(text, end + 1):
                break
            end += 1
        if end > m.end() and _looks_like_address(text[m.end() : end]):
            spans.append(PiiSpan("address", m.end(), end, text[m.end() : end]))
    for m in _ADDRESS_RE.finditer(text):
        start = _after_cue(text, m.start(), m.end())
        spans.append(PiiSpan("address", start, m.end(), text[start : m.end()]))
    return spans


def _after_cue(text: str, start: int, end: int) -> int:
    """Move a place-chain match past a cue it swallowed (``我住在北京市`` -> ``北京市``)."""
    best = start
    for cue in _ADDRESS_CUES:
        k = text.find(cue, start, end)
        if k >= 0 and k + len(cue) < end:
            best = max(best, k + len(cue))
    return best


def _continues_address(text: str, pos: int) -> bool:
    """True when the text after a comma still reads as part of an address."""
    rest = text[pos : pos + 8]
    return bool(re.match(rf"\s*[{_NUM}]", rest)) or any(u in rest[:4] for u in _PLACE_UNITS)


def _looks_like_address(segment: str) -> bool:
    return any(u in segment for u in _PLACE_UNITS) or bool(re.search(_HOUSE, segment))


def _merge(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Sort spans and merge overlaps (a number inside an address stays the address)."""
    spans = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    out: list[PiiSpan] = []
    for s in spans:
        if out and s.start < out[-1].end:
            last = out[-1]
            if s.end > last.end:
                out[-1] = replace(last, end=s.end)
            continue
        out.append(s)
    return out


def mask_utterances(
    utterances: Sequence[Utterance], *, pad: float = 0.0
) -> tuple[list[Utterance], list[tuple[float, float, str]]]:
    """Mask personal data in a transcript and say which times to mask in audio.

    Numbers, names and addresses are looked for in every turn (a clerk reads
    an address back as often as a citizen says it). Times come from word timestamps where the
    utterance has them; otherwise they are estimated from the character
    position within the utterance, widened by half a second each side.

    Args:
        utterances: The transcript.
        pad: Seconds added each side of a span found from word timestamps.

    Returns:
        The masked utterances (words of masked spans dropped) and the
        ``(start, end, kind)`` time spans to mask in the audio.
    """
    masked: list[Utterance] = []
    times: list[tuple[float, float, str]] = []
    for u in utterances:
        addresses = True
        spans = find_pii(u.text, addresses=addresses)
        words = list(u.words)
        if words:
            word_spans, words = _word_spans(words, addresses)
            times += [(max(u.start, a - pad), min(u.end, b + pad), k) for a, b, k in word_spans]
        elif spans:
            times += [_estimate(u, s) for s in spans]
        masked.append(replace(u, text=_replace(u.text, spans), words=tuple(words)))
    return masked, sorted(times)


def _word_spans(
    words: list[Word], addresses: bool
) -> tuple[list[tuple[float, float, str]], list[Word]]:
    """Find personal data across word boundaries; return its times and the kept words."""
    owner: list[int] = []
    texts = []
    for i, w in enumerate(words):
        t = w.text.strip()
        texts.append(t)
        owner += [i] * len(t)
    joined = "".join(texts)
    spans = find_pii(joined, addresses=addresses)
    out, drop = [], set()
    for s in spans:
        first, last = owner[s.start], owner[s.end - 1]
        out.append((words[first].start, words[last].end, s.kind))
        drop.update(range(first, last + 1))
    kept = [w if i not in drop else Word("*", w.start, w.end, w.probability) for i, w in enumerate(words)]
    return out, kept


def _estimate(u: Utterance, s: PiiSpan, widen: float = 0.5) -> tuple[float, float, str]:
    """Estimate a span's time from its character position (no word timestamps)."""
    n = max(len(u.text), 1)
    dur = max(u.end - u.start, 0.0)
    a = u.start + dur * s.start / n - widen
    b = u.start + dur * s.end / n + widen
    return (max(u.start, a), min(u.end, b), s.kind)


def mask_audio(
    samples: np.ndarray,
    sample_rate: int,
    spans: Sequence[tuple[float, float] | tuple[float, float, str]],
    *,
    mode: str = "tone",
    pad: float = 0.15,
    offset: float = 0.0,
    tone_hz: float = 1000.0,
    tone_level: float = 0.1,
) -> np.ndarray:
    """Overwrite time spans of audio with a tone or with silence.

    Args:
        samples: float32 ``[channels, n]`` (or 1-D mono) audio; not modified.
        sample_rate: Samples per second.
        spans: ``(start, end[, kind])`` in seconds of the original recording.
        mode: ``tone`` (an audible beep, so listeners know data was cut) or
            ``silence``.
        pad: Seconds widened on each side of every span.
        offset: Time of ``samples[..., 0]`` in the original recording (a clip
            cut from the middle of a call).
        tone_hz: Frequency of the tone.
        tone_level: Peak amplitude of the tone (0.1 = -20 dBFS).

    Returns:
        A masked copy with the same shape.
    """
    if mode not in ("tone", "silence"):
        raise ValueError(f"mask mode must be 'tone' or 'silence', not {mode!r}")
    out = np.array(samples, dtype=np.float32, copy=True)
    view = out.reshape(1, -1) if out.ndim == 1 else out
    n = view.shape[1]
    for span in spans:
        a = int(round((span[0] - pad - offset) * sample_rate))
        b = int(round((span[1] + pad - offset) * sample_rate))
        a, b = max(a, 0), min(b, n)
        if b <= a:
            continue
        if mode == "silence":
            view[:, a:b] = 0.0
        else:
            t = np.arange(b - a, dtype=np.float32) / sample_rate
            view[:, a:b] = (tone_level * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
    return out
