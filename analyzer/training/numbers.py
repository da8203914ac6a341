"""Numbers of a person in transcripts: ID card, phone and bank card numbers,
licence plates, document numbers and accounts.

Numbers are found whether written (``13812345678``, full-width digits, grouped
with spaces or dashes, ``+86``), or spoken digit by digit as recognised from
speech (``幺三八一二三四五六七八``, with ``零/〇/洞`` for 0, ``幺`` for 1,
``两`` for 2), across the spaces, commas and dashes that recognition puts
between digit groups, and through common recognition homophones next to real
digits (``要三把E234567``). They are classified by their shape: 18 characters
with the GB 11643 check character are an ID card, 11 digits from 13–19 a
mobile, 7–8 digits or an area code a landline, 15–19 digits a bank card.
Partial numbers said with a cue (``尾号5678``, ``后四位``) are masked too.

What is not a person's number stays: dates (``20230504``), amounts
(``12,345.67元``, ``￥300``), short numbers (windows, queue numbers, counts,
the 12345-style hotlines), postcodes, 400/800 service numbers and the hall's
own published telephone (said with 大厅/中心/咨询电话 and not with 我的/家里).
"""

from __future__ import annotations

import re

from analyzer.training.spans import PiiSpan

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

#: Licence plates: a province's one-character abbreviation, the issuing
#: office's letter, then five (six for new-energy plates) letters and digits,
#: written or spoken, with or without a middle dot or space.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_CHAR = "A-Za-z0-9０-９零〇一二三四五六七八九幺两洞"
_PLATE_RE = re.compile(
    rf"[{PROVINCES}]\s?[A-HJ-NP-Za-hj-np-z](?:\s?[·•・.\-]\s?|\s)?[{_PLATE_CHAR}]{{5,6}}(?![{_PLATE_CHAR}])")
#: Characters read out one at a time (三、K、八、二、六): a plate or code spelled out.
_SPELLED_OUT_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9零〇一二三四五六七八九幺两](?:\s*[、，,\s]\s*[A-Za-z0-9零〇一二三四五六七八九幺两]){3,}"
    r"(?![A-Za-z0-9])")
_EMAIL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*\s?(?:@|＠)\s?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
#: An account name: letters and digits mixed (xiaoyu3307, wang_li88), or any
#: such token after an account cue (微信号…, QQ…, 用户名…).
_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_.\-@])[A-Za-z][A-Za-z0-9_.\-]{4,}[A-Za-z0-9](?![A-Za-z0-9_\-@])")
_ACCOUNT_CUE_RE = re.compile(r"(?:微信号?|QQ号?|qq号?|账号|帐号|用户名|昵称|ID|id|抖音号|支付宝)\s*(?:是|为|：|:)?\s*"
                             r"([A-Za-z0-9][A-Za-z0-9_.\-]{3,})")
#: A partial number said as such: 尾号5678, 后四位是…, 最后六位.
_PARTIAL_RE = re.compile(
    r"(?:尾号|尾数|末尾|后[四六4 6]位|末[四六4 6]位|最后[四六4 6]位|后几位|最后几位|后四个数|最后四个数)"
    r"\s*(?:是|为|：|:)?\s*([0-9０-９零〇一二三四五六七八九幺两洞]{3,6}[Xx叉]?)")
_POSTCODE_CUES = ("邮编", "邮政编码")
#: A public number: said as the hall's or a service's, not a person's.
_PUBLIC_CUES = ("大厅", "中心", "窗口的", "我们窗口", "本窗口", "咨询电话", "服务电话", "投诉电话",
                "监督电话", "服务热线", "热线", "办公电话", "值班电话", "我们这儿的电话", "我们的电话")
_PERSONAL_CUES = ("我的", "我家", "我手机", "本人", "他的", "她的", "您的", "单位", "家里", "联系",
                  "找我", "打我", "手机")


def find_numbers(text: str) -> list[PiiSpan]:
    """Every number of a person, plate and account in ``text`` (may overlap)."""
    spans = [s for s in _digit_runs(text) if s is not None]
    spans += _plates(text)
    spans += _partials(text)
    spans += _accounts(text)
    spans += _spelled_out(text)
    return spans


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
                runs.append(_classify(text, _extend_left(text, start), end, "".join(digits)))
        i = max(end, start + 1)
    return runs


def _extend_left(text: str, start: int) -> int:
    """Take in what belongs to a number before its first digit.

    An area code's bracket (``(010)6512 3456``), a ``+`` (``+86 138…``) and the
    letters of a document number (``G48201937``, ``K330104-2019-002215``).
    """
    if start and text[start - 1] in "(（+＋":
        return start - 1
    k = start
    while k and text[k - 1].isascii() and text[k - 1].isalpha() and start - k < 3:
        k -= 1
    if k < start and (k == 0 or not (text[k - 1].isascii() and text[k - 1].isalnum())):
        return k
    return start


#: What follows an amount of money or a share (12,345.67元, 30%).
_AMOUNT_AFTER = re.compile(r"\s*(?:元|块|圆|万|亿|角|分钱|%|％|人民币|平方|平米|公里|米|克|斤|岁|周岁|年)")
_AMOUNT_BEFORE = set("￥¥$")


def _is_date(digits: str) -> bool:
    """``YYYYMMDD`` of a plausible date (20230504, or 2023-05-04 read as digits)."""
    if len(digits) != 8 or not digits.isdigit() or digits[:2] not in ("19", "20"):
        return False
    month, day = int(digits[4:6]), int(digits[6:])
    return 1 <= month <= 12 and 1 <= day <= 31


def _classify(text: str, start: int, end: int, digits: str) -> PiiSpan | None:
    lettered = text[start].isascii() and text[start].isalpha()
    if digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        digits = digits[2:]  # +86 138 1234 5678
    n = len(digits)
    if n < 6 or (_is_date(digits) and not lettered):
        return None
    if _AMOUNT_AFTER.match(text, end) or (start and text[start - 1] in _AMOUNT_BEFORE):
        return None  # an amount of money, not a number of a person
    if lettered:
        return PiiSpan("number", start, end, text[start:end], digits)
    if n == 6 and _said_after(text, start, _POSTCODE_CUES):
        return None
    if digits.endswith("X") or (n == 18 and id_card_valid(digits)):
        kind = "id_card"
    elif n == 11 and digits[0] == "1" and digits[1] in "3456789":
        kind = "phone"
    elif n == 10 and digits[:3] in ("400", "800"):
        return None  # a company's service number
    elif 15 <= n <= 19:
        # a card number passes the Luhn check; one said with 卡 is a card even when a
        # digit was misheard; any other long number is masked all the same
        kind = "bank_card" if luhn_valid(digits) or "卡" in _clause_before(text, start) else "number"
    elif 7 <= n <= 8 or (digits[0] == "0" and 10 <= n <= 12):
        kind = "phone"
    else:
        kind = "number"
    if kind == "phone" and _is_public(text, start):
        return None
    return PiiSpan(kind, start, end, text[start:end], digits)


def _clause_before(text: str, start: int, width: int = 16) -> str:
    """The words before ``start`` in its clause (to the last full stop), at most ``width``."""
    head = text[max(0, start - width) : start]
    for stop in "。！？!?；;\n":
        head = head.rpartition(stop)[2]
    return head


def _said_after(text: str, start: int, cues: tuple[str, ...]) -> bool:
    return any(c in _clause_before(text, start, 10) for c in cues)


def _is_public(text: str, start: int) -> bool:
    """A telephone said as the hall's or a service's (我们大厅的咨询电话是…), not a person's."""
    head = _clause_before(text, start)
    return any(c in head for c in _PUBLIC_CUES) and not any(c in head for c in _PERSONAL_CUES)


def id_card_valid(digits: str) -> bool:
    """True when an 18-character number has the GB 11643 check character."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(digits[:17], weights, strict=True))
    return "10X98765432"[total % 11] == digits[17].upper()


def luhn_valid(digits: str) -> bool:
    """True when a card number passes the Luhn check (ISO/IEC 7812)."""
    if not digits.isdigit() or len(digits) < 12:
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _plates(text: str) -> list[PiiSpan]:
    """Licence plates (京A·12345, 沪AD12345, 鲁C 6P318, 苏E五K三八二)."""
    out = []
    for m in _PLATE_RE.finditer(text):
        tail = re.sub(r"[\s·•・.\-]", "", m.group()[2:])
        if sum(c in DIGITS for c in tail) >= 2:
            out.append(PiiSpan("plate", m.start(), m.end(), m.group()))
    return out


def _partials(text: str) -> list[PiiSpan]:
    """The last digits of a number said as such (尾号5678, 身份证后四位是…)."""
    out = []
    for m in _PARTIAL_RE.finditer(text):
        head = _clause_before(text, m.start(), 12) + text[m.end() : m.end() + 6]
        kind = ("bank_card" if "卡" in head else "id_card" if "身份证" in head else
                "phone" if any(c in head for c in ("手机", "电话", "号码")) else "number")
        digits = "".join(DIGITS.get(c, "X") for c in m.group(1))
        out.append(PiiSpan(kind, m.start(1), m.end(1), m.group(1), digits))
    return out


def _accounts(text: str) -> list[PiiSpan]:
    """E-mail addresses and account names (WeChat, QQ, user names)."""
    out = [PiiSpan("account", m.start(), m.end(), m.group()) for m in _EMAIL_RE.finditer(text)]
    for m in _ACCOUNT_CUE_RE.finditer(text):
        out.append(PiiSpan("account", m.start(1), m.end(1), m.group(1)))
    for m in _TOKEN_RE.finditer(text):
        token = m.group()
        if "-" in token:
            continue  # counter-2026-0012: an identifier of ours, not an account (one after a cue is)
        letters = sum(c.isalpha() for c in token)
        if sum(c.isdigit() for c in token) >= 2 and letters >= 2 or ("_" in token and letters >= 4):
            out.append(PiiSpan("account", m.start(), m.end(), token))
    return out


def _spelled_out(text: str) -> list[PiiSpan]:
    """Letters and digits read out one by one (三、K、八、二、六) with a letter among them."""
    out = []
    for m in _SPELLED_OUT_RE.finditer(text):
        chars = [c for c in m.group() if c not in "、，, "]
        letters = sum(c.isascii() and c.isalpha() for c in chars)
        if letters and len(chars) - letters >= 2:
            kind = "plate" if "车" in _clause_before(text, m.start(), 20) else "number"
            out.append(PiiSpan(kind, m.start(), m.end(), m.group()))
    return out
