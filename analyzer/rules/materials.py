"""一次性告知 (Article 18): materials told at once, not piecemeal, in one visit or across visits.

"当服务对象提交的申请材料不齐全或者不符合法定形式的，要当场一次性告知需要补充的全部
内容". The duty is breached when the clerk

* **adds** a material after an earlier turn that told the materials (a list, a
  turn-away for something missing, an earlier addition), once the citizen has
  answered in between, and the added material was not named before
  (:func:`piecemeal`, ``how="added"``): 还得有孩子的出生证明 after the citizen
  fetched the first missing paper;
* **puts off** telling the rest (:func:`piecemeal`, ``how="deferred"``):
  先把这个补上，其他的下回再说; on the phone, 您来了再看还缺什么;
* reveals a further material on a visit the citizen says is a repeat because
  of an earlier visit that did not tell everything (``how="across_visits"``):
  上次没说还要这个 … 还得有公证书.

Cues come from the lexicon (``materials_listed``, ``materials_added``,
``materials_deferred``, ``earlier_visit``) and from the staff act detector
(:mod:`analyzer.rules.acts`). ``A18-EARLIER`` (0 points) still marks every
earlier-visit remark for the inspector.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from analyzer.rules.acoustics import measure_finding, measure_rule
from analyzer.types import Cue, Finding, Interaction, Utterance

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon

#: Cue kinds that tell the citizen materials (a list, something missing, an addition).
TOLD = ("materials_listed", "materials_added", "incomplete_materials")
#: A material named in a sentence (证明, 户口本, 申请表, 公证书, 照片 …).
_MATERIAL = re.compile(r"[\u4e00-\u9fff]{1,5}?(?:证明|证书|证|本|书|表|照片|照|合同|协议|发票|卡|章|"
                       r"件|记录|流水|报告|决议|章程|凭证|原件|复印件)")
#: Leading words that are not part of a material's name.
_LEAD = re.compile(r"^(?:还|得|要|需|带|交|补|有|个|一份|一张|一个|再|也|另外|对了|就|差|缺|少|"
                   r"的|和|跟|或者|以及|还有|还得|还要|还需要|需要|提供|准备|开|办)+")


#: Words that qualify a material rather than name a new one (原件, 复印件 …).
_QUALIFIERS = frozenset({"原件", "复印件", "印件", "材料", "证件", "东西", "表格", "一份", "两份"})


def materials_named(text: str) -> set[str]:
    """The materials a sentence names, by their last three characters (户口本, 公证书 …).

    Qualifiers (原件, 复印件, 材料) are not materials of their own.
    """
    from analyzer.text.normalize import to_simplified

    out = set()
    for m in _MATERIAL.finditer(to_simplified(text)):
        name = _LEAD.sub("", m.group(0))
        if len(name) >= 2 and name not in _QUALIFIERS and name[-3:] not in _QUALIFIERS:
            out.add(name[-3:])
    return out


#: A citizen turn between two tellings ends the first one: more than a backchannel
#: (嗯, 好, 对 …), or a pause this long (the citizen went to fetch something).
TURN_CHARS = 4
FETCH_SECONDS = 10.0


def _citizen_between(utts: Sequence[Utterance], a: float, b: float) -> bool:
    """True when the earlier telling was a finished turn: the citizen answered in between.

    A backchannel (嗯, 好的) while the clerk is still listing does not end the
    list; words of their own (:data:`TURN_CHARS`), a long pause, or the clerk
    going on with something else do.
    """
    from analyzer.rules.acoustics import speech_chars

    between = [u for u in utts if u.speaker == "citizen" and a <= u.start < b and u.text.strip()]
    if not between:
        return False
    other = [u for u in utts if u.speaker != "citizen" and a < u.start < b and u.text.strip()]
    return any(speech_chars(u.text) >= TURN_CHARS for u in between) or bool(other) or (
        b - a >= FETCH_SECONDS)


#: A sentence asking whether the citizen has an item (户口本呢？ 带了吗？) checks, it adds nothing.
_ASKS = re.compile(r"[呢吗][？?。.]?\s*$|[？?]\s*$")


def _is_new(utts: Sequence[Utterance], added: Cue) -> bool:
    """True when the added utterance names a material no earlier staff word named."""
    named = materials_named(utts[added.utterance].text)
    if not named:
        return True  # the act says a material was added; which one is not legible
    before = "".join(u.text for u in utts[: added.utterance] if u.speaker != "citizen")
    from analyzer.text.normalize import to_simplified

    before = to_simplified(before)
    return any(name not in before for name in named)


def piecemeal(interaction: Interaction, cues: Sequence[Cue], lexicon: Lexicon) -> list[Finding]:
    """``A18-PIECEMEAL``: materials added later, the rest put off, or revealed across visits."""
    rule = measure_rule(lexicon, "A18-PIECEMEAL")
    if rule is None:
        return []
    utts = interaction.utterances
    staff_cues = sorted((c for c in cues if c.utterance < len(utts)
                         and utts[c.utterance].speaker != "citizen"), key=lambda c: c.start)
    told = [c for c in staff_cues if c.kind in TOLD]
    earlier_visit = [c for c in cues if c.kind == "earlier_visit"]
    out: dict[int, Finding] = {}
    for cue in staff_cues:
        if cue.kind == "materials_deferred":
            out.setdefault(cue.utterance, _finding(rule, cue, "deferred", None, utts))
            continue
        if cue.kind not in ("materials_added", "incomplete_materials") or _ASKS.search(
                utts[cue.utterance].text.strip()):
            continue
        prior = [c for c in told if c.start < cue.start and c.utterance != cue.utterance
                 and _citizen_between(utts, c.end, cue.start)]
        if cue.kind == "materials_added" and prior and _is_new(utts, cue):
            out.setdefault(cue.utterance, _finding(rule, cue, "added", prior[0], utts))
        elif any(e.start < cue.start for e in earlier_visit) and _is_new(utts, cue):
            out.setdefault(cue.utterance, _finding(rule, cue, "across_visits", None, utts))
    return [out[k] for k in sorted(out)]


def _finding(rule: object, cue: Cue, how: str, first: Cue | None, utts: Sequence[Utterance]
             ) -> Finding:
    said = utts[cue.utterance].text
    if how == "added" and first is not None:
        evidence = (f"staff added “{said}” after telling the materials earlier "
                    f"(“{first.evidence}” at {first.start:.1f} s)")
    elif how == "deferred":
        evidence = f"staff put off telling the rest of the materials: “{said}”"
    else:
        evidence = (f"staff revealed another material on a visit the citizen says repeats an "
                    f"earlier one: “{said}”")
    u = utts[cue.utterance]
    return measure_finding(
        rule, "piecemeal", "staff", u.start, u.end, evidence=evidence,
        confidence=0.8 * cue.confidence,
        detail={"how": how, "added": said, "added_utterance": cue.utterance,
                "cue_source": cue.source, "materials": sorted(materials_named(said)),
                **({"listed": first.evidence, "listed_utterance": first.utterance,
                    "listed_at": round(first.start, 3)} if first is not None else {})},
    )


def earlier_visits(interaction: Interaction, cues: Sequence[Cue], lexicon: Lexicon
                   ) -> list[Finding]:
    """``A18-EARLIER``: the citizen says an earlier visit did not tell them everything."""
    rule = measure_rule(lexicon, "A18-EARLIER")
    if rule is None:
        return []
    utts = interaction.utterances
    out = []
    for cue in cues:
        if cue.kind != "earlier_visit":
            continue
        text = utts[cue.utterance].text if cue.utterance < len(utts) else cue.evidence
        out.append(measure_finding(
            rule, "earlier_visit", "staff", cue.start, cue.end,
            evidence=f"about an earlier visit: the citizen said “{text}”",
            confidence=0.7 * cue.confidence,
            detail={"about": "earlier_visit", "cue": cue.evidence, "utterance": cue.utterance,
                    "text": text},
        ))
    return out
