"""一次性告知 (Article 18): materials told at once, not piecemeal, in one visit or across visits.

"当服务对象提交的申请材料不齐全或者不符合法定形式的，要当场一次性告知需要补充的全部
内容". The duty is breached when the clerk

* **adds** a material after an earlier telling of the materials (a list, a
  turn-away for something missing, an earlier addition) was *closed*, and the
  added material was not named before (:func:`piecemeal`, ``how="added"``):
  还得有孩子的出生证明 after the citizen fetched the first missing paper. A
  telling is closed (:func:`closed`) when the citizen acted on it (handed the
  papers over, went and fetched them: :data:`ACTED`, or a pause of
  :data:`FETCH_SECONDS`), when the clerk went on to check or process them
  (:data:`CHECKED`), when the clerk said that was all (:data:`ALL_TOLD`) and
  the citizen answered, when the citizen closed it in words (记下了, 明白了, 那我
  回去准备: :data:`CLOSED_BY_CITIZEN`), or when the clerk adds as an
  afterthought (哦对了, 忘了说: :data:`AFTERTHOUGHT`) after the citizen's words.
  Materials explained over several turns — the citizen asking where to get
  one, taking them down, asking 还有吗 (:data:`IN_PROGRESS`) — are one telling;
* **puts off** telling the rest (:func:`piecemeal`, ``how="deferred"``):
  先把这个补上，其他的下回再说; on the phone, 您来了再看还缺什么, or the whole list
  until the caller comes in (材料挺多的，您来了再说: :func:`deferred_by_words`);
* reveals a further material on a visit the citizen says is a repeat because
  of an earlier visit that did not tell everything (``how="across_visits"``):
  上次没说还要这个 … 还得有公证书; or, on a visit the citizen says is a return
  (:data:`RETURN_VISIT`: 我又来了, 第二趟, 上次你说缺户口本), requires a further
  material (还得有, 另外: :func:`_more_than_brought`) that the citizen does not
  then hand over — 要A，再加一张B on a return visit asks for the papers to check.
  A staff sentence that states a need and then asks after it (还得有公证书，你有吗？)
  adds the material;
* tells the materials **one by one** over the turns of one visit: after
  :data:`ONE_BY_ONE` turns that each told a new material with the citizen's
  words between them, a further one added in a later turn is piecemeal with no
  对了/忘了 and whatever the citizen answered (:func:`_one_by_one`).

Cues come from the lexicon (``materials_listed``, ``materials_added``,
``materials_deferred``, ``earlier_visit``), from the staff act detector
(:mod:`analyzer.rules.acts`) and, for additions, from the words themselves
(:func:`added_by_words`: 还得再准备一张银行卡, 病历也得有). An earlier telling must
name a material (到社区开就可以 says where, it lists nothing); where no cue reads
a telling, one is read from the words (:func:`told_by_words`: 户口本得带上) to
close a list, never as a finding; a copy said to be
missing (还缺一份复印件) is of a material told, 另外还得带原件 asks for more. ``A18-EARLIER`` (0 points) still marks every
earlier-visit remark for the inspector.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from analyzer.i18n import gettext as _
from analyzer.rules.acoustics import measure_finding, measure_rule
from analyzer.types import Cue, Finding, Interaction, Utterance

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon

#: Cue kinds that tell the citizen materials (a list, something missing, an addition).
TOLD = ("materials_listed", "materials_added", "incomplete_materials")
#: A material named in a sentence (证明, 户口本, 申请表, 公证书, 照片 …).
_MATERIAL = re.compile(r"[\u4e00-\u9fff]{1,5}?(?:证明|证书|证|本|簿|书|表|照片|照|合同|协议|发票|卡|章|"
                       r"件|记录|流水|报告|决议|章程|凭证|原件|复印件|病历|执照|存折|档案|保单|回执|收据|单据|图纸|图)")
#: Leading words that are not part of a material's name.
_LEAD = re.compile(r"^(?:还|得|要|需|带|交|补|有|个|一份|一张|一个|再|也|另外|对了|就|差|缺|少|"
                   r"的|和|跟|或者|以及|还有|还得|还要|还需要|需要|提供|准备|开|办)+")


#: Words that qualify a material rather than name a new one (原件, 复印件 …).
_QUALIFIERS = frozenset({"原件", "复印件", "印件", "材料", "证件", "东西", "表格", "一份", "两份"})


#: Words the material pattern reads that name no paper (不符合条件, 案件, 事件).
_NOT_MATERIALS = ("条件", "案件", "事件", "软件", "邮件", "拍照", "照相", "合照",  # 去拍照 is a step
                  "那件", "这件", "一件", "哪件",  # 我那件到现在还在路上: a thing (a coat), no paper (session 12)
                  "领证", "办证", "出证", "拿证", "制证", "发证")  # 带身份证来领证: a step, no paper (session 13)


#: Characters that make a material's name an office's (公证处, 证件所): no paper.
_OFFICE_AFTER = frozenset("处所局站科厅")


def materials_named(text: str) -> set[str]:
    """The materials a sentence names, by their last three characters (户口本, 公证书 …).

    Qualifiers (原件, 复印件, 材料) are not materials of their own.
    """
    from analyzer.text.normalize import to_simplified

    out = set()
    simple = to_simplified(text)
    for m in _MATERIAL.finditer(simple):
        if simple[m.end():m.end() + 1] in _OFFICE_AFTER:
            continue  # 到公证处, 去派出所: an office, no paper (session 13)
        name = _LEAD.sub("", m.group(0))
        if len(name) >= 2 and name not in _QUALIFIERS and name[-3:] not in _QUALIFIERS \
                and not name.endswith(_NOT_MATERIALS):
            out.add(name[-3:])
    return out


#: A citizen turn after "that is all" closes a telling when it is more than a backchannel.
TURN_CHARS = 4
#: A pause this long between the telling and the addition: the citizen went to fetch something.
FETCH_SECONDS = 10.0
#: The citizen acting on the list: handing over, coming back with what was asked.
ACTED = re.compile(r"给[你您]|^给[，,。！!]|[你您]看看|在这儿?[。.！!]?$|都在这|拿来了|带来了|带齐了|拿回来|取回来|"
                   r"^(?:喏|您看|你看)?[，,]?这(?:个)?是[^，,。？?]{0,8}(?:证|本|簿|表|照片|书|卡|件|明)|"
                   r"准备了|准备好了|按[你您]说的|"
                   r"复印好了|复印来了|开来了|开好了|补来了|补好了|办好了|填好了|回来了|找着了|找到了")
#: The clerk going on to check or process what was handed over.
CHECKED = re.compile(r"看一下|看看|瞧瞧|核对|查一下|录入|扫描|收下|收着|收到|检查|审核|过一遍|对一下|"
                     r"登记(?:一下|好了|上了|完了)|(?:我|给您|给你|帮您|帮你)(?:先)?登记|"  # 收养登记 names the matter
                     r"受理了|录好了|收齐了|没问题")
#: The citizen closing the list in words: understood, noted, going to get them.
CLOSED_BY_CITIZEN = re.compile(r"记下了|记住了|记好了|知道了|明白了|清楚了|懂了|晓得了|那我回去|我回去准备|"
                               r"我这就去|我去拿|我去弄|我去开")
#: The clerk admitting an afterthought (哦对了, 忘了说): the list given before was not all.
AFTERTHOUGHT = re.compile(r"对了|忘了|漏了|想起来|刚才没说|刚才没讲|差点忘|补充一下|还差一样没说")
#: The citizen's words while the list is still being given: a question, taking it down.
IN_PROGRESS = re.compile(r"[？?]|吗|呢$|等一下|等等|慢点|我记一下|记一下|拿笔|你说|您说|还有吗|还有别的|就这些吗")
#: The clerk saying the list is complete.
ALL_TOLD = re.compile(r"就这些|就这几样|就这两样|就这三样|别的不用|其他的?不用|没别的了|没有别的|这些就够|"
                      r"齐了就|就行了|就可以了|就够了|一共就|全在这")


def closed(utts: Sequence[Utterance], told: Cue, added: Cue) -> bool:
    """True when the telling ``told`` was finished before the addition ``added`` (see above).

    Between them: the citizen acted on it (:data:`ACTED`) or was away
    :data:`FETCH_SECONDS`, or the clerk checked or processed papers
    (:data:`CHECKED`, in words that tell no material), or the clerk said that
    was all (:data:`ALL_TOLD`, in the telling or after it) and the citizen then
    said more than a backchannel.
    """
    from analyzer.rules.acoustics import speech_chars
    from analyzer.text.normalize import to_simplified

    a, b = told.end, added.start
    between = [(i, u) for i, u in enumerate(utts) if a <= u.start < b and u.text.strip()
               and i not in (told.utterance, added.utterance)]
    citizen = [u for _, u in between if u.speaker == "citizen"]
    staff = [u for _, u in between if u.speaker != "citizen"]
    if any(ACTED.search(to_simplified(u.text)) for u in citizen):
        return True
    if any(CHECKED.search(to_simplified(u.text)) and not materials_named(u.text) for u in staff):
        return True
    if b - a >= FETCH_SECONDS and not staff:
        return True
    said_all = [utts[told.utterance], *staff]
    if any(ALL_TOLD.search(to_simplified(u.text)) for u in said_all):
        last_all = max(u.start for u in said_all if ALL_TOLD.search(to_simplified(u.text)))
        if any(u.start > last_all and speech_chars(u.text) >= TURN_CHARS for u in citizen):
            return True
    said = [to_simplified(u.text).strip() for u in citizen if speech_chars(u.text) >= TURN_CHARS]
    if any(CLOSED_BY_CITIZEN.search(t) and not IN_PROGRESS.search(t) for t in said):
        return True
    afterthought = AFTERTHOUGHT.search(to_simplified(utts[added.utterance].text))
    return bool(afterthought and any(not IN_PROGRESS.search(t) for t in said))


#: A sentence asking whether the citizen has an item (户口本呢？ 带了吗？) checks, it adds nothing.
_ASKS = re.compile(r"[呢吗][？?。.]?\s*$|[？?]\s*$")
#: A sentence that states a lack (还少公章呢, 也不能少呢): its final 呢 does not ask.
_LACKS = re.compile(r"少|缺|差|还要|还得|还需|忘了|漏了|不能少|少不了")


#: A clause that states something more is needed (还得有公证书): asking after it next (你有吗？)
#: does not unsay it.
_STATES_NEED = re.compile(r"还得|还要|还需|也得|也要|也需|另外|得有|要有|还缺|还差|还少")


def _asks(text: str) -> bool:
    """True when a staff sentence asks after an item rather than adds one (see :data:`_ASKS`).

    A sentence that first states the need for a named material (还得有公证书，你有吗？)
    adds it, whatever it asks next.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text).strip()
    if any(_STATES_NEED.search(c) and materials_named(c) and not _ASKS.search(c)
           for c in re.split(r"(?<=[。！!？?])|[，,；;]", simple)):
        return False
    m = _ASKS.search(simple)
    if m is None:
        return False
    return "?" in m.group(0) or "？" in m.group(0) or "吗" in m.group(0) or not _LACKS.search(simple)


def _is_new(utts: Sequence[Utterance], added: Cue) -> bool:
    """True when the added utterance names a material no earlier staff word named.

    With no material legible, a copy or an original said to be missing (还缺一份
    复印件) is of one told before, unless more is required (:data:`MORE_NEEDED`:
    另外还得带原件); otherwise the act's word that something was added stands.
    """
    from analyzer.text.normalize import to_simplified

    named = {n for n in materials_named(utts[added.utterance].text)
             if not _not_asked(_clause_of(utts[added.utterance].text, n))}
    if not named and materials_named(utts[added.utterance].text):
        return False  # 授权委托书也在, 没合同也可以，有证明都算, 申请表我帮您填: nothing more to bring
    if not named:  # a copy missing (还缺一份复印件) is of a material told; 另外还得带原件 asks more
        text = utts[added.utterance].text
        if made_here(to_simplified(text)):
            return False  # 单身的话还得签个声明，我给您拿一张: made at the counter, nothing to fetch
        if _asked_about_copies(utts, added.utterance):
            return False  # 发票要原件吗？ … 原件核对完还您，另外带一份复印件: the answer, one telling
        if not ADDS.search(to_simplified(text)):
            return False  # 先报失，然后去拍照: steps, no paper and no word of more
        return not re.search(r"复印件|原件|正本|副本", text) or bool(MORE_NEEDED.search(text))
    before = to_simplified("".join(u.text for u in utts[: added.utterance] if u.speaker != "citizen"))
    reported = to_simplified("".join(  # 上午你让我去开个查档证明: the citizen telling what he was told
        c for u in utts[: added.utterance] if u.speaker == "citizen"
        for c in re.split(r"[，,。！!？?；;]", u.text) if TOLD_HIM.search(to_simplified(c))))
    said = before + reported
    # 那个证明 / 这张表: a material pointed back to, by its head, is one named before
    return any((name[-2:] if name[0] in _POINTS_BACK else name) not in said for name in named)


#: A material named by a measure word or a demonstrative (个证明 of 那个证明, 张表): it points back.
_POINTS_BACK = frozenset("个张份本这那")


#: The citizen reporting what the clerk told him (你让我去开个证明, 你们说带合同就行; session 12).
TOLD_HIM = re.compile(r"(?:你|您|你们|您们)(?:上次|上回|上午|早上|刚才|当时)?(?:让|叫|说|讲|要)(?:我|俺)?")


#: The clerk telling what is missing now (缺啥现在就告诉您, 我先帮您把材料看一遍): nothing put off.
TOLD_NOW = re.compile(r"现在就(?:告诉|说|给您说|跟您说)|(?:先|现在)(?:帮|给)(?:您|你)(?:把材料)?(?:看|过|查)")
_COPIES = re.compile(r"复印件|原件|正本|副本|复印")


def _asked_about_copies(utts: Sequence[Utterance], i: int) -> bool:
    """True when the citizen's words just before staff utterance ``i`` ask whether an original or a
    copy is needed (发票要原件吗？ 要复印吗？): the clerk's copy or original then answers him."""
    from analyzer.rules.answers import questions

    prev = next((u for u in reversed(utts[:i]) if u.text.strip()), None)
    return prev is not None and prev.speaker == "citizen" and bool(_COPIES.search(prev.text)) \
        and bool(questions(prev.text))


#: A paper made at the counter now (在这儿签字, 申请表也签一下, 按个手印, 桌子上有纸笔，照着写, 我给您拿一张;
#: session 13): signed, filled or handed out on the spot, it sends nobody to fetch anything.
ON_THE_SPOT = re.compile(r"签(?:个|份|张|上)|签(?:字|名)|签一下|按(?:个)?手印|照着(?:写|填)|填(?:一下|个|好)|写(?:一下|个)|"
                         r"(?:在|就在)(?:这儿?|这里|这边)(?:填|签|写)")
#: The counter, now (在这儿, 这张表上, 现场, 桌子上有, 我给您拿一张): where a paper made on the spot is made.
_HERE = re.compile(r"在这|这儿|这里|这边|现场|当场|桌子?上有|我(?:给|帮|替)[您你]拿")
#: Words that send the citizen to bring a paper (带, 拿来, 去开): a signed paper to bring is still one more.
_TO_BRING = re.compile(r"带|拿来|拿过来|去开|回去|准备|提供")


def made_here(clause: str) -> bool:
    """True when a staff clause asks for a paper made at the counter now (:data:`ON_THE_SPOT` with
    :data:`_HERE`), not one to bring (还得带一份签了字的委托书 sends him for it) nor one owned up as
    forgotten (上回我忘了说，设备清单…列个单子签个字)."""
    return bool(ON_THE_SPOT.search(clause) and _HERE.search(clause)) and not _TO_BRING.search(clause) \
        and not AFTERTHOUGHT.search(clause) and not OWNED_UP.search(clause)


#: A material that is no further demand on the citizen: found present (委托书也在, 都有, 都对), one of
#: alternatives (有工友证明也算, 没合同也可以), or a form the clerk fills or gives (我帮您填, 这儿有).
_NOT_ASKED = re.compile(r"(?:也|都)(?:在|有|对|齐)(?:了|的)?(?:吧|吗)?\s*(?:[，,。！!；;？?]|$)|都算|也算|也(?:可以|行)|"
                        r"(?:打|存|发|转|汇|拨)(?:到|进|入)|"  # 钱会打到您的社保卡上: where the money goes
                        r"我(?:帮|给|替)[您你](?:填|拿|打印|复印|写)|我来填|现场填|当场填|这儿有|这里有|我这有")


def _not_asked(clause: str) -> bool:
    """True when a clause naming a material asks nothing further of the citizen (:data:`_NOT_ASKED`,
    :func:`made_here`)."""
    return bool(_NOT_ASKED.search(clause)) or made_here(clause)


def _clause_of(text: str, name: str) -> str:
    """The sentence of ``text`` (up to 。！？; or the whole) that names material ``name``."""
    from analyzer.text.normalize import to_simplified

    for sentence in re.split(r"(?<=[。！!？?；;])", to_simplified(text)):
        if name in sentence:
            return sentence
    return to_simplified(text)


#: A word that adds to what was said (还要, 也得, 另外, 再就是, 对了): with a material named
#: in the same staff sentence, it tells one more material (还要再准备个银行卡, 噢对，病历也得有).
ADDS = re.compile(r"还要|还得|还需|也得|也要|也需|另外|再就是|再带|还差|还缺|还少|对了|忘了说|漏了|落下|落了|"
                  r"少不了|不能少")


#: Words that require something more (not what is missing from the papers handed in).
MORE_NEEDED = re.compile(r"另外|还得|还要|还需|也得|也要|也需|忘了|漏了|对了|再带")


#: A clause that opens on a material's name (病历也得有), which :data:`_MATERIAL` needs a
#: character before to see.
_OPENS_ON_MATERIAL = re.compile(r"^(?:病历|照片|发票|合同|协议|执照|存折|档案|证明|证书|流水|户口簿)")


def added_by_words(utts: Sequence[Utterance], cues: Sequence[Cue]) -> list[Cue]:
    """``materials_added`` cues for staff sentences that add a named material in words (:data:`ADDS`).

    Only utterances no cue already reads as telling materials; a sentence that
    asks after an item (户口本还要吗？) adds nothing.
    """
    from analyzer.text.normalize import to_simplified

    have = {c.utterance for c in cues if c.kind in (*TOLD, "materials_deferred")}
    out = []
    for i, u in enumerate(utts):
        if u.speaker == "citizen" or i in have or _asks(u.text):
            continue
        clauses = re.split(r"[，,。；;！!？?]", to_simplified(u.text))
        if any(ADDS.search(c) and any(materials_named(x) or _OPENS_ON_MATERIAL.match(x)
                                      for x in clauses[k:k + 2])  # 还漏了一样，病历
               for k, c in enumerate(clauses)):
            out.append(Cue("materials_added", i, u.start, u.end, u.text, 0.75, source="pattern"))
    return out


#: A staff sentence that says a material is needed or missing (带上户口本, 还缺结婚证, 得有公证书).
NEEDS = re.compile(r"带上|带个|带好|要带|得带|需要带|需要提供|要有|得有|准备好?|提供|还缺|缺个|缺了|还差|没带")


def told_by_words(utts: Sequence[Utterance], cues: Sequence[Cue]) -> list[Cue]:
    """Earlier tellings read from the words where no cue reads one (:data:`NEEDS` + a material).

    They only close a list that a later addition adds to; they are no finding.
    """
    have = {c.utterance for c in cues if c.kind in TOLD}
    return [Cue("materials_listed", i, u.start, u.end, u.text, 0.7, source="pattern")
            for i, u in enumerate(utts)
            if u.speaker != "citizen" and i not in have and not _asks(u.text)
            and NEEDS.search(u.text) and materials_named(u.text)]


#: The citizen saying this visit repeats an earlier one for the same matter (我又来了, 第二趟,
#: 上次你说缺户口本): a further material the clerk adds now was not told at once last time.
RETURN_VISIT = re.compile(
    r"(?:又|再)(?:来|跑)了|(?:又|再)跑了?一趟|第[二两三四五六][趟回次]|[两三四五]趟|[两三四五]回了|"
    r"(?:上次|上回|上一次|前两天|前几天|上礼拜|上周|昨天|那天)[^。？！?!]{0,10}(?:说|让|叫)[^。？！?!]{0,8}"
    r"(?:缺|差|少|要|带|补|拿|开|交)")


def returns(utts: Sequence[Utterance]) -> list[Cue]:
    """Citizen remarks that this is a return visit (:data:`RETURN_VISIT`), as cues (no finding)."""
    from analyzer.text.normalize import to_simplified

    return [Cue("earlier_visit", i, u.start, u.end, u.text, 0.8, source="pattern")
            for i, u in enumerate(utts)
            if u.speaker == "citizen" and RETURN_VISIT.search(to_simplified(u.text))]


#: Words of :data:`ADDS` that also link the items of one list (要A，再带个B).
LIST_LINKS = frozenset({"再带", "再就是"})


def _more_than_brought(utts: Sequence[Utterance], i: int) -> bool:
    """True when staff words ``i`` require a further material the citizen does not then hand over.

    On a return visit, 要A，再加一张B asks for the papers (都带来了，给你): no new
    requirement; 还得有公证书 is one, unless the citizen hands it over at once.
    """
    from analyzer.text.normalize import to_simplified

    if all(m.group(0) in LIST_LINKS for m in ADDS.finditer(to_simplified(utts[i].text))):
        return False
    reply = next((u for u in utts[i + 1:] if u.speaker == "citizen"), None)
    return reply is None or not ACTED.search(to_simplified(reply.text))


#: Earlier staff turns, each telling a new material, after which one more told in a later
#: turn is piecemeal however the citizen answered between them (身份证 … 还要决议 … 还有章程).
ONE_BY_ONE = 2


#: Words that give the next item of a list (接着是, 然后是, 再一个, 头一样, 也要): with a new
#: material named and nothing asked, a telling of one item.
NEXT_ITEM = re.compile(r"还有|接着|然后|再一个|再来个|再就是|第[一二三四五六]|头一样|先要|先得|也要|也得|"
                       r"要一?[个张份本]|另外")


def items_by_words(utts: Sequence[Utterance], told: Sequence[Cue]) -> list[Cue]:
    """Staff utterances that tell a new item of a list (:data:`NEXT_ITEM`, :data:`NEEDS`, :data:`ADDS`).

    Only utterances no telling in ``told`` covers, that name a material and ask nothing.
    """
    from analyzer.text.normalize import to_simplified

    have = {c.utterance for c in told}
    out = []
    for i, u in enumerate(utts):
        if u.speaker == "citizen" or i in have or _asks(u.text) or not materials_named(u.text):
            continue
        simple = to_simplified(u.text)
        if NEXT_ITEM.search(simple) or NEEDS.search(simple) or ADDS.search(simple):
            out.append(Cue("materials_listed", i, u.start, u.end, u.text, 0.7, source="pattern"))
    return out


def _one_by_one(utts: Sequence[Utterance], told: Sequence[Cue], added: Cue) -> list[Cue]:
    """The earlier tellings of ``added``'s visit that each named a new material in a turn of its own.

    A telling counts when citizen speech separates it from the telling before
    it and from ``added`` (the clerk gave one item, the citizen answered, the
    clerk gave the next) and it names a material no earlier staff word named.
    """
    from analyzer.text.normalize import to_simplified

    out: list[Cue] = []
    last = -1
    for c in sorted(told, key=lambda c: c.start):
        if c.start >= added.start or c.utterance == added.utterance:
            break
        staff_before = to_simplified("".join(u.text for u in utts[: c.utterance]
                                             if u.speaker != "citizen"))
        new = any(name not in staff_before for name in materials_named(utts[c.utterance].text))
        if new and (last < 0 or _citizen_between(utts, last, c.utterance)):
            out.append(c)
            last = c.utterance
    if out and not _citizen_between(utts, last, added.utterance):
        out.pop()  # told in the same turn as the addition: one list
    return out


#: A citizen asking for the rest (还有呢？ 能一次说全吗？): no question about a material told.
MORE_PLEASE = re.compile(r"还有(?:呢|吗|啥|什么|别的|没有)|然后呢|接着呢|接着说|下一[个样]|还要(?:啥|什么|哪些)|一次|一回|一下子|一口气|全部|"
                         r"都告诉|都说|都讲|说全|讲全|说完|讲完")


def _citizen_between(utts: Sequence[Utterance], a: int, b: int) -> bool:
    """True when the citizen answered between utterances ``a`` and ``b`` (time order).

    The citizen must speak and ask nothing but the rest (:data:`MORE_PLEASE`): a
    question about the material told (在职证明要啥格式？) makes the next staff
    words an answer that may name more, one telling explained over turns.
    """
    from analyzer.text.normalize import to_simplified

    said = [to_simplified(u.text) for u in utts
            if u.speaker == "citizen" and utts[a].start < u.start < utts[b].start and u.text.strip()]
    return bool(said) and all(not IN_PROGRESS.search(t) or MORE_PLEASE.search(t) for t in said)


#: Staff words putting something off until the caller comes in (您来了再说, 电话里讲不清).
COME_IN_FIRST = re.compile(
    r"(?:来|到|过来)[^，,。！!？?]{0,4}(?:了|以后|之后|的时候)[^。！!？?]{0,8}?再[^。！!？?，,]{0,6}?"
    r"(?:说|讲|看|告诉|列|交代)|"
    r"电话(?:里|上)[^，,。！!？?]{0,6}(?:说|讲|交代)不(?:清|明白|完|全)|当面(?:再)?(?:说|讲|告诉)|"
    r"(?:来|过来)了[^。！!？?，,]{0,6}(?:给你|给您|跟你|跟您)(?:说|讲)|"  # 过来了我看着给你说 (session 13)
    # 先带身份证，其他的看了档案再告诉您: the rest put off
    r"(?:其他|其余|剩下|别的|其它)的?[^。！!？?，,]{0,8}?再[^。！!？?，,]{0,4}?(?:说|讲|告诉|交代)|"
    # 您来了就知道了，到时候一样一样给您说 (session 13)
    r"到时候[^。！!？?，,]{0,8}(?:说|讲|告诉|交代)|来了(?:就)?知道")
#: Words about the materials (材料, 要带什么, 准备哪些): what a phone deferral puts off.
ABOUT_MATERIALS = re.compile(r"材料|资料|手续|证件|(?:带|准备|提供|交|要|需要)(?:些|点)?(?:什么|啥|哪些|哪几样)|"
                             r"(?:拿|带)[^，,。！!？?]{0,4}东西|(?:咋|怎么|如何)(?:申请|办理)")  # session 13: 咋申请？ … 能拿的东西都拿上


def deferred_by_words(interaction: Interaction, cues: Sequence[Cue]) -> list[Cue]:
    """``materials_deferred`` cues for a phone answer that puts the materials off until the visit.

    On a call, 材料挺多的，您来了再说 or 电话里讲不清 (:data:`COME_IN_FIRST`), about
    the materials (:data:`ABOUT_MATERIALS`, in the clerk's words or the caller's
    turn before), tells none of them: the dev labels file it under Article 18.
    At a counter the citizen is already there; there it is no deferral.
    """
    from analyzer.text.normalize import to_simplified

    if interaction.channel != "phone":
        return []
    utts = interaction.utterances
    have = {c.utterance for c in cues if c.kind == "materials_deferred"}
    out = []
    for i, u in enumerate(utts):
        if u.speaker == "citizen" or i in have:
            continue
        simple = to_simplified(u.text)
        if not COME_IN_FIRST.search(simple):
            continue
        # the caller's last two turns: his question may come before his answer to the clerk's (户口上了没有？)
        asked = "，".join([to_simplified(v.text) for v in reversed(utts[:i]) if v.speaker == "citizen"][:2])
        if ABOUT_MATERIALS.search(simple) or ABOUT_MATERIALS.search(asked):
            out.append(Cue("materials_deferred", i, u.start, u.end, u.text, 0.75, source="pattern"))
    return out


def piecemeal(interaction: Interaction, cues: Sequence[Cue], lexicon: Lexicon) -> list[Finding]:
    """``A18-PIECEMEAL``: materials added later, the rest put off, or revealed across visits.

    A telling counts as the earlier one only when it names a material
    (去社区开就行 says where to get a paper, it lists none); additions are
    the cues' and :func:`added_by_words`.
    """
    from analyzer.text.normalize import to_simplified

    rule = measure_rule(lexicon, "A18-PIECEMEAL")
    if rule is None:
        return []
    utts = interaction.utterances
    cues = [*cues, *added_by_words(utts, cues), *deferred_by_words(interaction, cues)]
    staff_cues = sorted((c for c in cues if c.utterance < len(utts)
                         and utts[c.utterance].speaker != "citizen"), key=lambda c: c.start)
    told = sorted([*(c for c in staff_cues if c.kind in TOLD and materials_named(utts[c.utterance].text)),
                   *told_by_words(utts, cues)], key=lambda c: c.start)
    told = [c for c in told if not _only_if(utts[c.utterance].text)]  # 能提供X就…: an option, no list
    earlier_visit = [c for c in cues if c.kind == "earlier_visit"]
    returned = returns(utts)
    out: dict[int, Finding] = {}
    for cue in staff_cues:
        if cue.kind == "materials_deferred":
            simple = to_simplified(utts[cue.utterance].text)  # 就这两样…其余的我给您登记着; 缺啥现在就告诉您
            if not ALL_TOLD.search(simple) and not TOLD_NOW.search(simple):
                out.setdefault(cue.utterance, _finding(rule, cue, "deferred", None, utts))
            continue
        if cue.kind not in TOLD or _asks(utts[cue.utterance].text):
            continue
        prior = [c for c in told if c.start < cue.start and c.utterance != cue.utterance
                 and closed(utts, c, cue)]
        if cue.kind == "materials_listed" and not any(e.start < cue.start for e in earlier_visit):
            continue  # a list is Article 18's only after an earlier visit left it out
        if cue.kind == "materials_added" and prior and _is_new(utts, cue):
            out.setdefault(cue.utterance, _finding(rule, cue, "added", prior[0], utts))
        elif any(e.start < cue.start for e in earlier_visit) and _is_new(utts, cue):
            out.setdefault(cue.utterance, _finding(rule, cue, "across_visits", None, utts))
        elif cue.kind == "materials_added" and any(r.start < cue.start for r in returned) \
                and _more_than_brought(utts, cue.utterance) and _is_new(utts, cue):
            # back with what was asked, and told one more thing
            out.setdefault(cue.utterance, _finding(rule, cue, "across_visits", None, utts))
    for i, u in enumerate(utts):  # 户口本、结婚证… / 上次没说要这个啊: the item the last visit left out
        if i not in out and u.speaker != "citizen" and not _asks(u.text) and materials_named(u.text) \
                and _protested_next(utts, i, earlier_visit):
            listed = Cue("materials_listed", i, u.start, u.end, u.text, 0.75, source="pattern")
            if _is_new(utts, listed):  # 提取才要那个证明: the paper he says he was sent for, no new one
                out[i] = _finding(rule, listed, "across_visits", None, utts)
    for i, u in enumerate(utts):  # 还差个流水，上回是我没跟您讲: the clerk owning that the last visit left it out
        if i not in out and u.speaker != "citizen" and (item := _owned_up(utts, i)) is not None \
                and item not in out:  # the addition already found: owning it up is the same lapse
            admitted = Cue("materials_added", i, u.start, u.end, u.text, 0.8, source="pattern")
            f = _finding(rule, admitted, "across_visits", None, utts)
            out[i] = dataclasses.replace(f, detail={**f.detail, "item_utterance": item,
                                                    "materials": sorted(materials_named(utts[item].text))})
    for i in _rest_withheld(utts):  # 还缺别的不？你一次给我说全了 … 先弄这个，弄来了再看
        if i not in out:
            cue = Cue("materials_deferred", i, utts[i].start, utts[i].end, utts[i].text, 0.75, source="pattern")
            out[i] = _finding(rule, cue, "deferred", None, utts)
    for i, first in _protested(utts, interaction.hall):  # 刚才你咋不一块说？ the addition the citizen protests (and any after it)
        if i not in out:
            cue = Cue("materials_added", i, utts[i].start, utts[i].end, utts[i].text, 0.75, source="pattern")
            f = _finding(rule, cue, "protested", None, utts)
            out[i] = dataclasses.replace(f, detail={**f.detail, "protest_utterance": first})
    items = sorted([*told, *(c for c in items_by_words(utts, told) if not _only_if(utts[c.utterance].text))],
                   key=lambda c: c.start)
    for cue in items:  # told one item a turn: the third in a later turn (还有A … 接着是B … 然后是C)
        if cue.utterance not in out and _is_new(utts, cue) \
                and len(firsts := _one_by_one(utts, items, cue)) >= ONE_BY_ONE:
            out[cue.utterance] = _finding(rule, dataclasses.replace(cue, kind="materials_added"),
                                          "added", firsts[0], utts)
    return [out[k] for k in sorted(out) if not _shown_in_writing(utts, k)
            and not RULE_CHANGED.search(to_simplified(utts[k].text))  # 从这个月一号起要备案: nothing left out
            and not told_whole(utts, k)]


#: A list announced by its count (一共六样, 总共三样, 四样东西：): its numbered items are one telling.
COUNTED = re.compile(r"(?:一共|总共|共)(?:就)?[一二两三四五六七八九十0-9]+(?:样|项|份|个)|"
                     r"[一二两三四五六七八九十0-9]+样(?:东西|材料)?[:：]")
#: An item given by its number (第五，…; …；第六，…).
NUMBERED = re.compile(r"(?:^|[，,。；;：:])[^，,。；;]{0,3}第[一二三四五六七八九十0-9]+[，,、:：]")
#: A condition of the citizen's own case (要是在外地住的院, 单身的话, 她户口要不在你本上).
CONDITION = re.compile(r"要是|如果|假如|若是|的话|要不(?:在|是)|能提供|提供不了")
#: The citizen asking about a further case of his matter (我的能不能也提？ 我爸的能一块儿办吗？ 可以代办吗？).
CASE_ASKED = re.compile(r"(?:能不能|可不可以|能否)[^，,。？?]{0,10}[？?]?|(?:也|一块儿?|一起|顺便)[^，,。？?]{0,8}(?:吗|不|没)?[？?]|"
                        r"(?:能|可以)[^，,。？?]{1,10}(?:吗|不)[？?]")
#: A staff reply opening on yes (可以的, 能, 行).
OPENS_YES = re.compile(r"^(?:嗯|哦|好)?[，,]?(?:可以|能|行|没问题|当然)")
#: Asking for papers to be handed over now (把身份证、户口本给我, 拿来我看, 给我看看): a check, no telling.
HAND_OVER = re.compile(r"把[^。？?！!]{1,24}(?:给我|递给我|拿给我|拿出来)|拿来我看|拿(?:给|来)我(?:看|瞧)|"
                       r"给我(?:看看|瞧瞧|看一下)")
#: The citizen having them on him (都在这个袋袋里, 带着呢, 给): nothing to fetch.
HAS_IT = re.compile(ACTED.pattern + r"|带着|在这|都在|都有|带了")


#: A question the clerk puts about the case before naming the item (农药要加吗？ 阿姨是单身吧？).
_ASKED_FIRST = re.compile(r"([^，,。；;！!？?]{2,16})[？?]")


def _conditional(text: str, name: str) -> bool:
    """True when material ``name`` is asked for under a condition of the case (要是在外地住的院，带上
    备案回执; 她户口要不在你本上，还得带她的户口本): its clause or the one before states it."""
    clauses = re.split(r"[，,。；;！!？?]", text)
    at = next((k for k, c in enumerate(clauses) if name in c), None)
    if at is None:
        return False
    where = text.find(name)
    # 农药要加吗？农药要另外办许可证: the clerk asked the case first, the item is its branch
    return any(CONDITION.search(c) for c in clauses[max(0, at - 1):at + 1]) or bool(
        _ASKED_FIRST.search(text[:where]))


def _condition_answered(utts: Sequence[Utterance], k: int) -> bool:
    """True when the citizen's next words answer the condition staff turn ``k`` states (她户口要不在你这个
    本上 … 她户口还在她娘家): the condition was his case's, unknown to the clerk until then. A condition
    he stated before (这个二手房的话, then 刚才你咋没说？) is answered by nothing."""
    from analyzer.text.normalize import to_simplified

    text = to_simplified(utts[k].text)
    cond = "".join(c for c in re.split(r"[，,。；;！!？?]", text) if CONDITION.search(c))
    cond = CONDITION.sub("", cond) + "".join(_ASKED_FIRST.findall(text))
    nxt = next((u for u in utts[k + 1:] if u.speaker == "citizen"), None)
    if nxt is None or PROTEST.search(to_simplified(nxt.text)):
        return False
    said = to_simplified(nxt.text)
    return any(cond[j:j + 2] in said for j in range(len(cond) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", cond[j:j + 2]))


#: The citizen asking for the rest of the list (还缺别的不？ 你一次给我说全了, 还有别的没有？).
ASKS_REST = re.compile(r"(?:还缺|还差|还要|还少)(?:别的|啥|什么|其他|其它)|一(?:次|回|下子)(?:给我|跟我)?(?:说|讲)(?:全|完|清)|"
                       r"还有(?:别的|其他|其它)(?:没有|吗|不|没)")
#: The clerk putting the rest off (先弄这个，弄来了再看; 到时候再说; 补了再说).
PUTS_REST_OFF = re.compile(r"先[^。！!？?]{0,10}(?:再看|再说)|(?:来|弄|拿|补|办)(?:好|完)?了(?:以后|之后)?再(?:看|说)|"
                           r"到时候再(?:看|说)")


def _rest_withheld(utts: Sequence[Utterance]) -> list[int]:
    """Staff turns that answer the citizen's asking for the rest of the list by putting it off (session 13:
    what follows the request): 还缺别的不？你一次给我说全了 … 先弄这个，弄来了再看. Naming more
    materials (就差这一个; 还有X) tells, it does not withhold."""
    from analyzer.text.normalize import to_simplified

    out = []
    for i in range(1, len(utts)):
        u, prev = utts[i], utts[i - 1]
        if u.speaker == "citizen" or prev.speaker != "citizen" or not ASKS_REST.search(to_simplified(prev.text)):
            continue
        simple = to_simplified(u.text)
        before = to_simplified("".join(v.text for v in utts[:i]))
        more = {n for n in materials_named(simple) if n[-2:] not in before}  # 先弄决议 names the one told
        if PUTS_REST_OFF.search(simple) and not ALL_TOLD.search(simple) and not more:
            out.append(i)
    return out


def _only_if(text: str) -> bool:
    """True when every material a staff turn names is named under a condition (能提供原值凭证，就按差额；
    提供不了，按成交价): an option explained, no list told (session 13)."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    named = materials_named(simple)
    return bool(named) and all(_conditional(simple, n) for n in named)


def told_whole(utts: Sequence[Utterance], k: int) -> bool:
    """True when staff turn ``k``, though later than a telling, still belongs to one whole telling
    (session 13; what the talk does, not new words):

    * it goes on numbering a list whose count was announced in the clerk's turns before it
      (一共六样：第一… / 第五…，第六…: :data:`COUNTED`, :data:`NUMBERED`);
    * each new material it names applies under a condition of the citizen's case stated with it
      (她户口要不在你本上，还得带她的户口本: :data:`CONDITION`), no afterthought (对了, 忘了), and his
      next words answer the condition (她户口还在她娘家: :func:`_condition_answered`) — the branch of
      the list his case takes, learned only now, not a paper held back;
    * it asks for papers to be handed over (:data:`HAND_OVER`) and the citizen's next words have them
      on him (:data:`HAS_IT`): the clerk collecting, the citizen sent for nothing;
    * it answers yes to the citizen's asking about a further case of his matter right before it
      (我的公积金能不能也提？ … 可以的，配偶也能提。那您另外还要三样: :data:`CASE_ASKED`, :data:`OPENS_YES`)
      and tells what that case needs: the case changed, nothing was held back. An item the clerk
      names after asking the case herself (农药要加吗？农药要另外办许可证) is conditional as above.
    """
    from analyzer.text.normalize import to_simplified

    text = to_simplified(utts[k].text)
    staff_before = [to_simplified(u.text) for u in utts[:k] if u.speaker != "citizen"]
    if NUMBERED.search(text) and any(COUNTED.search(t) for t in staff_before[-3:]):
        return True
    new = _new_materials(utts, k)
    if new and not AFTERTHOUGHT.search(text) and all(_conditional(text, n) for n in new) \
            and _condition_answered(utts, k):
        return True
    if k and utts[k - 1].speaker == "citizen" and new and OPENS_YES.match(text):
        asked = to_simplified(utts[k - 1].text)
        if CASE_ASKED.search(asked) and not ASKS_REST.search(asked) and not MORE_PLEASE.search(asked):
            return True  # 我的公积金能不能也提？ … 可以的，配偶也能提。那您另外还要三样: the case he added
    if HAND_OVER.search(text):
        nxt = next((u for u in utts[k + 1:] if u.speaker == "citizen"), None)
        return nxt is not None and bool(HAS_IT.search(to_simplified(nxt.text))) \
            and not _NOT_TOLD.search(to_simplified(nxt.text))
    return False


#: The clerk showing that the whole list was given in writing (短信上八样都写着呢, 给过您一张告知单，上面都有;
#: session 12): nothing was held back, whatever the citizen remembered.
IN_WRITING = re.compile(r"(?:短信|清单|单子|告知单|告知书|明白纸|材料单|告知卡)[^。？?！!]{0,20}"
                        r"(?:写着|写了|写得|都有|列着|列了|标着|印着)|"
                        r"(?:发过|发了|给过|给了)[^。？?！!，,]{0,6}(?:短信|清单|单子|告知单|告知书|明白纸|材料单)")


def _shown_in_writing(utts: Sequence[Utterance], i: int) -> bool:
    """True when, after the citizen's next words, the clerk's reply to them shows the materials of staff
    turn ``i`` were all given in writing before (:data:`IN_WRITING`)."""
    from analyzer.text.normalize import to_simplified

    nxt = next((k for k in range(i + 1, len(utts)) if utts[k].speaker == "citizen"), None)
    if nxt is None:
        return False
    reply = next((u for u in utts[nxt + 1:] if u.speaker != "citizen"), None)
    said = to_simplified(reply.text) if reply is not None else ""
    return bool(IN_WRITING.search(said)) and bool(GIVEN_BEFORE.search(said))


#: The writing given before this turn (发过, 那天, 上次, 早就): 单子上写着呢 about the note she writes now is none.
GIVEN_BEFORE = re.compile(r"发过|给过|发了|给了|那天|上次|上回|之前|早就|当时|已经")


#: The citizen protesting that a material was not told at once or last time: 你咋不一块说, 刚才怎么没说,
#: 电话里你们可没说啊, 能不能一次说完, 上回你说带合同就行啊 (the earlier telling quoted as complete).
PROTEST = re.compile(
    r"(?:咋|怎么|为啥|为什么|干嘛|干吗)(?:不|没)(?:一起|一块儿?|一次|一下|早|先|提前|一开始)?(?:说|讲|提|告诉)(?!话)|"
    r"(?<!还)(?:没|没有)(?:跟我|给我|和我)?(?:说|讲|提)过?(?:要|啊|呀|这|呢)|^(?:没说|没有说|没提|没讲)|"
    r"一(?:次|块儿?|起|口气|下子)(?:说|讲)(?:完|全|清|了)|"
    r"(?:上[回次]|上一[回次]|电话里|那天|之前|刚才)[^。？?！!]{0,6}(?:说|讲)[^。？?！!]{0,12}"
    r"(?:就行|就够|就可以|只要|只用|就这)")
#: Utterances back from a protest to the addition it is about (the clerk may say a word more first).
PROTEST_REACH = 4
#: A staff clause that opens one more item (还有一个，…; 另外一样): with a new material, it adds it
#: even when it goes on to ask whether the citizen has it (还有一个，资格证明你带了没？).
ONE_MORE = re.compile(r"还有一[个样份张项]|另外一[个样份张项]|还有个|再一个|还差一[个样份张项]|还得|还要|还需|也得|也要")


def _new_materials(utts: Sequence[Utterance], i: int) -> set[str]:
    """The materials staff utterance ``i`` asks for that no earlier staff words named.

    The original or a copy of a paper (还缺出生证明的原件) is of a paper the citizen
    brought, not a further one.
    """
    from analyzer.text.normalize import to_simplified

    text = utts[i].text
    named = {n for n in materials_named(text) if not _not_asked(_clause_of(text, n))
             and not re.search(r"原件|复印件|正本|副本", _clause_of(text, n))}
    before = to_simplified("".join(u.text for u in utts[:i] if u.speaker != "citizen"))
    return {n for n in named if n not in before}


#: Someone outside the hall named as the one who did not tell (社区的人没说, 村上的人没说要户口本啊).
THIRD_PARTY = re.compile(r"(社区|村上|村里|村委会?|居委会|街道|单位|公司|开发商|银行|学校|医院|派出所|乡上|乡里|镇上)"
                         r"(?:的|里的|上的)?(?:人|干部|同志|工作人员|那边)?[^。？?！!，,]{0,3}(?:没|没有)(?:跟我|给我|和我)?(?:说|讲|提)")


def _not_this_hall(protest: str, hall: str, utts: Sequence[Utterance], k: int) -> bool:
    """True when a protest is about no telling of this hall (session 13: who did not tell):

    * it names someone outside the hall as the one who did not tell (:data:`THIRD_PARTY`: 社区的人没说要
      户口本啊, where the hall is no 社区's);
    * it answers the clerk's first telling of materials in the interaction, names no earlier
      visit or call and does not address the clerk (没说要这些啊，我以为有出生证就行了; 你咋不一块说
      blames her): nobody here had told him anything before.
    """
    m = THIRD_PARTY.search(protest)
    if m is not None and m.group(1) not in hall:
        return True
    first = not any(materials_named(u.text) for u in utts[:k] if u.speaker != "citizen")
    return first and re.search(_BEFORE, protest) is None and not re.search("[你您]", protest)


def _protested(utts: Sequence[Utterance], hall: str = "") -> list[tuple[int, int]]:
    """Staff additions the citizen protests were not told at once (:data:`PROTEST`), with the protest.

    The citizen's reply is the evidence an inspector reads: the staff utterance
    it answers — the last one within :data:`PROTEST_REACH` utterances before it,
    crossing at most one other citizen turn, that names a material no earlier
    staff words named — was a material added, whether the clerk stated it or
    asked after it. After a protest, each further staff utterance that opens one
    more item (:data:`ONE_MORE`) with a new material is piecemeal too.
    """
    from analyzer.text.normalize import to_simplified

    out: list[tuple[int, int]] = []
    first: int | None = None
    for p, u in enumerate(utts):
        if u.speaker == "citizen" and PROTEST.search(to_simplified(u.text)):
            crossed, other = 0, False
            for k in range(p - 1, max(-1, p - PROTEST_REACH - 1), -1):
                if utts[k].speaker == "citizen":
                    crossed += 1
                    if crossed > 1:
                        break
                elif _new_materials(utts, k):
                    other = _not_this_hall(to_simplified(u.text), hall, utts, k)
                    if not other:  # 社区的人没说要户口本啊: not this hall's telling
                        out.append((k, p))
                    break
            first = p if first is None and not other else first
        elif u.speaker != "citizen" and first is not None and _new_materials(utts, p) \
                and ONE_MORE.search(to_simplified(u.text)):
            out.append((p, first))
    return out


#: The clerk owning that an earlier visit was not told something (上回是我没跟您讲到, 我上次忘了
#:跟您说, 之前漏说了): the item she names now was left out then.
_BEFORE = r"(?:上次|上回|上一次|上一回|之前|前几天|前两天|那天|那次|头一回|头回|第一次|当时|刚才|上午|早上|" \
          r"电话里|电话上|打电话的时候)"  # 是我电话里漏说了: the earlier call left it out
OWNED_UP = re.compile(_BEFORE + r"[^。？?！!]{0,8}(?:没|没有|忘了?|漏了?|落了?|少)[^。？?！!，,]{0,5}"
                      r"(?:说|讲|提(?!交|取|供)|告诉|交代|写上|列上|写进|(?:让|叫)[你您]?带)|"  # 申请没提交上去 owns no telling
                      + _BEFORE + r"[^。？?！!]{0,8}(?:说|讲|提|写|列)(?:漏|落|丢|少)|"
                      # 上回就是个咨询，哪能一下都说全: excusing the last visit's telling owns it up (session 13)
                      + _BEFORE + r"[^。？?！!]{0,12}(?:哪能|哪里能|怎么能|不可能)[^。？?！!，,]{0,4}(?:说全|说完|讲全|讲完|都说)|"
                      # the clerk's own check at fault (是我上次没看仔细; 刚才没看到。; 刚才漏了。) or the citizen blamed for
                      # not asking (上回你也没问检查报告啊): each owns the gap (session 13)
                      + _BEFORE + r"[^。？?！!]{0,8}(?:没看仔细|没看清楚?|看漏了?|没看到(?=[。，,！!；;]|$)|"
                      r"(?:漏|落)了(?=[。，,！!；;]|$))|"
                      + _BEFORE + r"[^。？?！!，,]{0,4}(?:你|您)(?:也)?没(?:问|提)")
#: The citizen denying he was told (没说啊, 没提啊, 就说了那三样): the clerk's "didn't I tell you last
#: time?" then owns the gap all the same.
DENIED = re.compile(r"^(?:啊|哎|诶|嗯)?[，,！!？?]*(?:没|没有|没说|没提|没讲|没告诉|没让|谁说|就说了|只说了|您没|你没)")
#: Staff utterances before the admission that may name the item it is about.
OWNED_UP_BEFORE = 2


def _owned_up(utts: Sequence[Utterance], i: int) -> int | None:
    """The utterance naming the item staff utterance ``i`` owns the last visit left out, or None.

    Not a question (上次没跟您说吗？ asks); the item is named in the admission
    itself or in one of the clerk's :data:`OWNED_UP_BEFORE` utterances before it.
    """
    from analyzer.text.normalize import to_simplified

    text = to_simplified(utts[i].text)
    m = OWNED_UP.search(text)
    rest = re.split(r"(?<=[。！!？?])", text[m.end():], maxsplit=1)[0] if m else ""
    if m is None:
        return None
    if (_ASKS.search(rest) or re.search(r"吗|[？?]", rest)) and not _denied_next(utts, i):
        return None  # 上回我同事没跟您说吗？ asks, and the citizen says he was told
    for k in range(i, max(-1, i - OWNED_UP_BEFORE - 1), -1):
        if utts[k].speaker == "citizen" and k != i:
            break
        if materials_named(utts[k].text):
            return k
    return None


def _denied_next(utts: Sequence[Utterance], i: int) -> bool:
    """True when the citizen's next words after staff utterance ``i`` deny being told (:data:`DENIED`)."""
    from analyzer.text.normalize import to_simplified

    nxt = next((u for u in utts[i + 1:] if u.speaker == "citizen"), None)
    return nxt is not None and DENIED.search(to_simplified(nxt.text).strip()) is not None


def _protested_next(utts: Sequence[Utterance], i: int, earlier_visit: Sequence[Cue]) -> bool:
    """True when the citizen's next words after staff turn ``i`` say an earlier visit did not tell this.

    A clerk's list on a return visit answered at once by 上次没说要这个啊 names the
    item this visit added: the evidence is in the citizen's reply.
    """
    from analyzer.text.normalize import to_simplified

    nxt = next((k for k in range(i + 1, len(utts)) if utts[k].speaker == "citizen"), None)
    if nxt is None or any(utts[k].speaker != "citizen" for k in range(i + 1, nxt)):
        return False  # the protest answers the clerk's last words before it, not earlier ones
    said = to_simplified(utts[nxt].text)
    before = any(e.utterance == nxt for e in earlier_visit) \
        or re.search(_BEFORE + r"[^。？?！!]{0,4}" + _NOT_TOLD.pattern, said) is not None  # 电话里没说这个啊！
    reply = next((u for u in utts[nxt + 1:] if u.speaker != "citizen"), None)
    if reply is not None and RULE_CHANGED.search(to_simplified(reply.text)):
        return False  # 上次的规定是复印件，这个月起需要原件: the requirement changed, nothing was left out
    return before and bool(_NOT_TOLD.search(said))


#: The clerk explaining that the requirement itself changed since (这个月起, 新规定, 规定改了).
RULE_CHANGED = re.compile(r"规定(?:改|变|调整)了|新(?:规定|政策|要求)|(?:这个月|本月|今年|上个月|最近|现在)(?:起|开始)"
                          r"(?:需要|要|得|改)|还没有这(?:条|个|项)?规定|"  # session 12: 从这个月一号起…，上个月还没有这条规定
                          r"从(?:这个月|本月|今年|上个月)[^，,。！!？?]{0,5}(?:起|开始)")


#: The citizen saying they were not told (上次没说, 上回可没讲, 当时怎么不说).
_NOT_TOLD = re.compile(r"(?:没|没有|未|不)(?:跟我|和我|给我|同我)?(?:说|讲|提|告诉|交代|通知)|(?:怎么|咋|为啥|为什么)不(?:早)?(?:说|讲)")


def _finding(rule: object, cue: Cue, how: str, first: Cue | None, utts: Sequence[Utterance]
             ) -> Finding:
    said = utts[cue.utterance].text
    if how == "added" and first is not None:
        evidence = _("staff added “%(said)s” after telling the materials earlier "
                     "(“%(told)s” at %(at).1f s)", said=said, told=first.evidence,
                     at=first.start)
    elif how == "protested":
        evidence = _("staff added “%(said)s”; the citizen protested it was not told at once", said=said)
    elif how == "deferred":
        evidence = _("staff put off telling the rest of the materials: “%(said)s”", said=said)
    else:
        evidence = _("staff revealed another material on a visit the citizen says repeats an "
                     "earlier one: “%(said)s”", said=said)
    u = utts[cue.utterance]
    return measure_finding(
        rule, "piecemeal", "staff", u.start, u.end, evidence=evidence,
        confidence=0.8 * cue.confidence,
        detail={"how": how, "added": said, "added_utterance": cue.utterance,
                "cue_source": cue.source, "materials": sorted(materials_named(said)),
                **({"listed": first.evidence, "listed_utterance": first.utterance,
                    "listed_at": round(first.start, 3)} if first is not None else {})},
    )


#: Words about what the citizen was told to bring or do (材料, 带, 缺, 没说): an earlier-visit
#: remark that is about the telling.
ABOUT_TELLING = re.compile(r"材料|资料|手续|证件|带|缺|差|少|补|交|开|要|没说|没讲|没提|没告诉")


def earlier_visits(interaction: Interaction, cues: Sequence[Cue], lexicon: Lexicon
                   ) -> list[Finding]:
    """``A18-EARLIER``: the citizen says an earlier visit did not tell them everything."""
    from analyzer.text.normalize import to_simplified

    rule = measure_rule(lexicon, "A18-EARLIER")
    if rule is None:
        return []
    utts = interaction.utterances
    out = []
    for cue in cues:
        if cue.kind != "earlier_visit":
            continue
        text = utts[cue.utterance].text if cue.utterance < len(utts) else cue.evidence
        if not ABOUT_TELLING.search(to_simplified(text)) and not materials_named(text):
            continue  # 上回那个同志说五天就行: the earlier visit's word on time, not on what to bring
        out.append(measure_finding(
            rule, "earlier_visit", "staff", cue.start, cue.end,
            evidence=_("about an earlier visit: the citizen said “%(text)s”", text=text),
            confidence=0.7 * cue.confidence,
            detail={"about": "earlier_visit", "cue": cue.evidence, "utterance": cue.utterance,
                    "text": text},
        ))
    return out
