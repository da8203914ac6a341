"""Measurable duties beyond Chapter 3: Articles 5, 17, 18 and 25 (and Article 7's unanswered call).

Input: the interaction, its lexicon hits and cues, the findings the other rules
made, the ring result. Output: more :class:`~analyzer.types.Finding` objects
(and the forbidden findings annotated with the service hours). Options:
:class:`~analyzer.options.DutyOptions` (``duties.*``).

* ``A5-ANSWER`` (询问有答声, ``unanswered``): a citizen question that gets no
  staff speech before the citizen's next turn (utterances ``turn_gap`` apart
  are one turn), or before a visit that ended (:func:`~analyzer.rules.context.visit_ended`).
  A question already inside an ``A8-IGNORE`` episode is that finding's; the
  last question of a phone call is the hang-up rule's.
* ``A6-UNCIVIL`` remarks the classifier misses (belittling, complaining about
  the matter, scolding: :mod:`analyzer.rules.civility`), and none on a call's
  bare 喂 pick-up (Article 7's greeting).
* ``A17-INTERRUPT`` (抢话, ``interruption``): staff speech of at least
  ``interrupt_min_chars`` characters starting while the citizen is speaking,
  overlapping the citizen's speech by ``interrupt_seconds``. Needs both
  speakers known (stereo, or a typed transcript).
* ``A17-QUARREL`` (争吵, ``quarrel``): within ``quarrel_window`` seconds, both
  parties raised their voices against their own median level
  (``quarrel_over_median_db``; audio) while their turns overlapped, or
  heated words on both sides (staff: a forbidden phrase, an uncivil or
  shouting finding; citizen: an upset cue; either: heat answered in kind,
  :func:`answered_heat`) in at least three turns answering each other, each
  side heated at least twice (:func:`_exchange`, :data:`QUARREL_MIN_EACH`);
  cold refusals and redirects said without heat are none (:func:`heat_in`).
* ``A18-PIECEMEAL`` (一次性告知, ``piecemeal``): staff add a material
  (``materials_added`` cue: 还有…也要带) in a later turn than the one that
  listed the materials (``materials_listed`` cue, or an earlier addition).
* ``A18-EARLIER`` (``earlier_visit``): the citizen says an earlier visit left
  them uninformed (上次没说还要…); about that visit, for the inspector.
* ``A25-HOURS`` (``hours``): a closing phrase (``closing_rules``: 下班了,明天再来)
  said within the hall's service hours; the forbidden finding's
  ``detail.hours`` carries the local time too (shown on the review page).
* ``A7-UNANSWERED`` (``ring``): a phone call that rang its allowed
  ``rings.max_rings`` times (or more) within service hours and was never
  answered (no staff speech); it replaces ``A7-RING``'s "answered after"
  finding. 铃响三声以内接听 gives the clerk the first three rings: once the third
  has rung out unanswered, the duty is already broken, whether the caller then
  hangs up or lets it ring on; a caller who hangs up during the first two
  rings gave the clerk no chance.

Article 16 (首问负责) is an owed reply of :mod:`analyzer.rules.context`: a
``not_ours`` cue owes a pointer (``A16-G-POINTER``).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.halltime import HallZones
from analyzer.i18n import NP_, label, pgettext
from analyzer.i18n import gettext as _
from analyzer.options import AnalyzerOptions, ClassifierOptions, DutyOptions
from analyzer.rules.acoustics import measure_finding, measure_rule, speech_chars
from analyzer.rules.civility import RUDE, drop_pickups, go_ahead, remark, remark_findings
from analyzer.rules.context import owing
from analyzer.rules.destinations import names_destination
from analyzer.rules.materials import earlier_visits, piecemeal
from analyzer.types import Cue, Finding, Interaction, RingResult, Utterance

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon, Rule
    from analyzer.text.match import Hit


#: Staff findings that make a staff utterance heated (Article 17).
HEATED_STAFF_RULES_KINDS: tuple[str, ...] = ("forbidden", "uncivil")
#: Cue kinds that make a citizen utterance heated.
HEATED_CITIZEN_CUES: tuple[str, ...] = ("upset",)
#: Cue kinds whose utterance owes something other than an answer (Article 10's
#: replies, Article 18's earlier visit): its questions are not judged by Article 5.
ANSWER_EXEMPT_CUES: tuple[str, ...] = ("praise", "suggestion", "upset", "earlier_visit")
#: Of those, the cues owing thanks: a question of a specific kind beside one is still owed its answer.
THANKED_CUES: tuple[str, ...] = ("praise", "suggestion")


@dataclass(frozen=True)
class Heated:
    """One heated utterance of a quarrel: who, when, and why."""

    index: int
    speaker: str
    start: float
    end: float
    raised: bool  # level above the party's own median
    words: bool  # heated words (forbidden, uncivil, upset)
    text: str


def apply_duties(interaction: Interaction, hits: Sequence[Hit], cues: Sequence[Cue],
                 lexicon: Lexicon, options: AnalyzerOptions, ring: RingResult | None,
                 findings: Sequence[Finding]) -> list[Finding]:
    """The findings with the duties' findings added (see the module docstring).

    Args:
        interaction: The interaction.
        hits: Its lexicon hits.
        cues: Its cues (:func:`analyzer.rules.context.detect_cues`).
        lexicon: The lexicon in use (disabled rules give no findings).
        options: Analyzer options (``duties``, ``context``, ``rings``).
        ring: The ring result of a phone call, if any.
        findings: What the other rules found so far.

    Returns:
        All findings: the given ones (forbidden closing phrases annotated,
        ``A7-RING`` replaced on a never-answered call, an ``A6-UNCIVIL`` on a
        bare phone pick-up dropped) and the new ones.
    """
    d = options.duties
    out = drop_pickups(findings, interaction.utterances, interaction.channel)
    flagged = _flagged(interaction, findings)
    uncivil = _flagged(interaction, [f for f in findings if f.kind == "uncivil"])
    out += remark_findings(interaction.utterances, lexicon, flagged,
                           options.classifier.assumed_speaker_weight,
                           forbidden_only=flagged - uncivil)
    out += unanswered_questions(interaction, hits, lexicon, options, findings, cues)
    out += [f for f in interruptions(interaction, lexicon, d) if not _hangs_up(f, findings)
            and not breach_of_its_own(f, out)]
    out += quarrels(interaction, cues, lexicon, d, findings, options.classifier)
    out += piecemeal(interaction, cues, lexicon)
    out += earlier_visits(interaction, cues, lexicon)
    out += runarounds(interaction, cues, lexicon)
    out = service_hours(interaction, cues, lexicon, d, out, zones=options.halls.zones())
    return unanswered_call(interaction, lexicon, options, ring, out)


# ------------------------------------------------------------------ Article 6
def _flagged(interaction: Interaction, findings: Sequence[Finding],
             but: Sequence[str] = ()) -> set[int]:
    """Staff utterances a forbidden phrase or the uncivil classifier already flagged.

    Findings of the rules in ``but`` do not count.
    """
    spans = [(f.start, f.end) for f in findings if f.kind in HEATED_STAFF_RULES_KINDS
             and f.rule not in but and f.start is not None and f.end is not None]
    return {i for i, u in enumerate(interaction.utterances)
            if any(a < u.end and u.start < b for a, b in spans)}


# ------------------------------------------------------------------ Article 5
def _turns(utts: Sequence[Utterance], gap: float) -> list[list[int]]:
    """Indices of ``utts`` (in time order) grouped into turns of one party.

    A turn is a run of one speaker's utterances, each starting within ``gap``
    seconds of the previous one's end, with no other party's speech starting
    in between.
    """
    turns: list[list[int]] = []
    for i, u in enumerate(utts):
        if not u.text.strip():
            continue
        last = turns[-1] if turns else None
        if last and utts[last[-1]].speaker == u.speaker and u.start - utts[last[-1]].end <= gap:
            last.append(i)
        else:
            turns.append([i])
    return turns


def unanswered_questions(interaction: Interaction, hits: Sequence[Hit], lexicon: Lexicon,
                         options: AnalyzerOptions, prior: Sequence[Finding],
                         cues: Sequence[Cue] = ()) -> list[Finding]:
    """``A5-ANSWER``: citizen questions that got no answer of their kind (询问有答声).

    Each question of a citizen turn (:func:`analyzer.rules.answers.questions`)
    is answered by a staff utterance of its *response*: the staff's first turn
    after it (read leniently), or a later staff word before the citizen asks
    something new (a repeat of the same question keeps it open) or the visit
    ends (:func:`analyzer.rules.answers.answers`); an answer that came only
    when the citizen asked again, the first reply having gone on with the
    procedure, leaves it passed over (:func:`_only_when_asked_again`). Not
    judged: a question in an utterance that raised a cue (an outburst owes
    calming, a suggestion thanks: Article 10; an earlier visit is Article
    18's), a first reply in forbidden or uncivil words (that phrase's article;
    a rush, :data:`RUSH_RULES`, is no reply and still leaves the question owed), a first reply with a redirect or, after a redirect, a question of
    where or whom (where to go is Article 16's), one inside an ``A8-IGNORE``
    episode, the last question of a phone call (the hang-up rule's), and a
    last question of a recording that may have been cut before the answer.
    """
    from analyzer.rules.answers import (
        HERE,
        RUSH_WORDS,
        SPECIFIC,
        calls_next,
        echoes,
        elliptical,
        is_request,
        questions,
    )
    from analyzer.text.normalize import to_simplified

    rule = measure_rule(lexicon, "A5-ANSWER")
    utts = sorted(interaction.utterances, key=lambda u: u.start)
    if rule is None or not any(u.speaker == "staff" for u in utts):
        return []
    order = {id(u): i for i, u in enumerate(interaction.utterances)}
    cued = {c.utterance for c in cues if c.kind in ANSWER_EXEMPT_CUES and owing(c, options.context)}
    # a suggestion or praise owes thanks, but a where/when/how-much/what-to-bring asked with it
    # (…写得不太一样，要是得改的话，打印复印在哪儿弄？) still owes its answer
    for_thanks = {c.utterance for c in cues if c.kind in THANKED_CUES}
    suggested = {c.utterance for c in cues if c.kind == "suggestion"}  # 周末你们这儿有人没有？ asks too
    redirected = {c.utterance for c in cues if c.kind == "not_ours"} | {
        k for k, u in enumerate(interaction.utterances) if u.speaker == "staff" and NOT_OURS.search(u.text)}
    turns = _turns(utts, options.duties.turn_gap)
    ignored = [(f.start, f.end) for f in prior if f.rule == "A8-IGNORE"]
    heard: list[frozenset[str] | None] | None = None  # read once a question is asked
    # a rush (快签吧，签完走; 搞快点，要下班了) answers nothing and excuses nothing
    # (弄一半就到点了，下午两点半以后来 sends the citizen off to come again: a deferral, no rush)
    flagged = {id(interaction.utterances[i]) for i in _flagged(interaction, prior, RUSH_RULES)
               if not RUSH_WORDS.search(simple := to_simplified(interaction.utterances[i].text))
               or _LATER.search(simple)}
    # a curt pass-over (还有事吗？) excuses nothing, unless the question was itself thrown in heat
    coldly = {id(interaction.utterances[i]) for i in range(len(interaction.utterances))
              if id(interaction.utterances[i]) in flagged and _coldly_passed(interaction, prior, i)}
    opening = next((n for n, t in enumerate(turns) if utts[t[0]].speaker == "citizen"), -1)
    private = off_the_counter(interaction, prior)
    out: list[tuple[Any, Finding]] = []
    earlier: list[Any] = []  # the citizen's questions so far (an elliptical 那利率呢 asks one again)
    for n, turn in enumerate(turns):
        if utts[turn[0]].speaker != "citizen":
            continue
        before = turns[n - 1] if n and utts[turns[n - 1][0]].speaker != "citizen" else []
        sent_away = any(order[id(utts[j])] in redirected for j in before) \
            and not BACK_FROM_IT.match(to_simplified(utts[turn[0]].text))  # 看了，…: back, a new question
        vaguely = sent_away and any(SENT_OFF.search(to_simplified(utts[j].text)) for j in before) \
            and not any(names_destination(utts[j].text) for j in before)
        said_before = "，".join(utts[j].text for j in before)
        asked = [(i, q) for i in turn
                 for q in [*questions(utts[i].text, short=vaguely), *elliptical(utts[i].text, earlier)]
                 if not _self_answered(utts, i, q)
                 and not echoes(q, said_before)  # 清税证明是吧？ checks the clerk's own words
                 and (order[id(utts[i])] not in cued or _asked_again(utts, i, q)  # cued: A10/A18's
                      or (order[id(utts[i])] in for_thanks and q.text.endswith(("？", "?"))
                          and (q.kinds & SPECIFIC or order[id(utts[i])] in suggested)))]
        earlier += [q for _, q in asked if not is_request(q)]
        if not asked:
            continue
        heard = heard if heard is not None else _heard_answers(utts, options)
        window, until = _response(utts, turns, n, [q for _, q in asked if not is_request(q)]
                                  or [q for _, q in asked])
        window = [j for j in window if id(utts[j]) not in private  # said to a colleague, not him
                  and not (interaction.channel != "phone" and TAKES_A_CALL.search(utts[j].text))
                  and not _aside(utts, j)]
        sent_on = any(order[id(utts[j])] in redirected for j in _first_turn(utts, window))
        for i, q in asked:
            if is_request(q) and not any(calls_next(utts[j].text) for j in window[:1]):
                continue  # 能先给我办吗？ is taken up, not answered — but 下一位 over it leaves it (session 13)
            others = [o for _, o in asked if o is not q and not is_request(o)]
            if vaguely and (q.kinds & {"place"} or ("who" in q.kinds and WHOSE.search(q.text))) \
                    and (withheld := _where_withheld(rule, utts, i, q, window)):
                out.append((q, withheld))
                continue  # sent away with nowhere named, asked where, told nowhere again
            if sent_on and (q.kinds & WHERE_KINDS or HERE.search(q.text)):
                continue  # sent away in the response: where to go is Article 16's
            if any(id(utts[j]) in flagged and not (id(utts[j]) in coldly and not heat_in(utts[i].text))
                   for j in window[:1]) and not _asked_again(utts, window[0], q):
                continue  # answered in forbidden or uncivil words: that article's (unless asked again)
            if sent_away and q.kinds & WHERE_KINDS \
                    and not any(calls_next(utts[j].text) for j in window[:1]):
                continue  # where to go, once sent away: Article 16's (unless met with 下一位)
            finding = _unanswered(interaction, hits, rule, options, utts, i, q, window, until,
                                  ignored, others, heard, opening=n == opening)
            if finding is not None:
                out.append((q, finding))
    return _merge_repeats(out)


#: Not this office's matter, in the clerk's words (不归我们镇上了, 不是我们这儿管的): a redirect, for Article 5
#: (where or whom to go to then is Article 16's) where no ``not_ours`` cue was heard.
NOT_OURS = re.compile(r"不归(?:我们|咱们|咱|俺们|这儿|这里|这边)|不是(?:我们|咱们)(?:这儿|这里|这边)?(?:管|办|负责)|"
                      r"不在(?:我们|咱们)(?:这儿|这里|这边)?(?:办|管)")
#: A staff utterance opening on a colleague's name or title (刘姐，… 小王，… 张老师你…): said to her.
VOCATIVE = re.compile(r"^(?:哎呀|哎|诶|欸|喂|嗨)?[，,\s]*"
                      r"([\u4e00-\u9fff](?:姐|哥|老师|主任|科长|师傅|大姐|大哥)|(?:小|老)[\u4e00-\u9fff](?=[，,！!]))")
_INTERJECTION = re.compile(r"^(?:哎呀|哎|诶|欸|喂|嗨)?[，,\s]*")
#: Private talk (Article 6's subtypes): the clerk chatting or on a private call.
PRIVATE_SUBTYPES: frozenset[str] = frozenset({"unrelated_chat", "private_call"})


def _content_bigrams(text: str) -> set[str]:
    from analyzer.rules.answers import _content

    return _content(text)


def off_the_counter(interaction: Interaction, prior: Sequence[Finding]) -> set[int]:
    """``id()`` of the staff utterances of the clerk's private talk: no reply to a citizen's question.

    A chat with a colleague or a private phone call (``A6-UNCIVIL`` findings of
    :data:`PRIVATE_SUBTYPES`, and :func:`~analyzer.rules.civility.private_calls`),
    and the clerk's further words to the same colleague, opening on the name
    she used (:data:`VOCATIVE`: 刘姐，… then 刘姐你…), are said past the citizen:
    a question he asks meanwhile is still owed its answer (Article 5).
    """
    from analyzer.rules.civility import private_calls

    utts = interaction.utterances
    idx: set[int] = {j for call in private_calls(utts) for j in call}
    for f in prior:
        if f.rule == "A6-UNCIVIL" and f.detail.get("subtype") in PRIVATE_SUBTYPES:
            idx.update(j for j in [f.detail.get("utterance"), *f.detail.get("utterances", [])]
                       if isinstance(j, int) and 0 <= j < len(utts))
    idx.update(j for j, u in enumerate(utts) if u.speaker == "staff" and remark(u.text) == "unrelated_chat")
    names = tuple({m.group(1) for j in idx if (m := VOCATIVE.match(utts[j].text.strip()))})
    talk = "，".join(utts[j].text for j in sorted(idx))  # the chat goes on about its own things (羽绒服)
    idx.update(j for j, u in enumerate(utts) if u.speaker == "staff" and talk and "您" not in u.text
               and any(j > k for k in idx) and _content_bigrams(u.text) & _content_bigrams(talk))
    idx.update(j for j, u in enumerate(utts) if u.speaker == "staff" and names and "您" not in u.text
               and _INTERJECTION.sub("", u.text.strip()).startswith(names))
    return {id(utts[j]) for j in idx if utts[j].speaker == "staff"}


#: The clerk asking for what she needs to look the matter up (身份证给我, 身份证号报一下, 您叫什么？;
#: session 12): a question back, whose answer comes once the citizen has given it.
LOOKS_UP_BY = re.compile(r"(?:身份证|证件|社保卡|医保卡|户口本|号码|证号|卡号|名字|姓名|手机号)[^，,。？?！!]{0,4}"
                         r"(?:给我|报一下|说一下|报给我|念一下|拿来|递给我|我看一?下|我查一?下)|"
                         r"(?:您|你)叫(?:什么|啥)(?:名字)?[？?]")


def _asks_back(text: str) -> bool:
    """True when a staff reply ends on a question back (她交了多长时间？) or on asking for what she looks
    the matter up by (:data:`LOOKS_UP_BY`: 您叫什么？身份证给我。): the citizen's answer to it and the
    clerk's next turn are one exchange, read as her reply."""
    from analyzer.rules.answers import reply_moves
    from analyzer.text.normalize import to_simplified

    last = [c for c in re.split(r"(?<=[。！!？?])", text.strip()) if c.strip()]
    tail = re.split(r"[，,]", last[-1])[-1] if last else ""  # the reply's last clause
    return bool(last) and ("asks" in reply_moves(last[-1]) or bool(LOOKS_UP_BY.search(to_simplified(tail))))


def _coldly_passed(interaction: Interaction, prior: Sequence[Finding], i: int) -> bool:
    """True when staff utterance ``i`` is flagged only as *cold* (``A6-UNCIVIL``, subtype ``cold``)
    and only passes the question over (还有事吗？ 签个字。: :func:`~analyzer.rules.answers.passes_over`).

    Its curtness is no excuse for leaving the question: the reply answers
    nothing, so the question stays owed (Article 5) beside whatever Article 6
    makes of its tone.
    """
    from analyzer.rules.answers import passes_over

    u = interaction.utterances[i]
    on = [f for f in prior if f.kind in HEATED_STAFF_RULES_KINDS and f.start is not None
          and f.end is not None and f.start < u.end and u.start < f.end]
    return bool(on) and all(f.rule == "A6-UNCIVIL" and f.detail.get("subtype") == "cold" for f in on) \
        and passes_over(u.text)


def _asked_again(utts: Sequence[Utterance], after: int, q: Any) -> bool:
    """True when a citizen utterance after ``after`` asks ``q`` again (:func:`~analyzer.rules.answers.asks_again`)."""
    from analyzer.rules.answers import asks_again

    return any(utts[k].speaker == "citizen" and asks_again(q, utts[k].text) for k in range(after + 1, len(utts)))


def _merge_repeats(found: list[tuple[Any, Finding]]) -> list[Finding]:
    """One finding per question: a question asked again and left again joins its first asking's.

    The finding then spans from the first asking to the reply to the last one.
    """
    from analyzer.rules.answers import asks_again

    out: list[tuple[Any, Finding]] = []
    for q, f in found:
        k = next((k for k, (p, _) in enumerate(out) if asks_again(p, q.text)), None)
        if k is None:
            out.append((q, f))
            continue
        p, first = out[k]
        end = max(t for t in (first.end, first.start, f.end, f.start) if t is not None)
        out[k] = (p, dataclasses.replace(first, end=end, detail={
            **first.detail, "asked_again": [*first.detail.get("asked_again", []), f.detail["question"]]}))
    return [f for _, f in out]


#: Sending the citizen off to ask or go elsewhere (你去别的地方问问, 上那边问去, 到外面打听): the
#: redirect itself, vague when nothing is named. A bare 不归我们管 sends nowhere yet: a vague
#: reply to the "where, then?" after it is the redirect (Article 16's), not a second lapse.
SENT_OFF = re.compile(r"(?:去|到|上|找)[^。，,！!？?]{0,8}(?:问|办|看|找|打听)|问问|问去|打听|别处|别的地方|"
                      r"其他地方|其它地方")
#: The citizen back from doing what he was sent to (看了，… 问过了，… 去过了): his questions then are new
#: ones, not "where, then?" about the redirect.
BACK_FROM_IT = re.compile(r"^(?:我|我们)?(?:都|也)?(?:看|问|查|去|找|瞅)(?:过|完)?了")
#: A who-question asking whose matter it is (那归谁管？ 找谁办？), not a retort (不跟你喊跟谁喊？).
WHOSE = re.compile(r"归谁|谁管|谁负责|找谁|谁办|谁家|哪家|哪个单位|哪个部门")


def _where_withheld(rule: Any, utts: Sequence[Utterance], i: int, q: Any, window: list[int]
                    ) -> Finding | None:
    """``A5-ANSWER`` for "where, then?" after a redirect that named no destination, answered with none.

    The citizen sent off with nowhere named (:data:`SENT_OFF`: 去别的地方问问) asks
    where to go (那去哪儿？ 那归谁管？) and the staff's reply again names no concrete
    destination (:func:`~analyzer.rules.destinations.names_destination`: 反正不在这儿,
    这我说不好): the question is left unanswered, beside Article 16's vague
    redirect. None when the reply names one or nobody replied.
    """
    first = sorted(_first_turn(utts, [j for j in window if j > i and speech_chars(utts[j].text)]))
    if not first or any(names_destination(utts[j].text) or VAGUE_LEVEL.search(utts[j].text) for j in first):
        return None  # a level of government named (市里那么多部门…): a vague answer, Article 16's alone
    u, reply = utts[i], utts[first[-1]]
    return measure_finding(
        rule, "unanswered", "staff", u.start, reply.end,
        evidence=_("the citizen, sent away with no destination, asked “%(question)s”: the staff "
                   "named none again: “%(text)s”", question=q.text, text=" ".join(utts[j].text for j in first)),
        confidence=0.75 * (0.6 + 0.4 * u.confidence),
        detail={"question": q.text, "kinds": sorted(q.kinds), "question_start": round(u.start, 3),
                "staff_replies": [utts[j].text for j in first], "after_vague_redirect": True},
    )


#: A level of government or area with no office (市里, 区里的吧, 县上): said in reply to "where, then?"
#: it answers, vaguely: the vagueness is Article 16's finding (its vague redirect), not a second one.
#: A reply naming nothing (反正不在这儿, 这我说不好, 下一位) leaves the question itself unanswered.
VAGUE_LEVEL = re.compile(r"(?:省|市|区|县|镇|乡|街道)(?:里|上|上面|那边|那儿)")


#: Question kinds that ask where to go or whom to see: after a redirect, Article 16's.
WHERE_KINDS: frozenset[str] = frozenset({"place", "way", "who", "which"})


def _heard_answers(utts: Sequence[Utterance], options: AnalyzerOptions
                   ) -> list[frozenset[str] | None]:
    """The answer kinds the staff act detector hears in each staff utterance (None: not read)."""
    from analyzer.rules.acts import heard_acts
    from analyzer.rules.answers import heard_answers

    acts = heard_acts([u.text if u.speaker == "staff" else "" for u in utts], options)
    if acts is None:
        return [None] * len(utts)
    return [heard_answers(a) if u.speaker == "staff" else None
            for u, a in zip(utts, acts, strict=True)]


#: The citizen putting his question in other words (哦哦，就是以前没领的能补吗？ 我是说…; session 12): the same
#: question restated, so its answer answers the first asking too.
RESTATES = re.compile(r"^(?:哦+|嗯|啊|不是)?[，,\s]*(?:就是|我是说|我的意思是|意思是|我是问|也就是说)")


def _response(utts: Sequence[Utterance], turns: list[list[int]], n: int, asked: Sequence[Any]
              ) -> tuple[list[int], int | None]:
    """Staff utterances answering turn ``n``, and the index of the citizen's next new question."""
    from analyzer.rules.answers import questions, same_question

    window: list[int] = []
    for turn in turns[n + 1:]:
        if utts[turn[0]].speaker == "staff":
            window += turn
            continue
        new = [q for i in turn for q in questions(utts[i].text)]
        if new and not any(same_question(a, b) for a in asked for b in new) \
                and not RESTATES.match(utts[turn[0]].text.strip()) \
                and not any(reasks(a, utts[i].text) for a in asked for i in turn):
            return window, turn[0]
    return window, None


def _self_answered(utts: Sequence[Utterance], i: int, q: Any) -> bool:
    """True when the citizen answers ``q`` himself before the staff speak (我钥匙呢？… 哦，在这儿呢).

    A "where" answered by finding the thing (找着了) counts too.
    """
    from analyzer.rules.answers import answers, found_it

    for u in utts[i + 1:]:
        if u.speaker != "citizen":
            return False
        if answers(q, u.text, first=False) or ("place" in q.kinds and found_it(u.text)):
            return True
    return False


def _only_when_asked_again(utts: Sequence[Utterance], i: int, q: Any, first: set[int],
                           answered: int) -> bool:
    """True when the answer came only after the citizen asked ``q`` again, the first reply having
    gone on with the procedure (复印机在哪？ … 您先按个手印 … 复印机在哪儿？ … 大厅右手边).

    A first reply that only asks the citizen to wait while the clerk looks
    (稍等，我查一下) promised the answer: a repeat then is impatience, no lapse.
    """
    from analyzer.rules.answers import moves_on, questions, same_question, stalls

    if answered in first or not first:
        return False
    if any(stalls(utts[j].text) for j in first):
        return False  # 稍等，我查一下: the answer promised
    if any(utts[k].speaker == "citizen" and reasks(q, utts[k].text) for k in range(max(first) + 1, answered)):
        return True  # 那我刚才问的X呢？: he says himself the first reply went past it
    if BY_THE_WAY.search(utts[i].text):
        return False  # 顺便问一下…: a side question may wait for the business in hand
    if any(not moves_on(utts[j].text) for j in first):
        return False
    return any(utts[k].speaker == "citizen" and any(same_question(q, r) for r in questions(utts[k].text))
               for k in range(max(first) + 1, answered))


#: The clerk at the counter taking a phone call (我接个电话。……喂, 喂，对，…便民服务站): said to the caller,
#: no reply to the citizen before her (work or private, the question he put stays owed).
TAKES_A_CALL = re.compile(r"接个?电话|(?:^|[。…，,\s])喂[，,。？?！!…\s]")


def _aside(utts: Sequence[Utterance], j: int) -> bool:
    """True when staff utterance ``j`` is said to a colleague by name (小张，打印机又卡了？…, no 您) and the
    clerk then turns back to the citizen before he speaks: her words to him next are her reply."""
    return bool(VOCATIVE.match(utts[j].text.strip())) and "您" not in utts[j].text \
        and j + 1 < len(utts) and utts[j + 1].speaker == "staff"


#: The clerk sending the citizen off to come again (这两样补齐了再来, 下次再来办): the visit is over, so a
#: question still open then is owed, not cut off by the recording (session 13).
COME_BACK = re.compile(r"(?:补齐|带齐|备齐|准备好|拿来|补上|带来)了?(?:以后)?再来|下次再来|改天再来|再来办")
#: The clerk coming back to what the citizen asked earlier (您刚才问投诉，…; 你问的那个…; session 13).
CAME_BACK = re.compile(r"(?:您|你)?刚才(?:问|说|提)|(?:您|你)问的|(?:您|你)说的那个|回到您")


def _came_back_to(utts: Sequence[Utterance], q: Any, after: int) -> bool:
    """True when a staff utterance after ``after`` says it comes back to ``q`` (:data:`CAME_BACK`) and
    answers it (:func:`~analyzer.rules.answers.answers`, read leniently: the clerk said what she answers)."""
    from analyzer.rules.answers import answers

    return any(utts[k].speaker == "staff" and (m := CAME_BACK.search(utts[k].text)) is not None
               and answers(q, utts[k].text[m.end():], first=True)
               for k in range(after + 1, len(utts)))


#: The citizen saying he asked it already (我刚才问的…, 我问的是…, 我还问你呢; session 12).
REASKED = re.compile(r"刚才问|我问的|我是问|我还问你|我问你呢|问你话呢")


def reasks(q: Any, text: str) -> bool:
    """True when the citizen's ``text`` says he asked ``q`` already and asks it again (那我刚才问的医保，能不能
    在这儿交？: :data:`REASKED`, sharing the question's content)."""
    from analyzer.rules.answers import questions, same_question, shares_content

    return bool(REASKED.search(text)) and (any(same_question(q, r) for r in questions(text))
                                           or shares_content(q.text, text))


#: A question put by the way (顺便问一下, 另外问一句): answered after the business in hand, not passed over.
BY_THE_WAY = re.compile(r"顺便|顺带|另外问")


#: Question kinds only an answer of the kind answers (a statement about something else does not).
KIND_BOUND: frozenset[str] = frozenset({"cost", "time", "place", "material", "amount"})


#: Either will do (都行, 都可以, 随便): an answer to a question between two (A还是B).
EITHER = re.compile(r"都行|都可以|都能|都一样|随便|哪个都")


def _passed_over(utts: Sequence[Utterance], q: Any, first: list[int], others: list[Any] | None,
                 heard: Sequence[frozenset[str] | None], *, opening: bool = False) -> bool:
    """True when the staff's first reply, read as no answer, passed ``q`` over.

    It passed it over when it stalls, hurries the citizen, or gives an answer of
    another kind only (:func:`~analyzer.rules.answers.explained_by`). Beyond
    that, a question asking for a thing of its kind (:data:`KIND_BOUND`: a sum,
    a time, a place, a material) is passed over by a reply that goes on with
    the procedure (:func:`~analyzer.rules.answers.moves_on`) or says nothing but
    the moves below (办这个要钱不？ … 照片带了没有？; not in the citizen's ``opening`` turn,
    which a greeting asking his business takes up); any other question
    (a yes or no, a how, a who) is passed over only by a reply that says
    nothing but directing the work, asking back, closing or calling the next
    (:func:`~analyzer.rules.answers.passes_over`): a statement in the reply
    engages with what was asked, in whatever words (以后能报不？ … 认定下来以后由基金支付).
    """
    from analyzer.rules.answers import (
        BARE_ASSENT,
        RUSH_WORDS,
        explained_by,
        moves_on,
        passes_over,
        puts_off,
        shares_content,
        stalls,
    )
    from analyzer.text.normalize import to_simplified

    if any(stalls(utts[j].text) or RUSH_WORDS.search(to_simplified(utts[j].text))
           or explained_by(utts[j].text, q, others or [], heard[j]) for j in first):
        return True
    said = "。".join(utts[j].text for j in first)
    if "，还是" in q.text and not shares_content(q.text, said) and not EITHER.search(said):
        return True  # 一次性打到卡上，还是每个月补？ … 你先把户口本拿来: neither named (session 13)
    if q.kinds & KIND_BOUND and all(BARE_ASSENT.match(utts[j].text.strip()) for j in first):
        return True  # 几号窗口？ … 嗯。: a nod gives no number, no time, no place (session 13)
    if q.kinds & KIND_BOUND:  # a question back (照片带了没有？) passes a sum or a time over too, but
        # not the citizen's opening words: 您好，您办什么业务？ takes up the matter they opened with
        return any(moves_on(utts[j].text) or puts_off(utts[j].text) for j in first) \
            or (not opening and passes_over(said, q, others or []))
    return passes_over(said, q, others or [])


def _first_turn(utts: Sequence[Utterance], said: list[int]) -> set[int]:
    """The staff's first reply: the run of staff utterances that opens ``said``."""
    out: set[int] = set()
    for j in said:
        if out and any(utts[k].speaker == "citizen" and utts[max(out)].end <= utts[k].start
                       < utts[j].start for k in range(len(utts))):
            break
        out.add(j)
    return out


#: The citizen saying back what someone told him (那位老师说…, 他说…, 师傅说): an answer he was given.
RELAYED = re.compile(r"(?:老师|师傅|同志|大姐|那位|那个人|他|她|同事|领导|你们的人|人家)[^，,。？?！!]{0,3}(?:说|讲|告诉我)")


def _relayed(utts: Sequence[Utterance], i: int, asked: Sequence[Any], until: int | None) -> bool:
    """True when the citizen, before asking anything new, says back an answer someone gave him.

    A trainee turns to her mentor, who answers off the record; the citizen says
    it back (哦，那位老师说公章到刻章点重刻，银行我自己去改，懂了): the questions of
    that turn (``asked``) got their answer, in words about what was asked
    (sharing the content of one of them).
    """
    from analyzer.rules.answers import shares_content
    from analyzer.text.normalize import to_simplified

    end = len(utts) if until is None else until + 1  # his next question may be the saying back
    return any(utts[k].speaker == "citizen" and RELAYED.search(to_simplified(utts[k].text))
               and any(shares_content(q.text, utts[k].text) for q in asked) for k in range(i + 1, end))


#: Question kinds as the evidence names them (``pgettext("question", kind)``).
QUESTION_WORDS: tuple[str, ...] = (
    NP_("question", "cost"), NP_("question", "time"), NP_("question", "place"),
    NP_("question", "material"), NP_("question", "way"), NP_("question", "who"),
    NP_("question", "amount"), NP_("question", "which"), NP_("question", "what_if"),
    NP_("question", "yesno"))


def _unanswered(interaction: Interaction, hits: Sequence[Hit], rule: Any, options: AnalyzerOptions,
                utts: Sequence[Utterance], i: int, q: Any, window: list[int], until: int | None,
                ignored: list[tuple[float | None, float | None]], others: list[Any] | None = None,
                heard: Sequence[frozenset[str] | None] | None = None, *, opening: bool = False
                ) -> Finding | None:
    """One question's ``A5-ANSWER`` finding, or None (see :func:`unanswered_questions`).

    A question the citizen asks again after the staff's reply
    (:func:`analyzer.rules.answers.asks_again`) is read strictly: the citizen
    has said the first reply did not answer it, so no reply is taken as an
    answer leniently; left unanswered, the finding runs to the reply to the
    last asking.
    """
    from analyzer.rules.answers import (
        BARE_ASSENT,
        answers,
        asks_again,
        calls_next,
        is_check,
        shares_content,
    )
    from analyzer.rules.context import visit_ended
    from analyzer.rules.hangup import _takes_leave

    u = utts[i]
    nods = [j for j in window if j > i and not speech_chars(utts[j].text) and BARE_ASSENT.match(utts[j].text.strip())]
    if nods and is_check(q) and nods[0] == min(j for j in window if j > i):
        return None  # 那我走了？ … 嗯。: the check confirmed at once
    said = [j for j in window if j > i and speech_chars(utts[j].text)]
    first = _first_turn(utts, said)
    last_reply = max(first) if first else i
    # 我刚才问的X，…？ asks it again whenever it comes; a like question once the citizen has moved on
    # (就这两样？ … 嗯，就这些 … 那清单要不要？ … 到底几样？) asks about what came since (session 13)
    again = [k for k in range(last_reply + 1, len(utts)) if first and utts[k].speaker == "citizen"
             and ((asks_again(q, utts[k].text) and (until is None or k <= until)) or reasks(q, utts[k].text))]
    strict = bool(again)
    restated = next((k for k in range(last_reply + 1, len(utts)) if first and not again
                     and utts[k].speaker == "citizen"), None)
    if restated is not None and not RESTATES.match(utts[restated].text.strip()):
        restated = None  # 哦哦，就是以前没领的能补吗？: the same question put in other words
    # the reply to the last asking is read as a first reply (it answers the repeat)
    lenient = _first_turn(utts, [j for j in said if j > again[-1]]) if again else first
    if restated is not None:  # its reply is read as a first reply to the question too
        lenient = lenient | _first_turn(utts, [j for j in said if j > restated])
    back_turn: set[int] = set()  # asked back (您户口在哪个街道？ 身份证给我。) … 滨河路。 … the answer
    if first and _asks_back(utts[max(first)].text):
        back = next((k for k in range(max(first) + 1, len(utts)) if utts[k].speaker == "citizen"), None)
        back_turn = _first_turn(utts, [j for j in said if j > back]) if back is not None else set()
        lenient = lenient | (back_turn if not again or again[0] > max(back_turn, default=len(utts)) else set())
    heard_kinds = heard or [None] * len(utts)
    topic = "，".join(v.text for v in utts[:i])
    # once the first reply passed the question over, a later reply answers it only by speaking
    # of what was asked (三个工作日到账 at the close is no answer to 啥时候能在手机上办)
    passed = bool(first) and _passed_over(utts, q, sorted(first), others, heard_kinds, opening=opening)
    answered = next((j for j in said if answers(q, utts[j].text, first=j in lenient,
                                               heard=heard_kinds[j], opening=opening,
                                               others=others or [], topic=topic)
                     and (j in lenient or not passed or shares_content(q.text, utts[j].text, topic))),
                    None)
    if answered is not None and not _only_when_asked_again(utts, i, q, first | back_turn, answered):
        return None
    if _relayed(utts, i, [q, *(others or [])], until):
        return None  # answered off the record (a colleague, the mentor) and said back by the citizen
    if answered is None and _came_back_to(utts, q, said[-1] if said else i):
        return None  # 您刚才问投诉，投诉电话是…: the clerk came back to it and answered
    if answered is None and said and not strict \
            and not _passed_over(utts, q, sorted(first), others, heard_kinds, opening=opening):
        return None  # the staff replied, not with the procedure: it may be an answer
    if not said and (until is not None or interaction.channel == "phone"):
        return None  # silence before the citizen spoke again is A8-IGNORE's; a call: hang-up's
    if until is None and visit_ended(interaction, hits, options.context) is None \
            and not (utts[-1].speaker == "citizen" and _takes_leave(utts[-1].text)) \
            and not any(calls_next(utts[j].text) or COME_BACK.search(utts[j].text) for j in said):  # 请六十二号到一号窗口 / 补齐了再来: over
        return None  # the recording may have been cut before the answer (not: 啊？哦……那行嘛, he gave in)
    if any(a is not None and b is not None and a <= u.start <= b for a, b in ignored):
        return None  # inside an A8-IGNORE episode: already that finding
    end = utts[said[0]].end if said else (utts[until].start if until is not None
                                           else interaction.end_time)
    if again and answered is None:  # asked again and left again: up to the reply to the last asking
        end = next((utts[j].end for j in range(again[-1] + 1, len(utts)) if utts[j].speaker != "citizen"),
                   end)
    marked = "?" in u.text or "？" in u.text
    moved = (_("the staff went on with “%(text)s”", text=utts[said[0]].text) if said
             else _("no staff answer"))
    after = (_("before the citizen asked something else: “%(text)s”", text=utts[until].text)
             if until is not None else _("before the visit ended"))
    kinds = "/".join(pgettext("question", k) for k in sorted(q.kinds))
    return measure_finding(
        rule, "unanswered", "staff", u.start, end,
        evidence=_("the citizen asked “%(question)s” (%(kinds)s): %(moved)s %(after)s",
                   question=q.text, kinds=kinds, moved=moved, after=after),
        confidence=(0.8 if marked else 0.7) * (0.6 + 0.4 * u.confidence),
        detail={"question": q.text, "kinds": sorted(q.kinds), "question_start": round(u.start, 3),
                "staff_replies": [utts[j].text for j in said[:3]],
                "next_citizen": None if until is None else round(utts[until].start, 3),
                "question_mark": marked, "turn_gap": options.duties.turn_gap},
    )


# ----------------------------------------------------------------- Article 17
def _spoken_after(u: Utterance, t: float, until: float) -> float:
    """Seconds ``u`` is speaking between ``t`` and ``until`` (its words, when known)."""
    if u.words:
        return sum(max(0.0, min(w.end, until) - max(w.start, t)) for w in u.words)
    return max(0.0, min(u.end, until) - max(u.start, t))


def _hangs_up(interruption: Finding, findings: Sequence[Finding]) -> bool:
    """True when the staff words that cut in are those that ended the call (``A7-HANGUP``'s).

    Cutting the caller off to hang up (行了你别说了，就这样) is one act, the forced
    hang-up of Article 7 (its words, if uncivil, Article 6's); it is no Article 17
    interruption besides.
    """
    at = None if interruption.start is None else round(interruption.start, 3)
    return at is not None and any(f.rule == "A7-HANGUP" and f.detail.get("staff_start") == at
                                  for f in findings)


#: Articles whose forbidden phrase on the clerk's cutting-in words is the breach those words make (我这边忙得很，
#: 你没听出来吗 is Article 9's busy phrase). An uncivil manner (Article 6: 你先别说了听我讲) leaves the cut-in
#: Article 17's: the manner is how she cut in, not another act.
OWN_WORDS_ARTICLES: frozenset[int] = frozenset({8, 9})


def breach_of_its_own(interruption: Finding, findings: Sequence[Finding]) -> bool:
    """True when what the clerk's cutting in does is already another article's breach (session 13):

    * her cutting-in words carry a forbidden phrase of Article 8 or 9 (:data:`OWN_WORDS_ARTICLES`:
      老人家，我这边忙得很，你没听出来吗？): the phrase is the breach (a missing greeting spanning the
      opening is no finding on her words, and an uncivil manner leaves the cut-in Article 17's);
    * the citizen's turn she talked over holds a question she then never answered (an ``A5-ANSWER``
      finding on that turn: 顺便问一下，我爸的能一块儿办不？ … 户口本给我，你在这儿签个名): Article 5's.
    """
    start, end = interruption.start, interruption.end
    asked = interruption.detail.get("citizen_start")
    for g in findings:
        if g.speaker == "staff" and g.article in OWN_WORDS_ARTICLES and g.kind == "forbidden" \
                and g.start is not None \
                and g.end is not None and start is not None and end is not None \
                and g.start < end and start < g.end:
            return True
        if g.rule == "A5-ANSWER" and asked is not None and g.detail.get("question_start") is not None \
                and abs(float(g.detail["question_start"]) - float(asked)) < 1e-3:
            return True
    return False


def interruptions(interaction: Interaction, lexicon: Lexicon, options: DutyOptions
                  ) -> list[Finding]:
    """``A17-INTERRUPT``: staff cutting in while the citizen is speaking (抢话)."""
    rule = measure_rule(lexicon, "A17-INTERRUPT")
    utts = interaction.utterances
    if rule is None:
        return []
    citizen = _Spans([(i, u) for i, u in enumerate(utts)
                      if u.speaker == "citizen" and u.speaker_known])
    out = []
    for s in utts:
        if s.speaker != "staff" or not s.speaker_known:
            continue
        if speech_chars(s.text) < options.interrupt_min_chars:
            continue  # 嗯, 好的: a backchannel, not cutting in
        for _at, c in citizen.around(s.start, s.start):
            if not c.start < s.start < c.end:
                continue
            overlap = _spoken_after(c, s.start, s.end)
            if overlap < options.interrupt_seconds:
                continue
            out.append(measure_finding(
                rule, "interruption", "staff", s.start, min(c.end, s.end),
                evidence=_("staff cut in %(after).1f s into the citizen's “%(citizen)s” with "
                           "“%(staff)s”, over %(overlap).1f s of their speech",
                           after=s.start - c.start, citizen=c.text, staff=s.text,
                           overlap=overlap),
                confidence=0.6 + 0.3 * min(1.0, overlap / (2 * max(options.interrupt_seconds,
                                                                    0.1))),
                detail={"overlap_seconds": round(overlap, 3),
                        "threshold_seconds": options.interrupt_seconds,
                        "citizen_start": round(c.start, 3), "citizen_end": round(c.end, 3),
                        "citizen_text": c.text, "staff_text": s.text},
            ))
            break
    return out


class _Spans:
    """Utterances (with their indices) by start, to find those around a time without
    scanning all.

    Every utterance reaching into ``[t0, t1]`` starts after ``t0`` less the
    longest one's length and before ``t1``: :meth:`around` gives those (in
    time order; the caller keeps its own test), so a long transcript is not
    compared utterance by utterance with every other (issue 26 #12).
    """

    def __init__(self, utts: Sequence[tuple[int, Utterance]]) -> None:
        self.utts = sorted(utts, key=lambda iu: iu[1].start)
        self.starts = [u.start for _, u in self.utts]
        self.longest = max((u.end - u.start for _, u in self.utts), default=0.0)

    def around(self, t0: float, t1: float) -> list[tuple[int, Utterance]]:
        """The (index, utterance) pairs that may reach into ``[t0, t1]``, by start."""
        lo = bisect.bisect_left(self.starts, t0 - self.longest - 1e-6)
        hi = bisect.bisect_right(self.starts, t1)
        return self.utts[lo:hi]


def _raised(utts: Sequence[Utterance], options: DutyOptions) -> set[int]:
    """Indices of utterances louder than their party's own median by the option's dB."""
    out: set[int] = set()
    for party in ("staff", "citizen"):
        idx = [i for i, u in enumerate(utts) if u.speaker == party and u.speaker_known
               and u.level_dbfs is not None]
        if len(idx) < options.quarrel_min_utterances:
            continue
        levels = {i: float(utts[i].level_dbfs or 0.0) for i in idx}
        median = float(np.median(list(levels.values())))
        out |= {i for i in idx if levels[i] - median >= options.quarrel_over_median_db}
    return out


def _heated(interaction: Interaction, cues: Sequence[Cue], options: DutyOptions,
            findings: Sequence[Finding], classifier: ClassifierOptions | None = None
            ) -> list[Heated]:
    utts = interaction.utterances
    raised = _raised(utts, options)
    words: set[int] = set()
    cold: set[int] = set()  # staff utterances that only refuse coldly
    # the clerk's private talk (a dinner, the weekend: Article 6's remark): no retort, however read
    private = {i for i, u in enumerate(utts) if u.speaker == "staff" and remark(u.text) in NO_HEAT_SUBTYPES}
    staff = _Spans([(i, u) for i, u in enumerate(utts) if u.speaker == "staff"])
    for f in findings:
        if f.speaker == "staff" and (f.kind in HEATED_STAFF_RULES_KINDS or f.rule == "A6-SHOUT"):
            if f.start is None or f.end is None or _curt(f) or go_ahead(str(f.evidence)):
                continue  # 嗯，讲。 hands the citizen the floor: no heat
            said = {i for i, u in staff.around(f.start, f.end) if u.start < f.end and f.start < u.end}
            if f.detail.get("subtype") in NO_HEAT_SUBTYPES:
                private |= said
            elif f.rule in COLD_REFUSALS:
                cold |= said  # 下班了，明天再来 turns the citizen away (Articles 9, 25): cold, not heated
            else:
                words |= said
    # sending the citizen elsewhere or to another day (Articles 16, 25) is cold, not heated,
    # unless rude words are in it
    cold |= {c.utterance for c in cues if c.kind in COLD_CUES and c.utterance < len(utts)
             and utts[c.utterance].speaker == "staff" and not heat_in(utts[c.utterance].text)}
    # pleading the rules (规定就是这么定的，我也没办法) refuses coldly, unless said in heat
    plea = {i for i, u in enumerate(utts) if u.speaker == "staff" and pleads_the_rules(u.text)}
    cold |= plea
    words -= plea
    # any upset cue counts here, owed or not: a quarrel also needs the clerk's heat, in turn
    upset = {c.utterance for c in cues if c.kind in HEATED_CITIZEN_CUES
             and c.utterance < len(utts) and utts[c.utterance].speaker == "citizen"}
    # a cold refusal read again as a sharp reply is still the refusal (the same words), and the
    # clerk's private talk is no retort
    words |= upset | (_sharp_replies(utts, upset, options, classifier) - cold - private)
    words |= answered_heat(utts, words) - private - cold
    return [Heated(i, u.speaker, u.start, u.end, i in raised, i in words, u.text)
            for i, u in enumerate(utts) if i in raised or i in words]


#: Pleading the rules or one's own powerlessness (规定就是这样, 按规定办, 我也没办法): a cold refusal.
RULES_PLEA = re.compile(r"规定|制度|政策就是|没办法|没法子|我也没招|我说了不算|我也做不了主")
def pleads_the_rules(text: str) -> bool:
    """True when staff words only plead the rules (规定就是这么定的，我也没办法): every clause is the
    plea or says nothing at the citizen (no 你: 谁说的你找谁去 beside it is a retort), none in heat."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(RULES_PLEA.search(simple)) and not heat_in(simple) and all(
        RULES_PLEA.search(c) or "你" not in c for c in re.split(r"[，,。！!？?；;]", simple))


#: A retort: the accused word thrown back as a question (我嚷？ 我啥态度？ 谁推了？ 我急啥？ 我吼了吗？),
#: the clause opening on 我 or 谁, then at most 啥/什么 and the word, then a question's end.
RETORT = re.compile(r"^(?:我|谁)(?:啥|什么|哪|又|还|就|咋)?([\u4e00-\u9fff]{1,4}?)(?:[你您]的?)?(?:啥|什么)?"
                    r"(?:了吗|了吧|了|吗|啊|呀|啦)?[？?]")
#: The accusation a retort answers: the other party's "you …" (你跟我嚷, 你这啥态度, 你们就这么推).
_ACCUSED = re.compile(r"你们?[^，,。？?！!]{0,10}")
#: An exclamation (typed: ！), the written mark of a raised voice.
_EXCLAIMED = re.compile(r"[！!]")
#: Courtesy, which no exclamation makes heated (谢谢你！ 对不起！ 您慢走！).
_KIND = re.compile(r"谢|对不起|不好意思|抱歉|辛苦|慢走|再见|您")
#: Giving in or agreeing (好！ 行行行！ 知道了！): no heat, however exclaimed.
_ASSENT = re.compile(r"^(?:好|行|是|对|嗯|哦|成|中|知道了|明白了|可以)[了的啊吧呀嘞]*[，,\s]*"
                     r"(?:好|行|是|对|嗯|哦|成|中)*[了的啊吧呀嘞]*[！!。]*$")
#: Characters (normalized) an exclamation needs to count as heat (没有！ is an answer).
MIN_EXCLAIMED_CHARS = 4
#: Heated rhetoric: the other party's manner rebuked (你冲我喊, 跟我吵, 嚷什么) or a question that
#: asks nothing but rebukes (有啥用, 有啥办法, 谁打得过来, 凭啥, 活该, 还有理了, 你懂不懂).
HEATED_RHETORIC = re.compile(
    r"(?:冲|跟|对|朝)我(?:喊|嚷|吵|吼|急|凶|发火|发脾气)|嚷|吼|(?:喊|吵)(?:啥|什么)|"
    r"有(?:啥|什么)用|有(?:啥|什么)办法|谁[^，,。？?！!]{0,6}(?:得过来|知道|让你|叫你|怕谁|管得着)|"
    r"凭(?:啥|什么)|活该|还有理|难道|你懂不懂|你以为|容易吗|(?:咋|怎么)了[？?！!]|谁怕谁|有你们?这么|"
    # the blame thrown back (还怪我？ 是我的问题还是你的问题？ 我咋知道) and a dismissal (你爱信不信; session 13)
    r"(?:还|倒)(?:怪|赖)我|是我的(\w{1,3})还是你的\1|我(?:咋|怎么|哪)知道|爱(\w)不\2|"
    # saying it again, louder in words (我再说一遍，不补; 说了多少遍了)
    r"我(?:再|最后)说一(?:遍|次)|说了(?:多少|几|八百|好几)(?:遍|回|次)")
#: A reply that contradicts (不补, 没有就按现在的算, 凭的是文件，不是凭谁嗓门大): said over the other party's heated
#: turn, it answers heat with heat (session 13: curt contradiction talking over him).
CONTRADICTS = re.compile(r"^[^，,。？?！!]{0,4}(?:不|没|别|甭|凭)|不是|不行|没用|没有就")
#: Seconds a reply must start before the other party's heated turn ends to talk over it.
OVER_SECONDS = 0.3
#: The other party's words thrown back in a question (有啥问题？ after 就是有问题！; 你说有问题就有问题了？):
#: the echo answers heat with heat (session 13).
_ECHO_ASK = re.compile(r"(?:有)?(?:啥|什么)([\u4e00-\u9fff]{2,4})[？?]|你说([\u4e00-\u9fff]{1,6})就\2|"
                       r"^((?:(?![要办做干问想])[\u4e00-\u9fff]){2,4})(?:啥|什么)了?[？?]")


def heat_in(text: str) -> bool:
    """True when a staff turn that sends away or defers is said in heat, not coldly.

    An exclamation (那你找单位去，跟我说有啥用！), rude words (:data:`RUDE`) or heated
    rhetoric (:data:`HEATED_RHETORIC`: 审核不是我们审，你冲我喊有啥用？).
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_EXCLAIMED.search(simple) or RUDE.search(simple) or HEATED_RHETORIC.search(simple))


def answered_heat(utts: Sequence[Utterance], heated: set[int]) -> set[int]:
    """Utterances that answer the other party's heated turn with heat of their own.

    Three written forms, each counted only right after the other party's heated
    turn (heat answered in kind; alone they may be anything):

    * a retort (:data:`RETORT`): the word the other party said of "you" thrown
      back as a question (你跟我嚷也没用 … 我嚷？; 你们上班迟到还有理了？ … 谁迟到了？);
      我签？ after 你在这签字 checks an instruction, and that turn was not heated;
    * an exclamation of some length (:data:`_EXCLAIMED`, :data:`MIN_EXCLAIMED_CHARS`:
      你再说一遍！ 你糊弄谁呢！ 别跟我来这套！), with no courtesy in it (:data:`_KIND`)
      and not giving in (:data:`_ASSENT`: 行行行！);
    * heated rhetoric (:data:`HEATED_RHETORIC`: 一天几百个件，谁打得过来？ … 那就活该我白等？; the blame
      thrown back, 你自己不先问清楚，还怪我？, and 你爱信不信; session 13);
    * a contradiction said over the other party's heated turn (:data:`CONTRADICTS`, starting
      :data:`OVER_SECONDS` before it ends: 凭啥不补！ … 凭的是文件，不是凭谁嗓门大), no courtesy in it;
    * the other party's words thrown back in a question (:data:`_ECHO_ASK`: 你们算得就是有问题！ …
      有啥问题？ 你说有问题就有问题了？ 算错啥了？), with no courtesy in it; a retort also throws the word back
      with its object or a 啥 (你们是不是给我扣了？ … 谁扣你的了？; 就会推！ … 我推啥了？; session 13).

    A turn so counted is heated in its turn, so a retort to a retort counts too.
    """
    from analyzer.text.normalize import normalize, to_simplified

    out: set[int] = set()
    hot = set(heated)
    for i in range(1, len(utts)):
        u, prev = utts[i], utts[i - 1]
        if i in hot or i - 1 not in hot or not u.speaker or prev.speaker in ("", u.speaker):
            continue
        text = to_simplified(u.text).strip()
        first = re.split(r"(?<=[？?！!。])|[，,]", text)[0]
        m = RETORT.match(first)
        word = m.group(1) if m else ""
        said = to_simplified(prev.text)
        retort = bool(word) and any(word in a.group(0) for a in _ACCUSED.finditer(said)) or (any(
            (e.group(1) or e.group(2) or e.group(3)) in said for e in _ECHO_ASK.finditer(text))
            and not _KIND.search(text))
        exclaimed = any(_EXCLAIMED.search(c) and not _KIND.search(c) and not _ASSENT.match(c)
                        and len(normalize(c)) >= MIN_EXCLAIMED_CHARS
                        for c in re.split(r"(?<=[？?！!。])", text))
        over = u.start < prev.end - OVER_SECONDS and len(normalize(text)) >= MIN_SHARP_CHARS \
            and bool(CONTRADICTS.search(text)) and not _KIND.search(text) and not _ASSENT.match(text)
        if retort or exclaimed or over or (HEATED_RHETORIC.search(text) and not _KIND.search(text)):
            out.add(i)
            hot.add(i)
    return out


#: Forbidden phrases that refuse, defer or push off coldly (下班了，明天再来; 我不知道，你去问XX): no
#: heat of a quarrel.
COLD_REFUSALS: frozenset[str] = frozenset({"A9-F-01", "A8-F-01"})
#: Cues of a staff utterance that sends the citizen elsewhere or defers (Articles 16, 18, 25): cold,
#: unless said with an exclamation or rude words (那你找单位去，跟我说有啥用！ is heated).
COLD_CUES: frozenset[str] = frozenset({"not_ours", "deferral", "materials_deferred"})
#: Uncivil remarks that carry no heat at the citizen: talk of the clerk's private life (Article 6's
#: unrelated talk), which neither makes nor answers a quarrel.
NO_HEAT_SUBTYPES: frozenset[str] = frozenset({"unrelated_chat"})
#: Characters (normalized) a staff reply needs to count as sharp in a quarrel: a curt
#: 不行 or 等着 is cold at most (Article 6's to judge); answering heat with heat takes words.
MIN_SHARP_CHARS = 3


def _curt(f: Finding) -> bool:
    """A cold uncivil finding on fewer than :data:`MIN_SHARP_CHARS` characters: no heat."""
    from analyzer.text.normalize import normalize

    return (f.kind == "uncivil" and f.detail.get("subtype") == "cold"
            and len(normalize(f.evidence)) < MIN_SHARP_CHARS)


def _sharp_replies(utts: Sequence[Utterance], upset: set[int], options: DutyOptions,
                   classifier: ClassifierOptions | None) -> set[int]:
    """Staff words near an upset citizen that are sharp, if not uncivil enough for Article 6.

    In a quarrel the clerk's words answer heat with heat (你嚷什么, 有意见?): read
    by the uncivil classifier at ``quarrel_uncivil_threshold``, below Article 6's
    own threshold, and only within ``quarrel_window`` after the citizen's outburst (a reply to it),
    in at least :data:`MIN_SHARP_CHARS` characters.
    """
    if classifier is None or not classifier.enabled or not upset:
        return set()
    from analyzer.rules.learned import classify

    starts = sorted(utts[j].start for j in upset)

    def near_upset(t: float) -> bool:  # after an upset start, within the window: a reply to it
        at = bisect.bisect_left(starts, t - options.quarrel_window)
        return at < len(starts) and starts[at] <= t

    from analyzer.text.normalize import normalize

    near = [i for i, u in enumerate(utts) if u.speaker == "staff" and not go_ahead(u.text)
            and len(normalize(u.text)) >= MIN_SHARP_CHARS and near_upset(u.start)]
    preds = classify([utts[i].text for i in near], "uncivil", classifier)
    return {i for i, p in zip(near, preds, strict=True)
            if p is not None and p.probability >= options.quarrel_uncivil_threshold}


def _episodes(heated: list[Heated], window: float) -> list[list[Heated]]:
    episodes: list[list[Heated]] = []
    for h in sorted(heated, key=lambda h: h.start):
        if episodes and h.start - episodes[-1][-1].end <= window:
            episodes[-1].append(h)
        else:
            episodes.append([h])
    return episodes


#: Heated turns, alternating between the parties, that make a quarrel of words.
QUARREL_MIN_EXCHANGE = 3
#: Heated turns each party needs in that exchange: one sharp protest answered, or one sharp
#: word protested, is no quarrel (a back-and-forth has heat from each side at least twice).
QUARREL_MIN_EACH = 2


def _exchange(heated: list[Heated], window: float,
              speakers: Sequence[str] = ()) -> list[Heated]:
    """The longest run of heated turns answering each other: the other party, the next turn.

    Each member is by the other party than the one before, or by the clerk
    again right after the citizen's one reply (the citizen's words between
    two sharp replies answered the first: 你爱办不办！ / 有你这么办事的吗？ / 你这人
    怎么不讲理！), starts within ``window`` seconds of its end, and at most one
    other utterance lies between them (indices are the interaction's order).
    ``speakers`` are the speakers of the interaction's utterances, in order.
    A run counts only with heat from both parties.
    """
    best: list[Heated] = []
    run: list[Heated] = []
    for h in sorted(heated, key=lambda h: h.start):
        prev = run[-1] if run else None
        answered = prev is not None and (h.speaker != prev.speaker or (
            h.speaker == "staff" and h.index - prev.index == 2 and h.index - 1 < len(speakers)
            and speakers[h.index - 1] not in ("", prev.speaker)))
        if prev is not None and answered and h.start - prev.end <= window \
                and h.index - prev.index <= 2:
            run.append(h)
        else:
            run = [h]
        if len(run) > len(best) and len({m.speaker for m in run}) == 2:
            best = list(run)
    return best


def _overlapping(utts: Sequence[Utterance], start: float, end: float) -> bool:
    staff = [u for u in utts if u.speaker == "staff" and u.start < end and start < u.end]
    return any(c.speaker == "citizen" and c.start < s.end and s.start < c.end
               for s in staff for c in utts if c.start < end and start < c.end)


def quarrels(interaction: Interaction, cues: Sequence[Cue], lexicon: Lexicon,
             options: DutyOptions, findings: Sequence[Finding],
             classifier: ClassifierOptions | None = None) -> list[Finding]:
    """``A17-QUARREL``: episodes where both sides were heated (禁止与服务对象争吵)."""
    rule = measure_rule(lexicon, "A17-QUARREL")
    if rule is None:
        return []
    utts = interaction.utterances
    out = []
    heated = _heated(interaction, cues, options, findings, classifier)
    for ep in _episodes(heated, options.quarrel_window):
        start, end = ep[0].start, max(h.end for h in ep)
        loud = {h.speaker for h in ep if h.raised} == {"staff", "citizen"} and _overlapping(
            utts, start, end)
        said = _exchange([h for h in ep if h.words], options.quarrel_window,
                         [u.speaker for u in utts])
        angry = len(said) >= QUARREL_MIN_EXCHANGE and all(
            sum(h.speaker == party for h in said) >= QUARREL_MIN_EACH for party in ("staff", "citizen"))
        if not (loud or angry):
            continue
        how = _("raised voices on both sides over overlapping turns") if loud else \
            _("heated words on both sides, back and forth")
        quotes = " / ".join(f"{label(h.speaker)}: {h.text}" for h in ep[:4])
        out.append(measure_finding(
            rule, "quarrel", "staff", start, end,
            evidence=f"{how}: {quotes}{' …' if len(ep) > 4 else ''}",
            confidence=0.85 if loud and angry else 0.75,
            detail={"how": "levels" if loud and not angry else "words" if not loud else "both",
                    "utterances": [h.index for h in ep],
                    "raised": [h.index for h in ep if h.raised],
                    "heated_words": [h.index for h in said],
                    "window_seconds": options.quarrel_window,
                    "over_median_db": options.quarrel_over_median_db},
        ))
    return out


# ----------------------------------------------------------------- Article 25
def local_time(interaction: Interaction, offset: float | None,
               zones: HallZones | None = None) -> dt.datetime | None:
    """The hall's clock ``offset`` seconds into the interaction, if its start is known.

    The start is converted to the hall's zone (:mod:`analyzer.halltime`); a
    start written without offset is taken as the hall's own clock.
    """
    if not interaction.started_at or offset is None:
        return None
    start = (zones or HallZones()).local(interaction.started_at, interaction.hall)
    if start is None:
        return None
    return start + dt.timedelta(seconds=offset)


def in_service_hours(when: dt.datetime, hall: str, options: DutyOptions) -> bool:
    """True when ``when`` (the hall's local time) falls in the hall's service hours."""
    if when.isoweekday() not in options.service_days:
        return False
    minute = when.hour * 60 + when.minute
    return any(a <= minute < b for a, b in options.hours_for(hall))


def _hours_text(hall: str, options: DutyOptions) -> str:
    return ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
                     for a, b in options.hours_for(hall))


#: A closing said with courtesy: after the hours it is a true and polite statement.
_COURTEOUS = re.compile(r"您|请|不好意思|抱歉|对不起|麻烦|实在")


def service_hours(interaction: Interaction, cues: Sequence[Cue], lexicon: Lexicon,
                  options: DutyOptions, findings: list[Finding],
                  zones: HallZones | None = None) -> list[Finding]:
    """Article 25: refusing or deferring work for the hour within service hours.

    * A closing phrase (``closing_rules``: 下班了，明天再来, or its paraphrase)
      is annotated with the local time; within the hours it adds an
      ``A25-HOURS`` finding; after the hours, said with courtesy, it is a true
      statement and no finding at all (said bare, it stays Article 9's). A
      paraphrase that gives another reason than the hour (那个岗的同志休假了，
      下周再来: :func:`not_the_hour`) is no Article 9 phrase; within the hours
      it is still an ``A25-HOURS`` deferral. A closing reading of the very words
      found as the rush (:data:`RUSH_RULES`: 磨蹭什么，我都快下班了) that sends
      nobody to come again is the rush only (Article 9, the citizen still served).
    * A deferral for the hour in other words (``deferral`` cue: 还没上班, 午休,
      不收新件了 …) within the hours is an ``A25-HOURS`` finding.
    """
    from analyzer.text.normalize import to_simplified

    rule = measure_rule(lexicon, "A25-HOURS")
    hours = _hours_text(interaction.hall, options)
    out: list[Finding] = []
    charged: set[float] = set()
    for f in findings:
        when = local_time(interaction, f.start, zones)
        if f.kind != "forbidden" or f.rule not in options.closing_rules or when is None:
            out.append(f)
            continue
        inside = in_service_hours(when, interaction.hall, options)
        words = _said(interaction, f)
        if _rushing(f, findings) and not _COME_AGAIN.search(to_simplified(words)):
            continue  # 磨磨蹭蹭的，我都要下班了: hurrying one still served is Art. 9's rush only
        if not inside and _COURTEOUS.search(to_simplified(words)):
            continue  # a polite close after the hours breaches nothing
        if f.detail.get("method") == "paraphrase" and (not_ready(words) or asks_only(words) or any(
                for_the_matter(interaction.utterances, i) for i in f.detail.get("utterances") or [])):
            continue  # 审批还没下来，明天再来问问; 护照不在 … 那你改天再来: the matter's reason, not the hour
        note = {"local_time": when.strftime("%Y-%m-%d %H:%M"), "service_hours": hours,
                "within_service_hours": inside}
        clock = when.strftime("%H:%M")
        said = (_("said at %(time)s, within service hours (%(hours)s)", time=clock,
                  hours=hours) if inside else
                _("said at %(time)s, outside service hours (%(hours)s)", time=clock,
                  hours=hours))
        if not not_the_hour(f, words):  # 那个岗的同志休假了，下周再来: a deferral, not 下班了
            out.append(replace(f, detail={**f.detail, "hours": {**note, "said": said}}))
        if inside and rule is not None:
            charged.add(f.start if f.start is not None else -1.0)
            out.append(measure_finding(
                rule, "hours", "staff", f.start, f.end,
                evidence=_("sent the citizen away as closing, %(said)s: %(words)s", said=said,
                           words=f.evidence),
                confidence=min(1.0, f.confidence * options.in_hours_weight),
                detail={**note, "phrase_rule": f.rule},
            ))
    if rule is not None:
        out += _deferrals(interaction, cues, rule, options, hours, charged, zones)
    return out


#: The forbidden rush (快点，我要下班了): the citizen is still being served.
RUSH_RULES: tuple[str, ...] = ("A9-F-02",)
#: Words that send the citizen to come again (明天再来, 改天, 下回).
_COME_AGAIN = re.compile(r"再来|明天|明儿|改天|下回|下次|回头|下周|下礼拜|过两天")


def _rushing(f: Finding, findings: Sequence[Finding]) -> bool:
    """True when a rush (:data:`RUSH_RULES`) was found on the closing phrase's own words."""
    mine = set(f.detail.get("utterances") or [])
    return bool(mine) and any(g.rule in RUSH_RULES and mine <= set(g.detail.get("utterances") or [])
                              for g in findings)


#: Words of the hour a closing phrase is about (下班, 关门, 到点, 午休 …).
_HOUR = re.compile(r"班|关门|到点|点了|钟|午休|中午|休息时间|晚了|不早了|时间到|下午|早上|上午|"
                   r"结账|收工|日结")
#: Another reason to come again: a colleague away, the system down.
_OTHER_REASON = re.compile(r"休假|请假|出差|不在|开会|培训|病了|没来|外出|系统|停电|网络|断网")


def not_the_hour(f: Finding, said: str) -> bool:
    """True when a paraphrased closing phrase gives another reason than the hour.

    下班了，明天再来 (Article 9) sends the citizen away for the hour; 那个岗的同志
    休假了，下周再来 names a colleague's leave and no hour: a deferral of the work
    (Article 25 within the hours), not the forbidden phrase. The lexicon's own
    wording always stands.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(said)
    return f.detail.get("method") == "paraphrase" and bool(_OTHER_REASON.search(simple)) \
        and not _HOUR.search(simple)


#: Words that the citizen's matter is not ready yet (还在制作, 还没批下来, 证没印出来).
_NOT_READY = re.compile(r"还在(?:制作|制证|制卡|做|印|审批|审核|核|走流程|处理|办理中|排期)|"
                        r"在走(?:复核|审核|审批|流程|程序|公示)|(?:复核|审核|审批|公示)完(?:了)?(?:以后|之后)?才|"  # session 13
                        r"(?:制作|审批|审核|办理|处理)中|"
                        r"(?:科长|领导|主任|局长|所长)(?:签|批|审)(?:了|完)(?:字)?[^，,。！!？?]{0,3}(?:才|以后|再)|"
                        r"(?:还没|没|未)(?:做好|做出来|制好|印|批|审|出来|下来|寄到|寄过来|到货|办好|办下来|好)")
#: A schedule named (工作日, 周一到周五, 上午八点半到十二点): the hours themselves.
_SCHEDULE = re.compile(r"工作日|周[一二三四五六日天末]|星期|礼拜|每天|平时|节假日|[上下中]午.{0,6}点|点半?到")
#: The present business put off (现在, 今天, 这会儿, 明天): a deferral, not information; 周一再来
#: after the schedule only says when it is open.
_NOW = re.compile(r"现在|今天|今儿|这会|马上|已经|刚才|明天|明儿")
#: A citizen asking about the hours (几点上班, 周末开门吗, 中午休息吗).
_ASKS_HOURS = re.compile(r"几点|什么时候|啥时候|啥时|哪天|几号|哪个时间|什么时间|上班|下班|开门|关门|营业|办公|"
                         r"周末|星期|礼拜|周[六日天]|中午|午休|休息|时间")


def not_ready(text: str) -> bool:
    """True when a deferral's words give the matter not being ready, and no hour, as the reason.

    系统显示还在制作，今天拿不了，过两天再来看 puts nothing off for the time of
    day (Article 25 is work refused or deferred because of the hour: 下班了,
    午休, 还没上班, 不收了): the document is simply not made yet.
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_NOT_READY.search(simple)) and not _HOUR.search(simple)


def tells_the_hours(utts: Sequence[Utterance], i: int) -> bool:
    """True when staff utterance ``i`` states the hours in reply to a citizen asking about them.

    周末不开门，工作日上午八点半到十二点 answering 你们周六上班吗？ is information,
    not work deferred: the reply names a schedule and puts off nothing now
    (今天, 现在, 明天再来).
    """
    from analyzer.rules.answers import questions
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(utts[i].text)
    if not _SCHEDULE.search(simple) or _NOW.search(simple):
        return False
    for k in range(i - 1, max(-1, i - 3), -1):
        if utts[k].speaker == "citizen":
            return any(_ASKS_HOURS.search(q.text) for q in questions(utts[k].text))
    return False


#: The citizen short of a paper (没带, 落在家里, 在他手里, 还没开): a come-again then is for the paper.
_CITIZEN_LACKS = re.compile(r"没带|没拿|忘(?:了)?带|落(?:在|家)|在家里|在[^，,。！!？?]{0,4}手里|不在(?:身边|手上|这)|"
                            r"还没(?:开|办|弄|拿到|下来)|没开(?:证明)?|没(?:这个|那个)")
#: The clerk asking for a further paper (还得要X, 还差X, 缺X).
_STAFF_ASKS_MORE = re.compile(r"还得(?:要|有|带)|还要(?:带|有)|还差|缺(?!德)|少(?:了|一)")
#: The citizen's own plan to come later (那我明天再来, 我下午过来, 我改天来).
_OWN_PLAN = re.compile(r"(?:我|我们|那我|那我们)[^，,。！!？?]{0,6}(?:明天|明儿|后天|下午|上午|改天|过两天|下周|下礼拜|"
                       r"回头|晚点|等会儿?|一会儿?|再)[^，,。！!？?]{0,6}(?:来|过来|过去|跑一趟)")
#: The clerk agreeing (好的, 行, 可以, 都行, 没问题).
_AGREES = re.compile(r"^(?:好|行|可以|没问题|成|中|嗯|对|要得)|都行|也行|都可以|也可以")
#: A step of the matter given its date (明天上午九点半现场勘验, 后天出证, 下周到账): the work's schedule.
_STEP_DATED = re.compile(r"(?:今天|明天|明儿|后天|下周|下礼拜|[0-9一二三四五六七八九十]+(?:号|日|个工作日))[^，,。！!？?]{0,8}"
                         r"(?:勘验|踏勘|勘察|出证|领证|拿证|到账|发放|上门|出结果|制证|核查|审批|审核|通知)")
#: Sending the citizen to come again to do the business (再来, 改天来, 来办, 不收, 办不了).
_PUTS_OFF = re.compile(r"再来|再过来|改天|下回|来办|来交|来弄|不收|办不了|弄不了|不办|来不及")


#: Come again later (下礼拜再来问, 改天再来, 明天过来).
_LATER = re.compile(r"(?:下礼拜|下周|改天|过两天|明天|明儿|后天|下午|回头|过几天)[^，,。！!？?]{0,6}(?:再)?(?:来|过来)|再来|"
                    r"过了[^，,。！!？?]{1,5}再(?:来|过来|办|报)")  # 过了元旦再来 (session 13)
#: The clerk's own lack of time or hands, or a colleague away, as the reason (腾不出手, 录系统的人不在).
_BUSY = re.compile(r"腾不出手|忙不过来|没空|顾不上|没工夫|手上(?:还)?有(?:个|点)?事|"
                   r"(?:的人|同事|同志|师傅|负责的)[^，,。！!？?]{0,2}(?:不在|没来|请假|休假|出差|下乡)|"
                   # the one who does it away (她这礼拜休年假; 两个人都去县上培训了; session 13)
                   r"(?:她|他|两个人|几个人|人)[^，,。！!？?]{0,4}(?:休(?:年|产|病|婚)?假|请假|出差|下乡|"
                   r"(?:去)?[^，,。！!？?]{0,4}(?:培训|学习|开会)(?:了|去了))|"
                   r"(?:我|我们)?(?:这(?:礼拜|周|星期|两天|会儿?))?(?:我)?先不(?:收|办|弄|录|受理)")
#: Words of a paper to bring (补, 齐, 缺): the come-again is for it, not the clerk's side.
_PAPER_REASON = re.compile(r"补|齐|缺|少了|没带|证明|复印")


def asks_only(text: str) -> bool:
    """True when staff words end on a question and send nobody to come again (小周，这个现在收不收
    工本费？): asking, of a colleague or the citizen, is no closing for the hour."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text).strip()
    return simple.endswith(("？", "?")) and not _LATER.search(simple)


def deferred_by_words(text: str) -> bool:
    """True when staff words put the business off to a later day for the clerk's side of it:
    her time or hands, or a colleague away (今天录系统的人不在，我这边也腾不出手，你下礼拜再来问),
    where no deferral cue was heard (Article 25: work deferred, in any wording)."""
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    return bool(_LATER.search(simple) and _BUSY.search(simple)) and not not_ready(simple) \
        and not _PAPER_REASON.search(simple)


def for_the_matter(utts: Sequence[Utterance], i: int) -> bool:
    """True when staff utterance ``i`` sends no work off for the hour, whatever its words of later.

    * the hours told to a citizen who asked them (:func:`tells_the_hours`);
    * a come-again, no hour named, right after the citizen said he is short
      of a paper, or the clerk asked for one more (护照在他手里 … 那你改天再来):
      for the paper (Articles 18 and 10 judge the telling), not the clock;
    * agreeing to the citizen's own plan to come later (那我明天下午过来 …
      好的，明天下午来都行), when the clerk had put nothing off before it;
    * a step of the matter given its date (明天上午九点半现场勘验，后天出证),
      sending nobody to come again to do the business.
    """
    from analyzer.text.normalize import to_simplified

    text = to_simplified(utts[i].text)
    if tells_the_hours(utts, i):
        return True
    before = [k for k in range(i - 1, max(-1, i - 3), -1) if utts[k].text.strip()]
    last = before[0] if before else None  # the words the come-again answers
    if last is not None and not _HOUR.search(text) and (
            _CITIZEN_LACKS if utts[last].speaker == "citizen" else _STAFF_ASKS_MORE).search(
            to_simplified(utts[last].text)):
        return True
    citizen = next((k for k in before if utts[k].speaker == "citizen"), None)
    if citizen is not None and citizen == i - 1 and _AGREES.search(text) \
            and _OWN_PLAN.search(to_simplified(utts[citizen].text)) \
            and not any(_PUTS_OFF.search(to_simplified(u.text)) for u in utts[:citizen] if u.speaker == "staff"):
        return True
    clock = _HOUR.search(text.replace("分钟", ""))  # 二十分钟 is a wait, no hour of the day
    if not clock and not _BUSY.search(text) and _BRING_IT.search(text):
        return True  # 没有户口本今天办不了，明天拿来吧: the come-again is for the paper it names
    if not clock and not _LATER.search(text) and not _BUSY.search(text) and WAITS_HERE.search(text) \
            and not NOT_STARTED.search(text):
        return True  # 二十分钟，您坐那儿等一会儿，我叫您: served today, waiting on the spot
    return bool(_STEP_DATED.search(text)) and not _PUTS_OFF.search(text)


#: The clerk's day closing (马上下班了, 快下班了, 到点了, 关门了): the hour as the reason.
CLOSING_NOW = re.compile(r"(?:马上|快|快要|就要|该|要)下班|下班了|关门了|到点了")
#: Sending the business to the next working time (明天, 改天, 再打过来, 上班时间再来).
NEXT_TIME = re.compile(r"明天|明儿|改天|再来|再过来|再打|上班(?:时间|以后|了)再")


def put_off_for_the_hour(text: str) -> bool:
    """True when staff words put the business off for the hour, where no deferral cue was heard (session 13):

    * the day closing and the business sent to the next working time (我们这边马上下班了，你明天上班时间再
      打过来吧: :data:`CLOSING_NOW` with :data:`NEXT_TIME`), not the day still open (还没下班, 来得及:
      :data:`NOT_YET`);
    * the clerk's own work not started (还没开始呢，等会儿: :data:`CLERK_NOT_STARTED`; 审核还没开始 is the
      matter's) or put off to a later hour (我这边三点以后再说: :data:`LATER_HOUR`).

    Only within the service hours does it make an ``A25-HOURS`` finding (:func:`_deferrals`).
    """
    from analyzer.text.normalize import to_simplified

    simple = to_simplified(text)
    if NOT_YET.search(simple):
        return False
    return bool(CLOSING_NOW.search(simple) and NEXT_TIME.search(simple)) or any(
        CLERK_NOT_STARTED.match(c) for c in re.split(r"[，,。！!？?；;]", simple)) or bool(LATER_HOUR.search(simple))


#: The clerk's own work not started, opening its clause (还没开始呢; 我们还没上班): 审核还没开始 is the matter's.
CLERK_NOT_STARTED = re.compile(r"^(?:哎|嗯|诶)?(?:我们?|这边|我这边|咱们?|窗口)?(?:这儿|这边)?(?:都)?还没(?:开始|上班|开门|开工)")
#: The business put off to a later hour of the same day (三点以后再说, 两点半之后再办).
LATER_HOUR = re.compile(r"(?:[0-9一二两三四五六七八九十]+点|点半)(?:以后|之后)再(?:说|办|弄|来)")


#: The work not started for the clerk's side (还没开始呢, 还没上班, 三点以后再说; session 12): a wait on the spot
#: then is a wait for her to begin, the work deferred.
NOT_STARTED = re.compile(r"还没(?:开始|上班|开门|开工)|(?:[0-9一二两三四五六七八九十]+点|点半)(?:以后|之后)再(?:说|办|弄)")


#: The come-again names the paper short (没有户口本今天办不了，明天拿来吧): for the matter, not the hour.
_BRING_IT = re.compile(r"没(?:有|带)[^，,。！!？?]{1,6}(?:今天|现在)?(?:办不了|不行|不能办|弄不了|不好办)")
#: The citizen asked to wait on the spot while the work is done today (您坐那儿等一会儿，我叫您; 在这儿稍等).
WAITS_HERE = re.compile(r"(?:坐|在)(?:那儿|这儿|那边|这边|旁边|椅子上)?(?:稍)?等|(?:好了|到时候)?我(?:叫|喊)(?:您|你)")


def _said(interaction: Interaction, f: Finding) -> str:
    """The whole utterance(s) a finding was said in."""
    idx = f.detail.get("utterances") or []
    utts = interaction.utterances
    return " ".join(utts[i].text for i in idx if i < len(utts)) or str(f.evidence)


#: The business taken up now, only its result later (今天录完，明天出照; 这是您的受理单，三个工作日):
#: the later date is the result's, nothing is put off for the hour.
SERVED_NOW = re.compile(r"(?:今天|现在|这就|马上)(?:就|先|给您|给你){0,2}(?:录|受理|收|办|弄|提交|录入)(?:完|好|了)|"
                        r"受理单|受理凭证|受理回执|已经受理|材料(?:我)?收(?:了|下了)")


#: Sending the citizen off or not taking the work (再跑一趟, 先不接, 下午再…): with someone away, work deferred.
SENDS_OFF = re.compile(r"再跑|跑一趟|不接|不办|不收|不受理|办不了|[上下]午|明早|回去|先走")


#: Not closing time yet (还没到点, 还没下班, 还早呢; session 12): said to serve the citizen, it defers nothing.
NOT_YET = re.compile(r"(?:还|都)?没(?:到点|到时间|下班|关门)|还早(?:呢|着呢)|来得及")
#: Taking the citizen up at once (能办, 您坐, 您说, 办啥？): with 还没到点 it is not closing time yet, while
#: 还没到点呢，两点半之后才上班，你等会儿 is not opening time yet, a deferral.
SERVES_NOW = re.compile(r"能办|您坐|你坐|您说|你说|请讲|办啥|办什么|什么事|啥事")
#: Being told to wait for the opening (等会儿, 以后再说, 之后才, 外面等着).
WAIT_FIRST = re.compile(r"等会|等一会|以后|之后|再说|等着|才上班|才开")


def _deferrals(interaction: Interaction, cues: Sequence[Cue], rule: Any, options: DutyOptions,
               hours: str, charged: set[float], zones: HallZones | None) -> list[Finding]:
    from analyzer.rules.answers import RUSH_WORDS
    from analyzer.rules.civility import private_calls
    from analyzer.text.normalize import to_simplified

    out = []
    utts = interaction.utterances
    private = {id(utts[j]) for call in private_calls(utts) for j in call}
    cued = {c.utterance for c in cues if c.kind == "deferral"}
    worded = [Cue("deferral", i, u.start, u.end, u.text, 0.8, "words") for i, u in enumerate(utts)
              if i not in cued and u.speaker == "staff" and (deferred_by_words(u.text) or put_off_for_the_hour(u.text))]
    for cue in [*cues, *worded]:
        if cue.kind != "deferral" or cue.utterance >= len(utts):
            continue
        u = utts[cue.utterance]
        simple = to_simplified(u.text)
        if NOT_YET.search(simple) and SERVES_NOW.search(simple) \
                and not _LATER.search(simple) and not WAIT_FIRST.search(simple):
            continue  # 还没到点呢，您坐，办啥？: not closing time yet, served now
        if _OTHER_REASON.search(simple) and not (_COME_AGAIN.search(simple) or _LATER.search(simple)
                                                 or _PUTS_OFF.search(simple) or WAIT_FIRST.search(simple)
                                                 or _BUSY.search(simple) or SENDS_OFF.search(simple)):
            continue  # 领导开会去了，你找也找不着: someone away, the citizen sent nowhere, his work not put off
        if not_ready(u.text) or for_the_matter(utts, cue.utterance) \
                or SERVED_NOW.search(to_simplified(u.text)):
            continue  # not ready, the hours told, a lack, his own plan, served now or a step's date
        if id(u) in private or (RUSH_WORDS.search(to_simplified(u.text))
                                and not _LATER.search(to_simplified(u.text))):
            continue  # said on her private phone call (喂，妈…还没下班呢); 你赶紧的说完: a rush, still served
        when = local_time(interaction, u.start, zones)
        if u.speaker == "citizen" or when is None or u.start in charged \
                or not in_service_hours(when, interaction.hall, options):
            continue
        charged.add(u.start)
        clock = when.strftime("%H:%M")
        out.append(measure_finding(
            rule, "hours", "staff", u.start, u.end,
            evidence=_("deferred the citizen's business at %(time)s, within service hours "
                       "(%(hours)s): “%(text)s”", time=clock, hours=hours,
                       text=u.text),
            confidence=min(1.0, cue.confidence * options.in_hours_weight),
            detail={"local_time": when.strftime("%Y-%m-%d %H:%M"), "service_hours": hours,
                    "within_service_hours": True, "cue_source": cue.source},
        ))
    return out


# ----------------------------------------------------------------- Article 17 (两头跑)
#: The citizen saying this is a repeated trip (第三趟, 跑了好几回).
TRIPS = re.compile(r"第[三四五六七八九十3-9]\s*[趟次回遍]|(?:跑|来)了?\s*[三四五六七八九十3-9]\s*[趟次回遍]")
#: The citizen saying another window or office sent them here (三号窗口让我来找你, 那边说归你们管).
#: Only a window, desk or office sending them counts (家里人让我来办 is no bounce; 平台 is no counter:
#: 站长说平台给上了保障，让我来社保问问 names his employer's platform; session 13).
BOUNCED = re.compile(r"(?:窗口|[0-9一二三四五六七八九十]号|那边|楼上|楼下|(?<![平电阳舞站])台|大厅|局|中心|所|科|处)[^。？?！!]{0,12}"
                     r"(?:(?:让|叫|喊|要)我[^。？?！!，,]{0,3}(?:来|过来|回来|上来|下来|上楼|下楼|到这|上这|找你|到你|来你)|"
                     r"说[^。？?！!，,]{0,4}(?:到|来|找|上)(?:你们|你这|这儿|这里|这边))|"
                     r"(?:说|讲)[^。？?！!，,]{0,4}(?:是|归|该)(?:你们|你这|这儿|这里|这边)[^。？?！!，,]{0,3}(?:办|管|负责)|"
                     # 3号窗口说…说得在你们这查; 他说就是你们这儿的事: the other window names this one
                     r"(?:说|讲)(?:得|要|就是|是)?(?:在|归|到)?(?:你们|你这)[^。？?！!，,]{0,3}(?:查|办|管|弄|打|开|的事)|"
                     r"(?:打发|推|支)(?:我)?(?:到|回|来|过来)(?:这|你)|"
                     r"从[^。？?！!，,]{0,8}(?:窗口|台|楼|科|处|局|中心|所)(?:那边|那儿|那里)?(?:过来|来|上来|下来)")


#: The citizen answering a redirect that he has just come from there (我就是从那边过来的, 他们让我来找你们的):
#: sent back where he was sent from.
CAME_FROM = re.compile(r"(?:就是|刚|才|正是|刚刚)从[^。？?！!，,]{0,8}(?:来|过来|上来|下来|回来|出来)|"
                       r"(?:他们|那边|那儿|那里|人家|的人)[^。？?！!，,]{0,4}(?:就是|才|明明)?(?:让|叫|喊|要|打发)我")
#: Citizen utterances after a redirect that may say he came from there.
CAME_FROM_UTTERANCES = 2
#: Cue kinds of a clerk sending the citizen away to come again.
SENT_AWAY: tuple[str, ...] = ("incomplete_materials", "deferral", "materials_deferred", "not_ours")
#: Words that make the citizen queue again (重新取号, 回来再排, 每次都要取号, 从头排) whatever the
#: lexicon and the act detector heard.
REQUEUE = re.compile(r"(?:重新|再|每次都要?|每回都要?|从头)(?:去|到那边|过来)?(?:取|拿|排)(?:个|一个|一次|一下)?(?:号|队)|"
                     r"从头排|回来(?:再|重新)排|(?:重新|从头)排一?[下遍次]")
#: Words of a queue or a shuttle (排队, 取号, 从头, 窗口, 来回): a re-queue names one.
_QUEUE = re.compile(r"排|号|从头|重新|窗口|来回|两头|跑")
#: A queue the clerk spares the citizen (不用重新取号, 回来直接找我不用排队).
_SPARED = re.compile(r"(?:不用|不需要|无需|不必|甭|别|用不着)(?:再)?(?:重新|从头)?(?:取|排|拿)")


def _came_from(utts: Sequence[Utterance], i: int) -> Utterance | None:
    """The citizen's reply to redirect ``i`` saying he was sent here from there (:data:`CAME_FROM`)."""
    from analyzer.text.normalize import to_simplified

    after = [u for u in utts[i + 1:] if u.speaker == "citizen"][:CAME_FROM_UTTERANCES]
    # "the other window sent me here" said only after a first reply (好，3号窗口。 … later: 3号窗口说
    # 得在你们这查) is his report on coming back from where this redirect sent him, not where he came from
    return next((u for k, u in enumerate(after) if CAME_FROM.search(to_simplified(u.text))
                 or (k == 0 and BOUNCED.search(to_simplified(u.text)))), None)


#: Sending back (回双湾派出所开, 你回去问): where he came from.
_BACK = re.compile(r"回(?!答|复|执|头|事|来)")
#: The citizen pointing at the place the redirect named (我刚从那边过来的, 他们让我来的).
_THERE = re.compile(r"从(?:那边|那儿|那里|那)|(?:他们|那边|那儿|那里)[^。？?！!，,]{0,4}(?:让|叫|喊|要|打发|说)")
#: Where a redirect sends the citizen: its words after the last verb of going.
_GO = re.compile(r"[去到找回上下]")


def back_there(redirect: str, came: str) -> bool:
    """True when the redirect sends the citizen back where he says he came from: it says 回, his
    words point at its place (从那边, 他们让我来), or its destination shares his words (双湾派出所).
    Sent on to a third place (社区让我来街道的 … 去区里吧) is a redirect, no run-around."""
    from analyzer.rules.answers import shares_content
    from analyzer.text.normalize import to_simplified

    simple, said = to_simplified(redirect), to_simplified(came)
    if _BACK.search(simple) or _THERE.search(said):
        return True
    ends = [m.end() for m in _GO.finditer(simple)]
    return bool(ends) and shares_content(simple[ends[-1]:], said)


def _stood_by(f: Finding, utts: Sequence[Utterance], back: int) -> Finding:
    """The sent-back finding running on to the clerk's next turn after the citizen said he came
    from there, where she sends him off again (你回去让他们开): the same lapse, stood by."""
    from analyzer.text.normalize import to_simplified

    nxt = next((j for j in range(back + 1, len(utts)) if utts[j].speaker == "staff"), None)
    if nxt is None:
        return f
    simple = to_simplified(utts[nxt].text)
    if not (_BACK.search(simple) or SENT_AGAIN.search(simple) or _SENT_TO.search(simple)):
        return f
    return replace(f, end=max(f.end or utts[nxt].end, utts[nxt].end), detail={**f.detail, "reply": nxt})


def runarounds(interaction: Interaction, cues: Sequence[Cue], lexicon: Lexicon) -> list[Finding]:
    """``A17-RUNAROUND`` (两头跑、多次跑): made to queue again or shuttle, or sent away again.

    * the clerk makes the citizen queue again or shuttle between windows
      (``requeue`` cue, or the words alone, :data:`REQUEUE`: 重新取号, 回来再排,
      每次都要取号 …, in words naming a queue or a shuttle:
      :data:`_QUEUE`; 表审完了再去照相 is the next step);
    * the citizen says this is the third trip or more (:data:`TRIPS`), or that
      another window sent them here (:data:`BOUNCED`), and the clerk still
      sends them away to come again or elsewhere (a later
      ``incomplete_materials``, ``deferral``, ``materials_deferred`` or
      ``not_ours`` cue: bounced between windows, then to the desk), or
      answers the redirect that he has just come from there (:data:`CAME_FROM`:
      sent back to the window that sent him); a
      clerk who serves them, naming a material on the way, does not, and the
      extra trip of an ordinary Article 18 lapse is not counted again.
    """
    from analyzer.text.normalize import to_simplified

    rule = measure_rule(lexicon, "A17-RUNAROUND")
    if rule is None:
        return []
    utts = interaction.utterances
    trips = [u for u in utts if u.speaker == "citizen"
             and (TRIPS.search(to_simplified(u.text)) or BOUNCED.search(to_simplified(u.text)))]
    out: dict[int, Finding] = {}
    have = {c.utterance for c in cues if c.kind == "requeue"}
    said = [Cue("requeue", i, u.start, u.end, u.text, 0.75, source="pattern") for i, u in enumerate(utts)
            if u.speaker == "staff" and i not in have and REQUEUE.search(to_simplified(u.text))]
    for cue in sorted([*cues, *said], key=lambda c: c.start):
        if cue.utterance >= len(utts) or utts[cue.utterance].speaker == "citizen":
            continue
        u = utts[cue.utterance]
        if cue.kind == "requeue":
            if _SPARED.search(to_simplified(u.text)) or not _QUEUE.search(to_simplified(u.text)):
                continue  # 不用重新排队: spared; 表审完了再去拍: the next step, no queue or shuttle
            why = _("made the citizen queue again or shuttle: “%(text)s”", text=u.text)
        elif cue.kind in SENT_AWAY and any(t.start < u.start for t in trips) \
                and not (HERE_WINDOW.search(to_simplified(u.text)) and not _COME_AGAIN.search(to_simplified(u.text))):
            trip = next(t for t in trips if t.start < u.start)
            why = _("sent the citizen away again on a repeated trip (“%(trip)s”): “%(text)s”",
                    trip=trip.text, text=u.text)
        else:
            continue
        out.setdefault(cue.utterance, measure_finding(
            rule, "runaround", "staff", u.start, u.end, evidence=why,
            confidence=0.8 * cue.confidence,
            detail={"cue": cue.kind, "cue_source": cue.source, "utterance": cue.utterance}))
    for i, u in enumerate(utts):  # 我这都第三趟了 … 你还得去派出所: sent on again in words
        before = next((t for t in trips if t.start < u.start), None)
        simple = to_simplified(u.text)
        if before is None or u.speaker != "staff" or i in out or _asks_only(simple) \
                or not (SENT_AGAIN.search(simple) or _SENT_TO.search(simple) or FETCH_FIRST.search(simple)) \
                or COME_BACK.search(simple):
            continue
        prev = max((k for k in out if k < i), default=None)
        if prev is not None and out[prev].detail.get("cue") != "requeue" \
                and (SENT_AGAIN.search(simple) or _SENT_TO.search(simple)) \
                and all(utts[k].speaker == "citizen" for k in range(prev + 1, i)):
            # sent off again in the clerk's next turn (就去3号窗口 … 去吧去吧): the same lapse, stood by
            out[prev] = replace(out[prev], end=max(out[prev].end or u.end, u.end),
                                detail={**out[prev].detail, "stood_by": i})
            continue
        out[i] = _sent_away_again(rule, u, i, before.text, "sent_on_again")
    for i, u in enumerate(utts):  # 让我再跑第四趟？ … 没有出生证明过不去: standing by one more trip
        if u.speaker == "staff" and i not in out and i and utts[i - 1].speaker == "citizen" \
                and ANOTHER_TRIP.search(to_simplified(utts[i - 1].text)) \
                and any(t.start < utts[i - 1].start for t in trips) and not WAY_ROUND.search(to_simplified(u.text)):
            out[i] = _sent_away_again(rule, u, i, utts[i - 1].text, "another_trip")
    sent = {c.utterance for c in cues if c.kind == "not_ours"}
    for i, u in enumerate(utts):
        back = _came_from(utts, i) if u.speaker == "staff" and i not in out else None
        if back is None or not (i in sent or _SENT_TO.search(to_simplified(u.text))) \
                or not back_there(u.text, back.text):
            continue
        out[i] = _stood_by(_sent_away_again(rule, u, i, back.text, "sent_back"), utts, utts.index(back))
        out.pop(out[i].detail.get("reply", -1), None)  # standing by it is the same lapse, one finding
    upset = {c.utterance for c in cues if c.kind in HEATED_CITIZEN_CUES}
    return [_protested(out[k], k, utts, upset) for k in sorted(out)]


def _protested(f: Finding, i: int, utts: Sequence[Utterance], upset: set[int]) -> Finding:
    """The run-around finding on staff turn ``i``, running on over the citizen's protest.

    The citizen who objects at once to being sent off again (an upset cue on his
    next words) and the clerk's reply to that objection are the same lapse: the
    clerk standing by the extra trip. The finding spans them, up to the clerk's
    reply (``detail.protest``).
    """
    last = f.detail.get("stood_by", i)  # sent off again in the next turn: the protest follows that
    k = (last if isinstance(last, int) else i) + 1
    while k < len(utts) and utts[k].speaker == "staff":
        k += 1
    if k >= len(utts) or k not in upset:
        return f
    reply = next((j for j in range(k + 1, len(utts)) if utts[j].speaker == "staff"), None)
    if reply is None:
        return f
    return replace(f, end=max(f.end or utts[reply].end, utts[reply].end),
                   detail={**f.detail, "protest": k, "reply": reply})


def _sent_away_again(rule: Rule, u: Utterance, i: int, trip: str, cue: str) -> Finding:
    """The run-around finding on staff turn ``i`` sending the citizen off after ``trip``."""
    return measure_finding(
        rule, "runaround", "staff", u.start, u.end,
        evidence=_("sent the citizen away again on a repeated trip (“%(trip)s”): “%(text)s”",
                   trip=trip, text=u.text),
        confidence=0.7, detail={"cue": cue, "cue_source": "pattern", "utterance": i})


#: The clerk sending the citizen off again (你还得去派出所, 你再去八号问问, 你再下去跟他们说).
SENT_AGAIN = re.compile(r"(?:再|还得|还要|还是得|还是|得)(?:去|回|下去|上去|过去|到)(?!来)")
#: The citizen protesting one more trip (再跑第四趟？ 又得跑一趟？ 白跑了).
ANOTHER_TRIP = re.compile(r"再跑|又得跑|还得跑|再来一趟|又要来|第[四五六七八九十4-9]\s*[趟次回]|白跑")
#: The clerk sparing it (不用再跑, 我帮您, 寄过来, 拍照发来, 先受理): a way round, no run-around.
WAY_ROUND = re.compile(r"不用(?:再)?(?:跑|来)|(?:帮|替)(?:您|你)|邮寄|寄过来|寄来|拍(?:个)?照|发过来|线上|网上|先受理|容缺|"
                       r"先给您办|先给你办|补交")
#: Sent off to fetch a paper and come again (让他拿来，拿来再说; 补齐了再来; 带来再办): after a third trip, another.
FETCH_FIRST = re.compile(r"(?:拿|带|取|送|开)(?:来|过来|回来)?了?(?:以后|之后)?再(?:说|办|来|弄)|"
                         r"(?:让|叫)[^。？?！!，,]{0,4}(?:拿|带|送)(?:来|过来)|(?:补齐|补全|补上|补好)了?(?:以后|之后)?再来|"
                         r"(?:开|办|弄|补)(?:好)?了?(?:以后|之后)?再(?:拿|带|送)(?:来|过来)|"  # 让村委会开了再拿来
                         r"[，,]再(?:拿|带|送)(?:来|过来)")  # 让房东写个证明，签字按手印，再拿过来 (session 13)
#: Words of the normal flow: go and come back here (去缴费再回来, 拿完凭证来我这儿), not a send-off.
COME_BACK = re.compile(r"回来|回到这|来我这|再来找我|过来找我|缴费|交费|交钱|"
                       r"(?:到|来)(?:我们|咱们|我)?(?:这个?|本)窗口|(?:到|来)(?:我们|咱们)窗口")  # 到这个窗口来领: here
#: This very window named as where someone is to come (让银行的人到这个窗口来领; session 12): nobody sent elsewhere.
HERE_WINDOW = re.compile(r"(?:到|来)(?:我们|咱们|我)?(?:这个?|本)窗口|(?:到|来)(?:我们|咱们)窗口|"
                         r"(?:这个|我们|咱们|本)窗口的电话")


def _asks_only(simple: str) -> bool:
    """True when every sentence of a staff utterance is a question (八号窗口说的？): it sends nobody."""
    parts = [p for p in re.split(r"(?<=[。！!？?])", simple) if p.strip()]
    return bool(parts) and all(p.rstrip().endswith(("？", "?")) for p in parts)


#: A clerk's words sending the citizen to a named place (回七号窗口, 去医保窗口问): with his reply that he
#: came from there, a send-back even where no redirect was heard.
_SENT_TO = re.compile(r"(?:回|去|到|找|上)[^。？?！!，,]{0,8}(?:窗口|台|楼|科|处|局|中心|所|那边|那儿|那里|"
                      r"镇|乡|村|社区|街道|单位)")  # 你回镇上开个证明再来


def unanswered_call(interaction: Interaction, lexicon: Lexicon, options: AnalyzerOptions,
                    ring: RingResult | None, findings: list[Finding]) -> list[Finding]:
    """``A7-UNANSWERED`` for a call that rang its allowed rings and no staff ever spoke; ``A7-RING``
    (answered late) dropped for a call that came outside the service hours (a pick-up on the sixth ring
    at 12:21, in the lunch break: nobody was owed an answer within three rings then)."""
    rings = ring.rings if ring is not None else None
    staff_spoke = any(u.speaker == "staff" and u.text.strip() for u in interaction.utterances)
    if interaction.channel == "phone" and staff_spoke and any(f.rule == "A7-RING" for f in findings):
        when = local_time(interaction, 0.0, options.halls.zones())
        if when is not None and not in_service_hours(when, interaction.hall, options.duties):
            # picked up late in the lunch break or after closing: the three-ring rule binds the service
            # hours, as the unanswered call's does (session 13)
            return [f for f in findings if f.rule != "A7-RING"]
    if interaction.channel != "phone" or staff_spoke or rings is None \
            or rings < options.rings.max_rings:
        return findings  # the caller gave up before the allowed rings had rung
    rest = [f for f in findings if f.rule != "A7-RING"]  # it would say "answered after"
    rule = measure_rule(lexicon, "A7-UNANSWERED")
    when = local_time(interaction, 0.0, options.halls.zones())
    inside = when is not None and in_service_hours(when, interaction.hall, options.duties)
    if rule is None or (when is not None and not inside):
        return rest  # outside service hours nobody is owed an answer
    hours = _hours_text(interaction.hall, options.duties)
    clock = when.strftime("%H:%M") if when is not None else ""
    at = _("at %(time)s, within service hours (%(hours)s)", time=clock, hours=hours) \
        if when is not None else _("at an unknown time (the call has no start time)")
    end = ring.ring_spans[-1][1] if ring is not None and ring.ring_spans else None
    return [*rest, measure_finding(
        rule, "ring", "staff", 0.0, end if end is not None else interaction.end_time,
        evidence=_("rang %(rings)s times %(at)s and was never answered", rings=rings, at=at),
        confidence=(ring.confidence if ring is not None else 0.9) * (1.0 if inside else 0.7),
        detail={"rings": rings, "max_rings": options.rings.max_rings,
                "ring_source": ring.source if ring is not None else None,
                "within_service_hours": inside if when is not None else None,
                "service_hours": hours},
    )]
