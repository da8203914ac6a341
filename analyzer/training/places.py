"""Addresses of a person in transcripts.

An address is found from a cue (``住在``, ``家住``, ``地址是``, ``寄到``,
``户籍在``, ``坐落在`` …) or from a chain of place units, whichever comes
(``…省…市…区…街道…小区3号楼2单元502``, ``…镇…村五组41号``,
``…花园6栋1单元702``), with the house-number tail (号楼, 栋, 单元, 室, 组,
社, 门牌号) said after a comma. Addresses of the hall itself and of public
places (我们大厅在…路…号, 人民医院在…) are not a person's and stay.
"""

from __future__ import annotations

import re

from analyzer.training.spans import PiiSpan

#: Words after which a person says an address.
ADDRESS_CUES = (
    "地址是", "地址在", "地址为", "地址：", "地址:", "住址是", "住址", "地址", "住在", "家住", "家在",
    "我住", "现住", "居住在", "寄到", "邮寄到", "送到", "搬到", "户籍在", "户口在", "坐落在",
    "坐落于", "具体是", "门牌号是", "门牌号",
)  # fmt: skip
PLACE_UNITS = (
    "自治区", "自治州", "自治县", "街道", "大道", "胡同", "小区", "花园", "家园", "嘉园", "公寓",
    "大厦", "社区", "新村", "广场", "省", "市", "区", "县", "旗", "镇", "乡", "村", "路", "街",
    "巷", "弄", "里", "苑", "庄", "屯",
)  # fmt: skip
_ONE_CHAR_UNITS = frozenset(u for u in PLACE_UNITS if len(u) == 1 and u != "里")
#: 里 is a place unit (和平里) except in these words.
_NOT_PLACE = re.compile(r"[这那哪家心城村屋手夜公]里")
#: Names of housing estates end in these; an estate counts as a place when a house number follows.
_ESTATE_ENDS = "园苑府城湾庭居邸坊阁轩墅"
_NUM = "0-9０-９零〇一二三四五六七八九十百幺两"
_HOUSE = rf"(?:[{_NUM}]+(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|组|社|户)|[之附][{_NUM}]+号)"
#: A room number said bare after the last unit (…1单元702).
_ROOM = rf"(?:(?<=[元楼栋幢座])[{_NUM}]{{3,4}}(?![{_NUM}号室层楼]))?"
_UNIT_RE = "|".join(PLACE_UNITS)
#: Two or more place units in a row, then optional house numbers; or one
#: place unit (or an estate name) followed by a house number.
_ADDRESS_RE = re.compile(
    rf"(?:[\u4e00-\u9fff]{{1,6}}?(?:{_UNIT_RE})){{2,}}(?:{_HOUSE})*{_ROOM}"
    rf"|[\u4e00-\u9fff]{{1,6}}?(?:{_UNIT_RE}|[{_ESTATE_ENDS}])(?:{_HOUSE})+{_ROOM}"
)
_CUE_RE = re.compile("|".join(re.escape(c) for c in sorted(ADDRESS_CUES, key=len, reverse=True)))
_STOP = set("。！？!?；;\n")
_MAX = 40
#: The hall, public places and institutions: their addresses are not a person's.
_PUBLIC = ("大厅", "中心", "我们这", "我们单位", "本厅", "医院", "车站", "火车站", "汽车站", "学校",
           "公园", "银行", "派出所", "公安局", "局", "法院", "图书馆", "博物馆", "超市", "商场",
           "办事处", "营业厅", "邮局", "酒店", "宾馆", "服务站", "店", "市场", "药房", "政府", "管委会")
_PERSONAL = ("我家", "住", "家住", "家在", "寄到", "送到", "户籍", "户口", "我的", "房子",
             "老家", "您家", "您的", "他家", "她家", "收件")


def find_addresses(text: str) -> list[PiiSpan]:
    """Addresses of a person in ``text`` (may overlap)."""
    spans = []
    for m in _CUE_RE.finditer(text):
        begin = m.end() + text.startswith(("在", "于", "写", "填", "是"), m.end())  # 我住在…, 地址写…
        end = begin
        while end < len(text) and text[end] not in _STOP and end - begin < _MAX:
            if text[end] in "，," and not _continues(text, end + 1):
                break
            end += 1
        while end > begin and text[end - 1] in "，, ":
            end -= 1
        piece = text[begin:end]
        if end > begin and _looks_like_address(piece) and not _is_public(text, m.start()):
            spans.append(PiiSpan("address", begin, end, piece))
    for m in _ADDRESS_RE.finditer(text):
        if _NOT_PLACE.search(m.group()) and not _ADDRESS_RE.fullmatch(_NOT_PLACE.sub("", m.group())):
            continue
        start = _after_cue(text, m.start(), m.end())
        end = _with_tail(text, m.end())
        if start > m.start() and not _ADDRESS_RE.fullmatch(text, start, m.end()):
            continue  # what is left after the cue is no chain of places (这里是|市…)
        if not _is_public(text, start):
            spans.append(PiiSpan("address", start, end, text[start:end]))
    return spans


def _after_cue(text: str, start: int, end: int) -> int:
    """Move a place-chain match past a cue it swallowed (``我住在北京市`` -> ``北京市``)."""
    best = start
    for m in _CUE_RE.finditer(text, start, end):
        if m.end() < end:
            best = max(best, m.end())
    for m in _VERB_RE.finditer(text, best, min(end, best + 8)):
        best = max(best, m.end())  # 我们大厅在…, 医院位于…: the place starts after the verb
    return best


_VERB_RE = re.compile(r"在|位于|是|到|住|写|填")


def _with_tail(text: str, end: int) -> int:
    """Take in a unit right after the chain (…东街|村) and a house number said after a comma (…三社，门牌号是17号)."""
    while end < len(text) and text[end] in _ONE_CHAR_UNITS:
        end += 1
    m = re.match(rf"[，,\s]*(?:门牌号?(?:是|为)?|具体是)?\s*(?:{_HOUSE})+{_ROOM}", text[end:])
    return end + m.end() if m else end


def _continues(text: str, pos: int) -> bool:
    """True when the text after a comma still reads as part of an address."""
    rest = text[pos : pos + 8]
    return (bool(re.match(rf"\s*(?:门牌|[{_NUM}])", rest))
            or any(u in rest[:4] for u in PLACE_UNITS if len(u) > 1 or u in "省市区县镇乡村路街"))


def _looks_like_address(segment: str) -> bool:
    return any(u in segment for u in PLACE_UNITS) or bool(re.search(_HOUSE, segment))


def _is_public(text: str, start: int) -> bool:
    """True when the address is said as the hall's or a public place's (我们大厅在…)."""
    head = re.split(r"[。！？!?；;\n]", text[max(0, start - 14) : start])[-1]
    return any(p in head for p in _PUBLIC) and not any(p in head for p in _PERSONAL)
