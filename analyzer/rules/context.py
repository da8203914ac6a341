"""Context rules of Chapter 3: what was said that must not be, what was owed and not said.

Input: the interaction and the lexicon hits of :func:`analyzer.text.match.find_phrases`.
Output: :class:`~analyzer.types.Finding` objects:

* ``forbidden``: every forbidden-phrase hit (Articles 6, 8, 9, 10).
* ``missing``: an owed phrase the staff did not say where it was owed:

  - Article 8, counter: the greeting within the first ``greeting_turns`` staff
    utterances or ``greeting_window`` seconds of the first staff speech.
  - Article 7, phone: the phone greeting as the first staff words (the first
    ``phone_greeting_turns`` staff utterances that are not empty after
    normalization, e.g. a bare ``喂``).
  - Article 10, leaving: evaluation request and goodbye within the last
    ``farewell_turns`` staff utterances or ``farewell_window`` seconds.
  - Article 10, replies owed after a cue (:func:`detect_cues`): incomplete
    materials -> apology and material list; praise -> thanks; suggestion ->
    supervision; upset citizen -> explanation; within ``reply_turns`` staff
    utterances or ``reply_window`` seconds after the cue, and for incomplete
    materials also in the ``reply_before_turns`` staff utterances before it
    (:func:`reply_span`, the one rule of that window).

Each owed unit is a lexicon *group* of a context (rules of one group are
alternatives, any one satisfies). Precision guards, all in
:class:`~analyzer.options.ContextOptions`: nothing is owed when the staff said
fewer than ``min_staff_utterances`` things (ignoring is ``A8-IGNORE``, judged
elsewhere); leaving is judged only on ``leaving_channels`` (counter: "请您慢走" is
about walking away from a window) and only on a visit that ended
(:func:`visit_ended`: a staff farewell or dismissal, the citizen's last turn
followed by silence to the end, or the recording's natural end), however
short: a recording cut mid-conversation stays unjudged; an owed reply is judged only when the staff
spoke after the cue (otherwise the recording may have ended) and the cue's
confidence is at least ``min_cue_confidence``.

Words as a second witness: a classifier cue below its model's owing bar owes a
reply when its own words carry the kind (:data:`CONCEPTS`: 挺细心的, 点个赞;
最好…, 得多放几把椅子; 凭什么, 跑了三趟), and then whatever ``min_cue_confidence`` says
(:func:`owing`). An upset citizen is answered by calming or explaining words
(:data:`CALMS`: 别着急, 您放心, 是这样的…, 因为) or, for a complaint about the
time, a reply that gives a time (:func:`calmed`); soothing the person or offering to find
a way (先喝口水, 这事有办法, 我去请示一下) calms too; besides the lexicon's and the
act detector's calming phrases. Staff words naming a lack and sending the
citizen to complete it (少了一个签字，补上再拿过来) are an incomplete-materials cue
(:func:`incomplete_by_words`) whatever the lexicon and the act detector heard,
and so are staff words sending the citizen elsewhere (换个地方问吧, 不归我们管:
:func:`sent_elsewhere_by_words`) a ``not_ours`` cue that owes a pointer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analyzer.i18n import NP_
from analyzer.i18n import gettext as _
from analyzer.options import AnalyzerOptions, ContextOptions
from analyzer.rules.acts import gets_round_missing
from analyzer.types import Cue, Finding, Interaction, Utterance, attribution_detail

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon, Rule
    from analyzer.text.match import Hit


#: Cue.kind -> lexicon context of the replies it makes owed (a cue kind not here,
#: such as ``materials_added``, owes no reply; :mod:`analyzer.rules.duties` judges it).
REPLY_CONTEXT: dict[str, str] = {
    "praise": "praise",
    "suggestion": "suggestion",
    "upset": "upset_citizen",
    "incomplete_materials": "incomplete_materials",
    "not_ours": "not_ours",
}
#: Lexicon cue kinds that say an utterance is about an earlier visit: the learned
#: classifier's cue on it (it reads 上次没说还要户口本 as incomplete materials) owes nothing.
ABOUT_EARLIER_VISIT = ("earlier_visit",)
#: Speakers whose required phrases count as said by the staff.
STAFF_LIKE = ("staff", "unknown")
#: Cue kinds only the staff's words raise: materials are incomplete when the clerk
#: turns the citizen away for them, not when the citizen mentions one left at home.
STAFF_ONLY_CUES = ("incomplete_materials",)


@dataclass(frozen=True)
class OwedGroup:
    """One owed unit: the rules of a lexicon group, any of which satisfies it."""

    id: str
    rules: tuple[Any, ...]

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.rules)


def owed_groups(lexicon: Lexicon, context: str) -> list[OwedGroup]:
    """The owed units of a context: required, ``owed`` staff rules grouped by ``group``."""
    groups: dict[str, list[Rule]] = {}
    for rule in lexicon.select(kind="required", context=context):
        if rule.role == "citizen" or not getattr(rule, "owed", True):
            continue
        groups.setdefault(rule.group or rule.id, []).append(rule)
    return [OwedGroup(gid, tuple(rules)) for gid, rules in groups.items()]


def detect_cues(
    interaction: Interaction, hits: Sequence[Hit], options: AnalyzerOptions, lexicon: Lexicon
) -> list[Cue]:
    """Find the situations that make a reply owed (Article 10).

    Cues come from lexicon ``cue`` hits (what the citizen, or the staff, said:
    praise, a suggestion, signs of being upset, incomplete materials) and, when
    ``options.classifier.enabled``, from :func:`analyzer.rules.learned.citizen_cues`.
    One cue per (kind, utterance): the most confident lexicon hit; a
    classifier cue only where the lexicon found none of that kind. Incomplete
    materials are a cue only in staff words (:data:`STAFF_ONLY_CUES`) that
    neither ask nor get round the missing paper at the counter
    (:func:`analyzer.rules.acts.gets_round_missing`).

    Returns:
        Cues in time order.
    """
    found: dict[tuple[str, int], Cue] = {}
    for hit in hits:
        if hit.rule.kind != "cue":
            continue
        kind = hit.rule.cue_kind
        if not kind:
            continue
        index = hit.utterances[0] if hit.utterances else _index_at(interaction, hit.start)
        cue = Cue(kind, index, hit.start, hit.end, hit.evidence, hit.confidence, "lexicon")
        best = found.get((kind, index))
        if best is None or cue.confidence > best.confidence:
            found[(kind, index)] = cue
    if options.classifier.enabled:
        earlier = {i for (kind, i) in found if kind in ABOUT_EARLIER_VISIT}
        for cue in _classifier_cues(interaction, options):
            if cue.utterance not in earlier:  # about an earlier visit: Article 18's to report
                found.setdefault((cue.kind, cue.utterance), cue)
    utts = interaction.utterances
    for cue in [*incomplete_by_words(utts), *sent_elsewhere_by_words(utts)]:
        if not any(k == cue.kind and i == cue.utterance for (k, i) in found):
            found[(cue.kind, cue.utterance)] = cue
    for (kind, i) in list(found):
        if kind in DEFERRAL_OVER and ("deferral", i) in found:
            del found[(kind, i)]  # 我要交班了，您找下一班: put off for the hour, Article 25's
        elif kind == "praise" and i < len(utts) and rating_only(utts[i].text):
            del found[(kind, i)]  # 评价器按了，五颗星: the evaluation reported, no praise to thank
    return sorted((c for c in found.values() if c.kind not in STAFF_ONLY_CUES
                   or (c.utterance < len(utts) and utts[c.utterance].speaker in STAFF_LIKE
                       and not _asks(utts[c.utterance].text) and not supposed_lack(utts[c.utterance].text)
                       and not gets_round_missing(utts[c.utterance].text))),
                  key=lambda c: (c.start, c.kind))


#: The citizen telling the rating he gives or gave (评价器按了, 给你点了个非常满意, 打个满分再走): the
#: evaluation the clerk asks for (Article 10's 请您为我的服务做出评价) reported done.
_RATES = re.compile(r"评价器|评价|评了|评过|评个|(?:按|点|打|给|选|评)(?:了|过)?(?:[你您]|你们)?(?:个|一个)?"
                    r"(?:非常满意|满意|五星|五颗星|五个星|满分|一百分|好评|最高分?)|打分|打个分|"
                    r"(?:按|点)(?:了|过|好了)|(?:非常满意|满意|五颗?个?星|满分|好评)[^，,。！!？?]{0,3}(?:给|按|点|打|评)")
#: The rating's own words (非常满意, 五颗星, 好评 …), and what a rating is given with (评价器, 键, 按钮).
_RATING_WORDS = re.compile(r"非常满意|满意|五颗?个?星|满分|一百分|好评|最高分?|评价器|评价|评了|评过|评个|打分|"
                           r"打个分|(?:那个|的)?(?:键|按钮)")
#: Words that judge the clerk or the service besides a rating (服务真好, 挺耐心, 你们不错, 辛苦了).
_JUDGES = re.compile(r"真好|太好|很好|挺好|真棒|太棒|不错|辛苦|谢谢你们|感谢|夸|表扬|满意你|对你满意|"
                     r"耐心|热情|周到|细心|仔细|负责|认真|专业|客气|和气|态度好|利索|麻利|效率|贴心|暖心")


def rating_only(text: str) -> bool:
    """True when a citizen's turn only reports the rating he gives, with no praise besides.

    评价器我按了，五颗星 and 给你点了个非常满意 tell the evaluation done (the
    clerk's own request answered), not praise owed thanks: with the rating's
    words (:data:`_RATING_WORDS`) taken out, nothing judges the clerk or the
    service (:data:`CONCEPTS`, :data:`_JUDGES`). 服务挺好，给你点个满意 still praises.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    if not _RATES.search(simple):
        return False
    rest = _RATING_WORDS.sub("", simple)
    return not CONCEPTS["praise"].search(rest) and not _JUDGES.search(rest)


#: Staff words that something is missing or incomplete (缺, 少了, 不全, 不齐, 没带 …).
_LACKING = re.compile(r"缺|少了|少一|还少|没带|差一|还差|没有[^，,。]{0,6}(?:签字|盖章|公章)|"
                      r"(?:材料|手续|证件|资料|签字|签名|信息|东西|表|页|章)[^，,。]{0,2}(?:不全|不齐|不够)")
                      # 记不全 is the clerk's memory, not the papers
#: Staff words that send the citizen to complete it and come back (补上, 补齐了再来, 回去拿).
_COMPLETE_AND_RETURN = re.compile(r"补上|补齐|补全|补好|补了|补完|补来|回去(?:拿|开|补|取|准备)|"
                                  r"(?:拿|带|开)(?:来|过来|齐)(?:了|以后|之后)?再|再(?:拿|带|送|交)|再来|"
                                  r"下回|下次")


#: A lack only supposed (没带的话刷脸也行, 要是没有户口本，身份证也可以): a condition, not a lack found.
_SUPPOSED = re.compile(r"(?:没带|没有|缺|少)[^，,。！!？?]{0,8}(?:的话|也行|也可以)|"
                       # not knowing whether he has it (我不知道您今天带没带公章，您翻翻包看)
                       r"不(?:知道|清楚)[您你][^，,。！!？?]{0,6}(?:带没带|有没有|拿没拿)|"
                       r"(?:要是|如果|万一|假如|若)[^，,。！!？?]{0,8}(?:没带|没有|缺|少)")
#: The citizen has it after all (带着呢, 在这儿, 我有), or the clerk completes it at the counter (我给您复印,
#: 材料齐了): the lack is got round, nobody is turned away.
_HAS_IT = re.compile(r"带着|带了|带来了|在这|这儿有|这里有|我有|有的|有有|车上|马上拿|这就拿|手机里有|拍了")
_DONE_HERE = re.compile(r"(?:材料|都|就|全)齐了|(?:给|帮)(?:您|你)(?:复印|打印|补|填|拍)|我这就|我来(?:复印|打印|补|填)|不用(?:补|再)")


def supposed_lack(text: str) -> bool:
    """True when a staff turn only supposes the lack in a condition (:data:`_SUPPOSED`), or completes
    it there and then (少了一个备案，我这边现在给您补上: :data:`_DONE_HERE`)."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_SUPPOSED.search(simple) or _DONE_HERE.search(simple))


def got_round(utts: Sequence[Utterance], at: int) -> bool:
    """True when the lack told in turn ``at`` is got round in the next turns: the citizen's next turn
    says he has it (存折我带着呢) or the clerk's next turn completes it there (我给您复印，材料齐了).
    Nobody is sent away to complete it, so no apology and no list of the missing is owed."""
    from analyzer.text.normalize import to_simplified

    nxt = [u for u in utts[at + 1:at + 4] if u.text.strip()]
    citizen = next((u for u in nxt if u.speaker == "citizen"), None)
    staff = next((u for u in nxt if u.speaker in STAFF_LIKE), None)
    if citizen is None or staff is None or citizen.start > staff.start:
        return False
    return bool(_HAS_IT.search(to_simplified(citizen.text))) and bool(_DONE_HERE.search(to_simplified(staff.text)))


def incomplete_by_words(utts: Sequence[Utterance]) -> list[Cue]:
    """``incomplete_materials`` cues read from staff words: a lack, and back to complete it.

    缺个公章，补了再来 turns the citizen away for a missing paper whatever the
    lexicon or the act detector heard; a question (户口本带了吗？) or a lack got
    round at the counter (:func:`analyzer.rules.acts.gets_round_missing`) is no
    turning away.
    """
    from analyzer.text.normalize import to_simplified

    out = []
    for i, u in enumerate(utts):
        if u.speaker not in STAFF_LIKE:
            continue
        simple = to_simplified(u.text)
        if _LACKING.search(simple) and _COMPLETE_AND_RETURN.search(simple) and not _asks(u.text) \
                and not gets_round_missing(u.text):
            out.append(Cue("incomplete_materials", i, u.start, u.end, u.text, 0.75, source="pattern"))
    return out


#: Staff words that send the citizen elsewhere (换个地方问, 别处, 不归我们管, 找他们单位去).
ELSEWHERE = re.compile(r"(?:换|另)(?:个|一个)?(?:地方|地儿|部门|单位)|另找|别处|别的地方|"
                       r"(?:不归|不属于|不是)(?:我们|咱们|这儿|这里|我)(?:这儿|这里|这边)?(?:管|办|的事|负责)|"
                       r"找(?:他们|人家|你们|相关|有关)(?:的)?(?:单位|部门)去|"
                       # sent to search the internet for it (你上网查查吧，网上都有): elsewhere, vaguely
                       r"(?:你|您)?(?:自己)?上?网上?(?:查|搜|看|找)(?:查|搜|看|找|一下)?(?:吧|嘛|呗|去)|"
                       r"网上(?:都|就)有|自己(?:上网|网上)(?:查|搜|找)")


def sent_elsewhere_by_words(utts: Sequence[Utterance]) -> list[Cue]:
    """``not_ours`` cues read from staff words that send the citizen elsewhere (:data:`ELSEWHERE`).

    Whether the redirect names where (Article 16's pointer) is judged as for
    any ``not_ours`` cue; a question (这个不归我们管吗？) sends nobody.
    """
    from analyzer.text.normalize import to_simplified

    return [Cue("not_ours", i, u.start, u.end, u.text, 0.75, source="pattern")
            for i, u in enumerate(utts) if u.speaker in STAFF_LIKE and not _asks(u.text)
            and ELSEWHERE.search(to_simplified(u.text))]


#: Cue kinds a deferral for the hour in the same utterance replaces: the clerk who says
#: 找下一班 / 下午再来 sends the citizen to another time, not to another office.
DEFERRAL_OVER: tuple[str, ...] = ("not_ours",)


#: A staff sentence that asks (还差一样，您找找？ 户口本带了吗？): it checks, it turns nobody away.
_ASKS = re.compile(r"[吗呢][？?。.]?\s*$|[？?]\s*$")


def _asks(text: str) -> bool:
    from analyzer.text.normalize import to_simplified

    return bool(_ASKS.search(to_simplified(text).strip()))


def _classifier_cues(interaction: Interaction, options: AnalyzerOptions) -> list[Cue]:
    """The classifier's cues, less those the words themselves rule out (:func:`_not_the_kind`)."""
    from analyzer.rules.learned import citizen_cues

    utts = interaction.utterances
    out = []
    for c in citizen_cues(utts, options.classifier):
        text = utts[c.utterance].text if c.utterance < len(utts) else c.evidence
        if _not_the_kind(c.kind, text):
            continue
        if not c.owes and c.kind in CONCEPTS and _in_words(c.kind, text):
            c = dataclasses.replace(c, owes=True, source=CONFIRMED)
        if c.owes and c.kind == "upset" and all_at_once(text):
            c = dataclasses.replace(c, owes=False)  # heard (a quarrel, a runaround), owed no calming
        out.append(c)
    return out


#: Cue kind -> the words that carry it, written from what the kind is (not from any data):
#: a classifier cue below the model's owing bar owes a reply when its words say so too.
CONCEPTS: dict[str, re.Pattern[str]] = {
    # praise: a positive judgement of the clerk or the service, or a thumbs-up
    "praise": re.compile(
        r"(?:真|太|挺|很|特别|非常|好|蛮|超|多)(?:是|的)?(?:周到|耐心|热心|贴心|细心|到位|负责|专业|利索|"
        r"麻利|客气|热情|仔细|认真|暖心|用心|靠谱|周全|和气|痛快|爽快|给力|效率)|"
        r"点(?:个|一个)?赞|没得说|没话说|挑不出|表扬|锦旗|好评|服务.{0,3}(?:好|一流|周到|到位)|"
        r"(?:真|挺|很|蛮)(?:不赖|不错|行|靠谱)|好样的|有水平"),
    # suggestion: the service could be better in a named way (以后/最好/应该/要是…就好, fix, add more)
    "suggestion": re.compile(
        # 应该 of what ought to be done (你们应该多开个窗口), not of what probably is (应该没有, 应该就是)
        r"以后|下次|将来|(?:应该|应当)(?!没|不|是|就|也|还|会|可以|能|行|对|够|差不多|在|有吧|吧)|建议|最好|"
        r"要是.{0,12}就好|如果.{0,12}就好|"
        r"(?:得|该|要|能不能|可不可以|可以)(?:修|改|换|加|添|装|多|少|弄|搞|放|设|贴|写|标|提前|注意|管管)|"
        r"改.{0,3}[点些]|多(?:装|放|设|开|配|安|摆|加)"),
    # upset: indignation at the treatment or the matter (凭什么, 什么态度, 耍人, 跑了三回)
    "upset": re.compile(
        r"凭(?:啥|什么)|(?:什么|啥)态度|欺负人|糊弄|耍人|折腾人|到底能不能|烦死|气死|不像话|有没有搞错|"
        r"[来跑]了?(?:[三四五]|好几)[回趟次]|推来推去|踢皮球|太过分|什么破|啥破"),
}


#: Words that calm an upset citizen (别着急, 您放心, 您说得对, 抱歉, 这就给您办) or explain
#: (因为, 确实, 是这样的): the reply Article 10 owes (请您听我详细解释), in any wording.
CALMS = re.compile(
    r"别(?:着)?急|不要急|莫急|放心|放宽心|消消气|别生气|理解(?:您|你)|(?:您|你)说得(?:对|是|在理)|"
    r"(?:您|你)反映得(?:对|是)|不好意思|抱歉|对不起|让(?:您|你)久等|(?:今天|现在|马上|这就|这会儿?)(?:就)?(?:能|可以)?(?:给|帮)(?:您|你)办|"
    r"(?:给|跟|和)(?:您|你)(?:解释|说说|讲讲|说一下|讲一下|说明)|因为|由于|原因|确实|"
    r"(?:^|[，,。！!？?])(?:嗯|哦|那个)?是这样|"  # 是这样的，… opens an explanation (我就是这样的 does not)
    # soothing the person (先喝口水, 坐下慢慢说, 气大伤身) or offering to find a way (这事有办法,
    # 我去请示一下, 看能不能通融, 帮您想想办法): the patient answer an outburst is owed, in deeds
    r"喝口水|歇一歇|歇会儿|慢慢说|气大伤身|有办法|想(?:想)?办法|请示|通融|(?:帮|给)(?:您|你)(?:协调|问问|争取)")


def calmed(utts: Sequence[Utterance], cue: int, turns: Sequence[int]) -> int | None:
    """The staff reply (index) that calms the upset citizen of utterance ``cue``, if any.

    Calming or explaining words (:data:`CALMS`), or, when the outburst asks
    something (都几点了，不是两点半开门吗？), a first reply that answers it, or the
    time it complains about, with a time (还没到点，再等十分钟) without going on
    with the procedure: a factual complaint about waiting answered in fact. A bare yes (行吧) answers no
    outburst (你什么态度啊！).
    """
    from analyzer.rules.answers import ANSWER_KINDS, answers, moves_on, questions, stalls
    from analyzer.text.normalize import to_simplified

    for j in turns:
        if CALMS.search(to_simplified(utts[j].text)):
            return j
    asked = questions(utts[cue].text, rhetorical=True) if cue < len(utts) else []
    first = turns[0] if turns else None
    if first is None or not asked:
        return None
    reply = to_simplified(utts[first].text)
    opening = re.split(r"[。！!？?…]+", reply.strip())[0]  # the reply's first sentence
    if pointed_question(utts[cue].text) and not moves_on(re.split(r"[，,]", opening)[0]) \
            and not stalls(opening) \
            and any(answers(q, opening) for q in asked) and not _COLD_REPLY.search(reply):
        return first  # 这回不会又白跑吧？ … 不会了，单子上就是全部: the worry answered in fact
    if moves_on(reply) or stalls(reply):
        return None
    about_time = ANSWER_KINDS["time"].search(to_simplified(utts[cue].text))
    if ANSWER_KINDS["time"].search(reply) and (about_time or any(answers(q, reply) for q in asked)):
        return first
    return None


#: An outburst's indignation proper (凭什么, 什么态度, 欺负人 …), beside the counted trips and
#: pointed asking (跑了三回, 到底) that a plain answer can settle.
_INDIGNANT = re.compile(r"凭(?:啥|什么)|(?:什么|啥)态度|欺负人|糊弄|耍人|折腾人|烦死|气死|不像话|有没有搞错|"
                        r"太过分|什么破|啥破|推来推去|踢皮球|[！!]{1,}.*[！!]|故意|刁难")
#: A reply that answers coldly (规定就这样, 没办法, 我也管不了, 爱办不办): no explanation of the matter.
_COLD_REPLY = re.compile(r"没办法|没招|管不了|就这样|就是这样|就这么|爱[^，,。！!？?]{0,3}不|你自己|怪|谁让你|"
                         r"我哪知道|不关我|跟我没关系|问我也没用")


def pointed_question(text: str) -> bool:
    """True when an upset citizen's turn presses a question (:data:`_PRESSING`) with no indignation proper.

    这回总能办了吧？ 上回那位不是说齐了吗？ 不会下回又冒出一样吧？ press a
    question out of earlier trips: a first reply that answers it in fact (不会了，
    就这两样; 今天就能办) settles what upset him, the explanation Article 10
    owes. 凭什么又要我跑？ and 什么态度！ (:data:`_INDIGNANT`) are outbursts that
    calming words answer, not a fact.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_ASKED_ANY.search(simple) and _PRESSING.search(simple)) and not _INDIGNANT.search(simple)


#: What presses a question out of trips made or feared (又, 再, 总, 到底, 上回, 下回, 白跑, 第三回).
_PRESSING = re.compile(r"又|再|还|总|到底|究竟|[上下这]回|[上下这]次|上趟|白跑|[几两三四五六]趟|[几两三四五六]回|"
                       r"第[二三四五六]|都[^，,。！!？?]{0,6}了")


#: Looking back at what would have spared the trouble (早这么说, 早告诉我, 早知道): the matter is told now.
_LOOKS_BACK = re.compile(r"早(?:这么|这样|点|些)?(?:说|讲|告诉|讲清楚|说清楚)|早知道")
#: Taking the answer up (行，我记一下; 好，那我回去弄; 知道了; 明白了).
_TAKES_UP = re.compile(r"(?:^|[，,。！!…\s])(?:行|好|成|得|那行|那好|好吧|行吧)(?:[，,。！!…\s]|$)|记一下|记下|记住了|"
                       r"知道了|明白了|懂了|那我(?:回去|去|就|等)")


def settled_grumble(utts: Sequence[Utterance], at: int) -> bool:
    """True when an upset turn grumbles at how late the answer came while taking it up.

    早这么说不就完了。行，我记一下。 after the clerk has told the office, the
    number or the list: the citizen has what he came for, and says so; the
    grumble looks back (:data:`_LOOKS_BACK`) at a matter now settled, and no
    calming is owed. Indignation proper (:data:`_INDIGNANT`) or a question still
    open keeps the cue owing.
    """
    from analyzer.text.normalize import to_simplified

    if at >= len(utts):
        return False
    simple = to_simplified(utts[at].text)
    return bool(_LOOKS_BACK.search(simple) and _TAKES_UP.search(simple)) \
        and not _INDIGNANT.search(simple) and not _ASKED_ANY.search(simple)


#: A question anywhere in a turn (a ？ or a final 吗/吧/呢 of a clause).
_ASKED_ANY = re.compile(r"[?？]|[吗吧呢](?:[，,。！!]|$)")


#: The source of a classifier cue its own words confirm (:data:`CONCEPTS`).
CONFIRMED = "classifier+pattern"


def owing(cue: Cue, options: ContextOptions) -> bool:
    """True when ``cue`` makes a reply owed: it owes, and is sure enough or confirmed by its words."""
    return cue.owes and (cue.confidence >= options.min_cue_confidence or cue.source == CONFIRMED)


def _in_words(kind: str, text: str) -> bool:
    """True when ``text`` carries the cue kind in its words (:data:`CONCEPTS`); praise is not asked,
    and a request about the citizen's own matter (:func:`own_request`) suggests nothing."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    if kind == "praise" and _ASKED.search(simple.strip()):
        return False
    if kind == "suggestion" and own_request(simple):
        return False
    return bool(CONCEPTS[kind].search(simple))


#: The citizen's own matter (我, 我们, 给我爸 …) and a request about it (能不能加个急, 可不可以改一下).
_OWN = re.compile(r"[我咱]")
_CAN_YOU = re.compile(r"能不能|可不可以|可以不可以|能否|行不行")
#: Words that put a request about the hall or the service in general (你们, 大厅, 以后 …): a suggestion.
_ABOUT_HALL = re.compile(r"你们|您们|大厅|门口|这儿|这里|窗口|椅子|取号|叫号|排队|以后|下次|将来|建议|意见|"
                         r"最好|应该|应当")


def own_request(text: str) -> bool:
    """True when a turn asks for something in the citizen's own matter, not of the service.

    我给我爸办老年卡，能不能加个急？ and 我们经营范围里能不能加一项？ ask the clerk to do
    something in the case at hand; a suggestion asks the hall to change (你们门口能不能装个扶手？
    以后能不能…). A turn with first-person words and a 能不能-request but no word of the hall,
    the service or the future is the former; 加急 is always the former.
    """
    if re.search(r"加(?:个|一下)?急", text):
        return True
    return bool(_OWN.search(text) and _CAN_YOU.search(text) and not _ABOUT_HALL.search(text))


#: A clause that only hails (喂, 你好, 同志, 哎): no clause of its own when counting a question's clauses.
_HAIL = re.compile(r"^(?:喂|哎|诶|欸|嗯|哦|你好|您好|同志|师傅|姑娘|小姑娘|大姐|大哥|小伙子|领导|老师|请问)+[?？!！]?$")
#: A question: praise is said, not asked (有你这么办事的吗？ is a complaint, not praise).
_ASKED = re.compile(r"[?？]\s*$|吗[\s。！!]*$")
#: A request for the service going on now (说大声点, 慢点说, 再说一遍): not a suggestion about the service.
_NOW_REQUEST = re.compile(r"大点声|大声点|大声些|声音大点|慢点说|说慢点|慢一点|再说一遍|再说一下|"
                          r"快点|快一点|快些|听不清|没听清|听不见")
#: A citizen asking to hear or follow the clerk (说大声点, 我耳朵背, 没听清, 慢点说): a request for
#: the service going on now, which upsets nobody.
_HEARING = re.compile(r"大点声|大声点|大声些|声音大点|大点儿声|慢点说|说慢点|再说一遍|再说一下|再讲一遍|"
                      r"听不清|没听清|听不见|没听见|听不到|耳朵背|耳背|耳朵不好|耳朵不灵|听力|"
                      # or to follow her (你说太快了，我没记住，能不能慢点？): the pace, not the service
                      r"太快|慢点|慢一点|慢些|慢一些|跟不上|没跟上|没记住|记不住|记不下|"
                      # or to be told it by her (字太多看不懂，你给我讲讲呗): the explanation asked for, no
                      # outburst (whether she gave it is Articles 5's and 8's) (session 13, train-halls-32)
                      r"(?:给|跟|帮|替)(?:我|俺)(?:说说|讲讲|说一下|讲一下|说一说|讲一讲|念念|念一下|解释|说明|说清楚|讲清楚)")
#: Words that propose a change, asked or said (建议, 应该, 能不能弄成, 就不能, 为啥不, 要是…就好).
_PROPOSES = re.compile(r"建议|意见|应该|应当|最好|就好|能不能|可不可以|能否|可否|就不能|不能[^，,。！!？?]{0,4}[一下]|"
                       r"为(?:啥|什么)不|怎么不|咋不|干嘛不|何不|弄成|改成|改一改|改改|多(?:放|装|设|开|配|安|摆|加)")
#: Words of a suggestion about the service in general (以后, 你们应该, 建议 …).
_GENERAL = re.compile(r"以后|下次|将来|应该|建议|最好|要是.{0,8}就好|你们(?:这|那)?(?:儿|里)?(?:能不能|可不可以|该)")


#: A short question that only checks what the clerk said (就这两样？ 只差这个吗？ 就差户口本了？).
_CLARIFYING = re.compile(r"^(?:那|哦|噢|嗯|好)?[，,]?(?:就|只|仅|光|是不是就|是不是只)[^，,。！!？?]{0,10}"
                         r"(?:了|啦|吧|呗)?(?:吗|啊|呀|嘛)?[？?]$")
#: Words that turn a short question into a reproach (为什么不早说？ 怎么又要？ 还要啊？).
_REPROACH = re.compile(r"为什么|为啥|怎么|咋|又|早|到底|究竟|还要|还得|凭")


#: Asking to be told everything at once (你能不能一次说全, 一口气都告诉我, 一回说完): a request for the
#: whole list (Article 18's piecemeal telling is the clerk's to answer for), not an outburst.
_ALL_AT_ONCE = re.compile(r"(?:一次|一回|一口气|一下子)(?:性)?(?:都|全|就)?(?:说|讲|告诉|列|写|交代)")


def all_at_once(text: str) -> bool:
    """True when a citizen asks to be told everything at once (:data:`_ALL_AT_ONCE`) with no words of
    upset: the cue stays heard, and owes no calming (what was told piecemeal is Article 18's)."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_ALL_AT_ONCE.search(simple)) and not CONCEPTS["upset"].search(simple)


def _calmed_before(utts: Sequence[Utterance], cue: Cue) -> bool:
    """True when an upset cue is a plain question put to a clerk who had just apologised.

    The classifier's cue (not the lexicon's, nor confirmed by words) on a
    question with no words of upset (:data:`CONCEPTS`, :data:`_REPROACH`) after
    a staff turn that apologised or calmed (:data:`CALMS`: 不好意思，还缺两样 …) owes
    no more calming: the apology was given, the question asks about the list.
    """
    from analyzer.text.normalize import to_simplified

    if cue.source != "classifier" or cue.utterance >= len(utts):
        return False
    simple = to_simplified(utts[cue.utterance].text).strip()
    if not _ASKED.search(simple) or CONCEPTS["upset"].search(simple) or _REPROACH.search(simple):
        return False
    before = [u for u in utts[:cue.utterance] if u.text.strip()]
    turn: list[Utterance] = []
    for u in reversed(before):  # the staff turn just before the question
        if u.speaker not in STAFF_LIKE:
            break
        turn.append(u)
    return any(CALMS.search(to_simplified(u.text)) for u in turn)


#: Gladness at news about the citizen's own matter (那太好了, 那就好, 这么快, 总算办成了).
_RELIEF = re.compile(r"(?:那|这)?(?:可)?太好了|那就好|这就好|好极了|这么顺|总算|终于|可算|放心了")
#: Words that turn gladness into a judgement of the clerk or the service (你们效率真高, 多亏你, 谢谢).
_ABOUT_SERVICE = re.compile(r"你|您|同志|小伙|姑娘|师傅|大姐|服务|态度|效率|窗口|办事|谢|多亏|辛苦|赞|表扬")


def relief_only(text: str) -> bool:
    """True when a citizen's turn only rejoices at the news of his matter (这么快！那太好了。).

    Speed alone (真快啊，是新来的吧？) may praise the clerk: the gladness must be said (太好了,
    那就好, 总算).

    Gladness that his matter is done, or done soon, judges nobody: praise owed
    thanks speaks of the clerk or the service (:data:`_ABOUT_SERVICE`: 这么快，你们
    效率真高; 太好了，多亏你了).
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_RELIEF.search(simple)) and not _ABOUT_SERVICE.search(simple) \
        and not CONCEPTS["praise"].search(simple)


def _not_the_kind(kind: str, text: str) -> bool:
    """True when the words rule out the classifier's cue: praise put as a question, a suggestion
    that is only a request for the service going on now or a question of what the service is
    (周末你们这儿有人没有？ proposes no change: :data:`_PROPOSES`), upset that is a short question
    checking what was said (:data:`_CLARIFYING`) or a request to hear the clerk
    (:data:`_HEARING`: 说大声点，我耳朵背) with no words of upset."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text).strip()
    if kind == "praise" and relief_only(simple):
        return True  # 这么快！那太好了。: glad of the news about his matter, no judgement of the clerk
    if kind == "praise":  # one clause, asked: 有你这么办事的吗？ (真快啊，是新来的吧？ still praises)
        # a hello or an address before it is no clause of its own (喂，是便民服务站吗？)
        return bool(_ASKED.search(simple)) and len([c for c in re.split(r"[，,。！!；;]", simple)
                                                     if c.strip() and not _HAIL.match(c.strip())]) == 1
    if kind == "upset":  # 就差这一个？ checks what was said; an outburst has words of upset
        # 啥？你说大声点，我耳朵背。 asks to hear the clerk: no outburst either
        return bool(_CLARIFYING.match(simple) or _HEARING.search(simple)) \
            and not CONCEPTS["upset"].search(simple) and not _REPROACH.search(simple)
    if kind == "suggestion":
        from analyzer.rules.answers import REQUEST

        if _ASKED.search(simple) and not _PROPOSES.search(simple):
            return True  # 以后周末你们这儿有人没有？ asks what the service is, proposing nothing
        return bool(_NOW_REQUEST.search(simple) or REQUEST.search(simple)) \
            and not _GENERAL.search(simple)
    return False


def _index_at(interaction: Interaction, t: float) -> int:
    for i, u in enumerate(interaction.utterances):
        if u.start <= t <= u.end:
            return i
    return 0


def context_findings(
    interaction: Interaction,
    hits: Sequence[Hit],
    cues: Sequence[Cue],
    lexicon: Lexicon,
    options: ContextOptions,
    *,
    normalize: Any = None,
) -> list[Finding]:
    """Forbidden-phrase findings and missing owed phrases of one interaction.

    Args:
        interaction: The interaction.
        hits: Lexicon hits (all kinds) from :func:`analyzer.text.match.find_phrases`.
        cues: From :func:`detect_cues`.
        lexicon: The lexicon in use.
        options: Context options.
        normalize: ``str -> str`` used to skip staff utterances that are only
            filler (``喂``) when finding the first staff words; default
            :func:`analyzer.text.normalize.normalize`.

    Returns:
        Findings, unordered (scoring sorts them).
    """
    out = forbidden_findings(hits, interaction.utterances, options)
    staff = [i for i, u in enumerate(interaction.utterances) if u.speaker == "staff"]
    if len(staff) < max(1, options.min_staff_utterances):
        return out
    required = [h for h in hits if h.rule.kind == "required" and h.speaker in STAFF_LIKE]
    out += _greeting_missing(interaction, staff, required, lexicon, options, normalize)
    out += _leaving_missing(interaction, staff, required, hits, lexicon, options)
    retorts = frozenset(i for h in hits if h.rule.kind == "forbidden" and h.speaker in STAFF_LIKE
                        for i in h.utterances)
    out += _replies_missing(interaction, staff, required, cues, lexicon, options, retorts)
    return out


def forbidden_findings(hits: Sequence[Hit], utterances: Sequence[Utterance] = (),
                       options: ContextOptions | None = None) -> list[Finding]:
    """One ``forbidden`` finding per forbidden-phrase hit.

    The confidence is the hit's, times ``options.assumed_speaker_weight`` when
    every utterance of the hit has an assumed speaker (a mono recording: the
    words may be the citizen's).
    """
    weight = (options or ContextOptions()).assumed_speaker_weight
    out = []
    for h in hits:
        if h.rule.kind != "forbidden":
            continue
        mine = [utterances[i] for i in h.utterances if i < len(utterances)]
        assumed = bool(mine) and all(not u.speaker_known for u in mine)
        sure = max((u.attribution_weight(weight) for u in mine), default=1.0)
        out.append(Finding(
            rule=h.rule.id, article=h.rule.article, kind="forbidden", canonical=h.rule.canonical,
            speaker=h.speaker, start=h.start, end=h.end, evidence=h.evidence,
            confidence=h.confidence * sure, points=h.rule.points,
            detail={"method": h.method, "utterances": list(h.utterances), "group": h.rule.group,
                    "severity": h.rule.severity, "title": h.rule.shown_title(),
                    **({"detector": h.detector} if h.detector else {}),
                    **({"speaker_assumed": True} if assumed else {}),
                    **attribution_detail(mine),
                    **({"acoustic": acoustic_detail(h)} if h.heard is not None else {})},
            # heard from the audio where the text did not show it: the judge, which reads
            # only that text, has no say on it (judge.vetoable)
            veto_exempt="heard" if h.method == "acoustic" else "",
        ))
    return out


def acoustic_detail(hit: Hit) -> dict[str, Any]:
    """What the acoustic verifier scored for a hit: the phrase, its probability, its rival."""
    h = hit.heard
    if h is None:
        return {}
    return {"phrase": h.phrase, "heard_as": h.evidence, "probability": h.confidence,
            "margin": h.margin,
            "phrase_score": h.phrase_score, "hypothesis_score": h.hypothesis_score,
            "competitor": h.competitor, "competitor_margin": h.competitor_margin,
            "source": h.source}


def _greeting_missing(interaction: Interaction, staff: list[int], required: Sequence[Hit],
                      lexicon: Lexicon, options: ContextOptions, normalize: Any) -> list[Finding]:
    utts = interaction.utterances
    if interaction.channel == "phone":
        context = "phone_greeting"
        if normalize is None:
            from analyzer.text.normalize import normalize
        spoken = [i for i in staff if normalize(utts[i].text).strip()] or staff
        turns = spoken[: max(1, options.phone_greeting_turns)]
        end = max(utts[i].end for i in turns)
    else:
        context = "counter_greeting"
        turns = staff[: max(1, options.greeting_turns)]
        end = max(utts[staff[0]].start + options.greeting_window, max(utts[i].end for i in turns))
        turns = [i for i in staff if utts[i].start <= end] or turns
    start = utts[turns[0]].start
    if context == "counter_greeting" and any(greets_by_address(utts[i].text) or welcomes_to_sit(utts[i].text)
                                             for i in turns):
        return []  # 爷爷奶奶好，二位坐这儿: the citizen greeted by how he is addressed
    said = [h for h in required if h.start <= end]
    evidence = _("first staff words: %(text)s", text=_quote(utts, turns))
    return _missing_in(lexicon, context, said, (start, end), evidence, utts, turns, options,
                       {"window_turns": len(turns)}, until=interaction.end_time)


#: A greeting by the citizen's address and 好 (阿姨好, 爷爷奶奶好, 叔叔阿姨好, 师傅早上好) opening a clause.
_ADDRESS_HELLO = re.compile(
    r"(?:^|[，,。！!\s])(?:[小老]?[王李张刘陈杨赵黄周吴]?(?:爷爷|奶奶|姥姥|姥爷|外公|外婆|大爷|大妈|大娘|大叔|大婶|"
    r"叔叔|阿姨|伯伯|大伯|大哥|大姐|哥|姐|师傅|老师|同学|先生|女士|老乡|老人家|小朋友|二位|各位|两位))+"
    r"(?:早上|上午|下午|中午|晚上)?好(?:[，,。！!\s]|$)")


def greets_by_address(text: str) -> bool:
    """True when a staff turn greets the citizen by his address and 好 (爷爷奶奶好, 阿姨早上好).

    The seed's 您好 is one wording of the counter greeting; 叔叔阿姨好 greets as
    well, addressing the citizen instead of saying 您. 好 must close the address
    at a clause's edge (阿姨好，您坐), not begin a word (大姐好像没带).
    """
    from analyzer.text.normalize import to_simplified

    return bool(_ADDRESS_HELLO.search(to_simplified(text).strip()))


#: The citizen hailed as the turn opens: his address or name, or his coming remarked (三婶，… ; 哟，李书记来了！).
_HAILED = re.compile(r"^(?:哟|哎|哎呀|呀|嗬|哦)?[，,！!\s]*[^，,。！!？?\s您你]{0,3}"
                     r"(?:爷|奶|大妈|大娘|叔|婶|姨|伯|哥|姐|嫂|妹|弟|师傅|老师|同学|先生|女士|老乡|书记|主任|"
                     r"村长|队长|会计|老板|大夫|医生|老人家)(?:[，,！!]|来了|(?=[您你]))")
#: An invitation to sit (快坐快坐, 您先坐下, 请坐, …，坐下喝口水), not an order to wait (坐那儿等着).
_SIT_DOWN = re.compile(r"(?:快|请|先|您|你|赶紧|^|[，,。！!\s])坐(?:下|吧|啊|呀|会儿|这儿|这边|着说)?(?![^，,。！!？?]{0,4}等)")


def welcomes_to_sit(text: str) -> bool:
    """True when a staff turn hails the citizen and asks him to sit (哟，李书记来了！快坐快坐).

    Hailing a known citizen by his address or name and inviting him to sit
    greets him as 您好 does (session 12, kind from train-halls-24); 坐那儿等着
    orders him to wait and greets nobody.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text).strip()
    return bool(_HAILED.match(simple) and _SIT_DOWN.search(simple))


def _leaving_missing(interaction: Interaction, staff: list[int], required: Sequence[Hit],
                     hits: Sequence[Hit], lexicon: Lexicon, options: ContextOptions
                     ) -> list[Finding]:
    utts = interaction.utterances
    if interaction.channel not in options.leaving_channels:
        return []
    how = visit_ended(interaction, hits, options)
    if how is None:
        return []
    end = interaction.end_time
    turns = staff[-max(1, options.farewell_turns):]
    start = min(end - options.farewell_window, utts[turns[0]].start)
    start = max(start, utts[staff[0]].start)
    turns = [i for i in staff if utts[i].end >= start]
    said = [h for h in required if h.end >= start]
    evidence = _("last staff words: %(text)s", text=_quote(utts, turns[-2:]))
    out = _missing_in(lexicon, "leaving", said, (start, end), evidence, utts, turns, options,
                      {"visit_ended": how}, until=interaction.end_time)
    if any(u.speaker == "citizen" and rating_only(u.text) for u in utts[staff[0]:]):
        # 行，给你评个满分 / 评价器按了: the citizen tells the evaluation done, asked for earlier or not
        out = [f for f in out if f.rule != EVALUATE_GROUP]
    return out


#: The owed group of the evaluation request (请您为我的服务做出评价).
EVALUATE_GROUP = "A10-G-EVALUATE"


#: Contexts of the staff phrases that close a visit (a farewell, or sending the citizen away).
_CLOSING_CONTEXTS = ("leaving",)


def visit_ended(interaction: Interaction, hits: Sequence[Hit], options: ContextOptions
                ) -> str | None:
    """How the visit ended, or None when the recording may have been cut mid-conversation.

    * ``farewell``: the staff said a farewell or evaluation request
      (``leaving`` phrase) or sent the citizen away (a forbidden phrase: 下班了，
      明天再来; 你去投诉好了) in their last turns;
    * ``citizen_left``: the citizen's last turn, then no speech by anyone for
      ``ended_silence`` seconds to the end of the recording;
    * ``recording_end``: the recording ends in ``ended_silence`` seconds of
      silence after the last speech;
    * ``staff_last``: a typed transcript without ``duration`` (no silence to
      measure) whose last turn is the staff's: the citizen was answered. One
      ending on the citizen's words may have been cut before the answer;
    * ``next_called``: the staff's last utterance calls the next citizen
      (下一位: :func:`analyzer.rules.answers.calls_next`), whatever the citizen
      said after it;
    * ``acknowledged``: unless those words only acknowledge (好的，谢谢) the
      staff's concluding words (办好了, 七天以后来拿: :func:`acknowledges_conclusion`).
      A pick-up instruction ends the business; it is no farewell, so the
      closing is still owed.

    A visit with no citizen speech at all is not judged (nobody left).
    """
    utts = interaction.utterances
    if not any(u.speaker == "citizen" for u in utts):
        return None
    staff = [u for u in utts if u.speaker in STAFF_LIKE]
    if staff:
        tail_start = staff[-min(len(staff), 2)].start
        for h in hits:
            if h.speaker in STAFF_LIKE and h.start >= tail_start and (
                    (h.rule.kind == "required" and h.rule.context in _CLOSING_CONTEXTS)
                    or h.rule.kind == "forbidden"):
                return "farewell"
    from analyzer.rules.answers import calls_next

    if staff and calls_next(staff[-1].text):
        return "next_called"  # the clerk has turned to the next citizen
    last = max(utts, key=lambda u: u.end)
    if interaction.duration is None:  # a typed transcript: no silence to measure
        if last.speaker in STAFF_LIKE:
            return "staff_last"
        return "acknowledged" if staff and acknowledges_conclusion(staff[-1], last) else None
    if interaction.duration - last.end >= options.ended_silence:
        return "citizen_left" if last.speaker == "citizen" else "recording_end"
    return None


#: Staff words that conclude the business: done, or when and where to collect the result.
_CONCLUDES = re.compile(r"办好了|办完了|弄好了|搞定了|办妥|弄妥|搞好了|弄完了|"
                        r"(?:(?:^|[，,。])|都|全|全都|全部|已经|这就|这下|总算|这样就)"
                        r"(?:好了|行了|可以了|妥了|齐了|齐活了?|完事了?|结束了|没问题了)|"
                        r"(?:来|过来|再来|回来)(?:拿|取|领)|(?:拿|取|领)(?:证|件|卡|照|结果)|凭.{0,6}(?:拿|取|领)")
#: A citizen turn that only acknowledges (好的，谢谢; 行，知道了; 好嘞).
_ACKNOWLEDGES = re.compile(r"^(?:(?:好|好的|好嘞|好吧|行|行吧|成|嗯|哦|噢|知道了|晓得了|明白了|记住了|"
                           r"谢谢|谢谢你|谢谢您|谢了|多谢|麻烦了|辛苦了|麻烦[你您]了?|辛苦[你您]了?|"
                           r"(?:那)?我(?:就|先)?走了|再见|拜拜|回见|"  # the citizen's own leave-taking
                           r"同志|师傅|姑娘|小姑娘|大姐|大哥|小伙子|小同志|领导|老师|妹子|闺女|美女|帅哥"  # address
                           r")(?:啊|呀|哈|啦|了)?[，,。！!～~ ]*)+$")

#: A short citizen turn that thanks or takes leave (这么快啊，谢谢你啊姑娘; 哎，好好好，谢谢): with no
#: question and no worry in it, it only acknowledges.
_THANKS_OR_LEAVE = re.compile(r"谢|麻烦[你您]?了|辛苦|(?:我|那我)(?:就|先)?走了|再见|拜拜|回见")
#: The most characters (punctuation aside) of such a turn.
THANKS_TURN_CHARS = 14
#: A citizen turn that opens by accepting and goes on to restate the plan (好，那我下礼拜来拿).
_ACCEPTS = re.compile(r"^(?:好|好的|好嘞|行|行吧|成|嗯|哦|知道了|晓得了|明白了|谢谢)[，,。 ]*(?:那)?我")
#: Words that keep the matter open (可是, 万一, 要是): no acceptance.
_WORRIED = re.compile(r"可是|但是|万一|要是|如果|不过|为什么|怎么|吗|呢|？|\?")


def acknowledges_conclusion(staff: Utterance, last: Utterance) -> bool:
    """True when the citizen's last words only acknowledge the staff's concluding words.

    好了，证件七天以后来拿。 / 好的，谢谢。 (or 好，那我下礼拜来拿。) ends the visit
    as surely as the staff's last word would: nothing is left unanswered.
    """
    from analyzer.text.normalize import to_simplified

    said = to_simplified(last.text).strip()
    calm = not _asks(said) and not _WORRIED.search(said)
    thanks = calm and bool(_THANKS_OR_LEAVE.search(said)) \
        and len(re.sub(r"[，,。.！!？?、～~\s…]", "", said)) <= THANKS_TURN_CHARS
    return bool(_CONCLUDES.search(to_simplified(staff.text))) and bool(
        _ACKNOWLEDGES.match(said) or thanks or (_ACCEPTS.match(said) and calm))


def _replies_missing(interaction: Interaction, staff: list[int], required: Sequence[Hit],
                     cues: Sequence[Cue], lexicon: Lexicon, options: ContextOptions,
                     retorts: Collection[int] = frozenset()) -> list[Finding]:
    """Owed replies not said after their cues; ``retorts``: staff utterances a forbidden phrase was found in.

    A citizen complaining of the wait or pressing a question, whose first reply is
    itself a forbidden phrase (嫌慢你告去啊 to 我排了四十分钟了; 没看我正忙着吗 to
    到底啥时候？), is that phrase's breach, found under its own article: the retort
    is how the clerk failed him, not a second, missing calming (as an unanswered
    question met with one is, Article 5). An outburst of indignation proper
    (凭什么, 什么态度, 什么破流程: :data:`_INDIGNANT`) met with a retort still owes
    calming as well.
    """
    from analyzer.text.normalize import to_simplified

    utts = interaction.utterances
    out: list[Finding] = []
    episode_end: dict[str, float] = {}
    answered: dict[str, bool] = {}  # the open episode's reply was said: a later cue is a new one
    retorted_until = -1.0  # the end of a window whose complaint was met with a forbidden retort
    for cue in sorted(cues, key=lambda c: c.start):
        if cue.kind not in REPLY_CONTEXT:
            continue  # a cue that owes no reply (Article 18's)
        if not owing(cue, options):
            continue  # too unsure that a reply was owed to demand one
        if cue.kind == "upset" and (_calmed_before(utts, cue) or settled_grumble(utts, cue.utterance)):
            continue  # a plain question after the clerk's apology, a grumble taking the answer: nothing owed
        if cue.start < episode_end.get(cue.kind, -1.0) and not answered.get(cue.kind, False):
            continue  # same episode as an earlier cue of this kind, not yet answered
        if cue.kind == "incomplete_materials" and (answered.get(cue.kind, False) or got_round(utts, cue.utterance)):
            continue  # the lack told again after its apology and list, or got round at the counter
        span = reply_span(utts, staff, cue, options)
        if span is None:
            continue  # staff never spoke after it: the recording may have ended
        begin, end, turns = span
        indignant = cue.kind == "upset" and cue.utterance < len(utts) \
            and bool(_INDIGNANT.search(to_simplified(utts[cue.utterance].text)))
        if cue.kind == "upset" and not indignant and (cue.start < retorted_until
                                                      or _first_reply(utts, cue.utterance, turns) in retorts):
            retorted_until = max(retorted_until, end)  # his protest at the retort is this episode
            continue  # met with a forbidden phrase: that phrase's finding, under its article
        episode_end[cue.kind] = end
        said = [h for h in required if begin <= h.start <= end and _counts_before(h, cue, utts)]
        groups = owed_groups(lexicon, REPLY_CONTEXT[cue.kind])
        answered[cue.kind] = bool(groups) and all(g.rule_ids & {h.rule.id for h in said}
                                                  for g in groups)
        if answered[cue.kind]:  # the episode ends with its reply
            episode_end[cue.kind] = max(h.end for h in said)
            said = [h for h in said if h.start <= episode_end[cue.kind]]
        elif cue.kind == "upset" and (j := calmed(utts, cue.utterance, turns)) is not None:
            answered[cue.kind] = True  # calmed or explained in words of its own
            episode_end[cue.kind] = utts[j].end
            continue
        evidence = _cue_evidence(utts, cue)
        cold = cold_reply(utts, cue, turns)
        missing = _missing_in(lexicon, REPLY_CONTEXT[cue.kind], said, (cue.start, end), evidence,
                              utts, turns, options,
                              {"cue": cue.kind, "cue_source": cue.source,
                               "cue_utterance": cue.utterance, **({"reply": "cold"} if cold else {})},
                              weight=cue.confidence, until=interaction.end_time)
        # decided by the cold reply, a turn the judge does not rate: no veto (judge.vetoable)
        out += [dataclasses.replace(f, veto_exempt="reply") for f in missing] if cold else missing
    return out


def cold_reply(utts: Sequence[Utterance], cue: Cue, turns: Sequence[int]) -> bool:
    """True when an upset citizen's first reply is a cold one (:data:`_COLD_REPLY`: 规定就这样, 看你自己).

    The missing calming is then decided by the reply, a turn the judge's unit (the
    citizen's words) does not see: the finding carries ``reply: cold`` and the judge
    does not veto it (:func:`analyzer.rules.judge.decide`).
    """
    from analyzer.text.normalize import to_simplified

    if cue.kind != "upset":
        return False
    first = _first_reply(utts, cue.utterance, turns)
    return first is not None and bool(_COLD_REPLY.search(to_simplified(utts[first].text)))


def _first_reply(utts: Sequence[Utterance], cue: int, turns: Sequence[int]) -> int | None:
    """The first staff turn after utterance ``cue`` among ``turns`` (None: none after it)."""
    return next((j for j in turns if j > cue and utts[j].speaker in STAFF_LIKE), None)


def reply_span(utts: Sequence[Utterance], staff: Sequence[int], cue: Cue, options: ContextOptions
               ) -> tuple[float, float, list[int]] | None:
    """Where the reply a cue owes counts: ``(start, end, staff turns after the cue)``.

    The one rule of the owed-reply window (:class:`~analyzer.options.ContextOptions`):

    * **after**: from the start of the cue's utterance (the same turn counts) to
      the later of the end of the ``reply_turns``-th staff utterance from there
      and ``reply_window`` seconds after the cue;
    * **before**: for a cue kind in ``reply_before_kinds`` (incomplete materials),
      also the ``reply_before_turns`` staff utterances just before the cue's
      utterance. The apology and the list are owed when the lack comes to
      light, and an inspector accepts them said then: 不好意思，还差结婚证和情况说明
      before the citizen's 啊？那咋办, and the turning away (补齐了再来) after it;
      the list in one turn and the apology in the next; or the same lack told
      again after its apology (one apology per lack, not per mention). An
      apology further back (for the wait, at the start) answers no lack, and a
      list said before the cue counts only when it tells the lack or names a
      material the cue names (:data:`NAMES_THE_LACK`).

    Returns:
        None when the staff never spoke from the cue on (the recording may have
        ended before the reply); the turns are those after the cue, whose
        recognition and attribution weigh a missing finding.
    """
    cue_start = utts[cue.utterance].start if cue.utterance < len(utts) else cue.start
    after = [i for i in staff if utts[i].start >= cue_start]
    if not after:
        return None
    turns = after[: max(1, options.reply_turns)]
    end = max(cue.end + options.reply_window, utts[turns[-1]].end)
    turns = [i for i in after if utts[i].start <= end]
    start = cue_start
    if cue.kind in options.reply_before_kinds and options.reply_before_turns > 0:
        before = [i for i in staff if i < cue.utterance][-options.reply_before_turns:]
        if before:
            start = min(start, utts[before[0]].start)
    return start, end, turns


#: Owed groups whose reply said before the cue (:func:`reply_span`'s look-back) counts only when it
#: tells a lack (还差户口本和结婚证) or names a material the cue's words name (要带结婚证… then
#: 结婚证没带，回去拿了再来): a list of what another matter needs (孩子户口迁过来要带户口本、
#: 出生证明) is no list of what this one lacks (缺少租房合同).
NAMES_THE_LACK: tuple[str, ...] = ("A10-G-MATERIAL-LIST",)


def _counts_before(hit: Hit, cue: Cue, utts: Sequence[Utterance]) -> bool:
    """True unless ``hit`` is said before the cue's utterance and must name its lack and does not
    (:data:`NAMES_THE_LACK`)."""
    if cue.utterance >= len(utts) or hit.start >= utts[cue.utterance].start:
        return True
    if (hit.rule.group or hit.rule.id) not in NAMES_THE_LACK:
        return True
    from analyzer.rules.materials import materials_named
    from analyzer.text.normalize import to_simplified

    said = " ".join(utts[i].text for i in hit.utterances if i < len(utts)) or hit.evidence
    return bool(_LACKING.search(to_simplified(said))
                or materials_named(said) & materials_named(utts[cue.utterance].text))


def _missing_in(lexicon: Lexicon, context: str, said: Sequence[Hit], span: tuple[float, float],
                evidence: str, utts: list[Utterance], turns: Sequence[int],
                options: ContextOptions, extra: dict[str, Any], weight: float = 1.0,
                until: float | None = None) -> list[Finding]:
    """One finding per owed group of ``context`` not said; the window ends by ``until``."""
    if until is not None:  # a window never runs past the end of the interaction
        span = (min(span[0], until), min(span[1], until))
    said_ids = {h.rule.id for h in said}
    asr = [utts[i].confidence for i in turns] or [1.0]
    sure = [utts[i].speaker_confidence for i in turns] or [1.0]
    conf = options.missing_confidence * weight * (sum(asr) / len(asr)) * (sum(sure) / len(sure))
    extra = {**extra, **attribution_detail([utts[i] for i in turns])}
    out = []
    for group in owed_groups(lexicon, context):
        if group.rule_ids & said_ids:
            continue
        first = group.rules[0]
        out.append(Finding(
            rule=group.id, article=first.article, kind="missing",
            canonical=" / ".join(r.canonical for r in group.rules), speaker="staff",
            start=span[0], end=span[1], evidence=evidence, confidence=min(1.0, conf),
            points=max(r.points for r in group.rules),
            detail={"context": context, "group": group.id,
                    "alternatives": sorted(group.rule_ids), **extra},
        ))
    return out


def _quote(utts: list[Utterance], turns: Sequence[int], limit: int = 60) -> str:
    text = " / ".join(utts[i].text for i in turns)
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


#: Cue kinds as the evidence names them (``pgettext("cue", kind)``); ``NP_`` lets Babel find them.
CUE_WORDS: tuple[str, ...] = (
    NP_("cue", "praise"), NP_("cue", "suggestion"), NP_("cue", "upset"),
    NP_("cue", "incomplete_materials"), NP_("cue", "not_ours"), NP_("cue", "materials_listed"),
    NP_("cue", "materials_added"), NP_("cue", "earlier_visit"), NP_("cue", "materials_deferred"),
    NP_("cue", "deferral"), NP_("cue", "requeue"))


def _cue_evidence(utts: list[Utterance], cue: Cue) -> str:
    """``citizen said “…whole utterance…” (praise: 服务真好)``."""
    from analyzer.i18n import pgettext

    kind = pgettext("cue", cue.kind)
    if cue.utterance >= len(utts):
        return _("“%(text)s” (%(kind)s)", text=cue.evidence, kind=kind)
    u = utts[cue.utterance]
    quote, said = _quote(utts, [cue.utterance]), cue.evidence
    if u.speaker == "citizen":
        return _("citizen said %(quote)s (%(kind)s: %(said)s)", quote=quote, kind=kind, said=said)
    if u.speaker == "staff":
        return _("staff said %(quote)s (%(kind)s: %(said)s)", quote=quote, kind=kind, said=said)
    return _("someone said %(quote)s (%(kind)s: %(said)s)", quote=quote, kind=kind, said=said)
