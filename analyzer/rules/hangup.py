"""Forced hang-up (Article 7, ``A7-HANGUP``): phone calls only.

The staff end the call while the caller is still speaking (:func:`cut_short`,
any transcript, typed or recognised): the clerk's closing words (挂了, 就这样,
不说了 … :data:`ENDS_CALL`, or the act detector's ``end_call``) are the last
staff words, and

* they start while the caller is talking (the utterances overlap: the clerk
  talks over the caller and hangs up), or
* the caller's words just before them break off (a dash or an ellipsis at the
  end: :data:`CUT_OFF`), or
* the caller is left calling into the line after them (喂？喂？, 我还没说完:
  :data:`CALLING_ON`).

A farewell in the closing words does not excuse it. Otherwise a call is also
flagged when it ends

* while the citizen is still speaking (their last utterance runs to within
  ``END_SLACK`` seconds of the end of the recording; needs the call's
  duration), or
* within ``hangup_window`` seconds after a citizen question that the staff
  did not answer (the question is the last utterance of the call),

and the staff gave no farewell (no staff hit of a ``leaving`` rule, such as
"请您慢走,再见", in the last ``farewell_lookback`` seconds). Never when the
citizen was taking leave themselves (谢谢, 再见, 拜拜 at the end of their last
words).

A question is recognised on the simplified text: a question mark, a final
particle (吗, 呢, 么) or a question word (什么, 怎么, 哪, 多少, 多久, 能不能, ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from analyzer.i18n import gettext as _
from analyzer.options import AcousticOptions, AnalyzerOptions
from analyzer.rules.acoustics import measure_finding, measure_rule
from analyzer.rules.answers import is_question
from analyzer.types import Finding, Interaction, Utterance

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon
    from analyzer.text.match import Hit


END_SLACK = 0.5  #: s, a last utterance ending this close to the end is cut off
#: A caller's words that break off: a dash or an ellipsis at the end.
CUT_OFF = re.compile(r"(?:[—–－]+|-{2,}|…+|\.{3,})\s*$")
#: The clerk closing the call.
ENDS_CALL = re.compile(r"挂了|先挂|挂啦|我挂|挂电话|不说了|不聊了|别说了|就这样|先这样|就这么着|回头再说|"
                       r"有事再打|再见|拜拜|"
                       r"别(?:再)?打了|再打(?:过来)?吧")  # session 13: 别打了, 换个有信号的地方再打吧 send the caller off the line
#: The caller calling into a dead line, or protesting the end.
#: The caller's trailing words opening on agreement (好，那我明天……; session 12): with the clerk's farewell
#: after them, the call wound up together, nothing was cut off.
AGREED = re.compile(r"^(?:好|行|嗯|哦|那好|那行|好的)[的嘞了]?[，,\s]")
#: A farewell in the clerk's closing words (再见, 慢走, 拜拜).
FAREWELL = re.compile(r"再见|拜拜|慢走|回见")
CALLING_ON = re.compile(r"^(?:[喂哎诶唉嗯]+[？?！!，,。.\s]*)+$|还没说完|怎么挂|别挂|人呢|挂了[？?]")
#: Characters a caller's words need to be cut off (a backchannel 嗯 is not).
CUT_MIN_CHARS = 4
#: The citizen taking leave: a hang-up after this is not forced.
#: Giving in to the clerk's winding-up (那行嘛, 行吧, 那好吧; session 12) takes leave too: the call ended
#: on his consent, and a question he leaves is Article 5's.
LEAVING_RE = re.compile(r"(再见|拜拜|谢谢|多谢|感谢|好的了|挂了|(?:那)?(?:行|好)(?:嘛|吧)|那(?:行|好|成))[\s。.!！…~～]*$")


def _takes_leave(text: str) -> bool:
    from analyzer.text.normalize import to_simplified

    return bool(LEAVING_RE.search(to_simplified(text).strip()))


def hangup_findings(
    interaction: Interaction, hits: Sequence[Hit], lexicon: Lexicon, options: AcousticOptions,
    analyzer_options: AnalyzerOptions | None = None,
) -> list[Finding]:
    """``A7-HANGUP`` for a phone call ended on the citizen without a farewell.

    Args:
        interaction: The call (``channel == "phone"``; others give no finding).
        hits: Lexicon hits of the call (:func:`analyzer.text.match.find_phrases`);
            staff hits of ``leaving`` rules count as a farewell.
        lexicon: The loaded lexicon (for the ``A7-HANGUP`` rule).
        options: Acoustic options (``hangup_window``, ``farewell_lookback``).
        analyzer_options: When given, the act detector's ``end_call`` also
            says which words close the call.

    Returns:
        At most one finding, spanning the citizen's last utterance to the end
        of the call.
    """
    rule = measure_rule(lexicon, "A7-HANGUP")
    utts = sorted(interaction.utterances, key=lambda u: u.start)
    citizen = [u for u in utts if u.speaker == "citizen" and u.text.strip()]
    if rule is None or interaction.channel != "phone" or not citizen:
        return []
    end = interaction.end_time
    short = cut_short(utts, analyzer_options)
    if short is not None:
        how, close, caller = short
        return [replace(measure_finding(
            rule, "hangup", "staff", min(caller.start, close.start), max(close.end, caller.end),
            evidence=_("%(how)s: “%(caller)s” / staff: “%(staff)s”", how=_short(how),
                       caller=caller.text, staff=close.text),
            confidence=0.8 * (0.6 + 0.4 * caller.confidence),
            detail={"reason": how, "call_end": round(end, 3), "text": caller.text,
                    "staff_text": close.text, "citizen_start": round(caller.start, 3),
                    "citizen_end": round(caller.end, 3), "staff_start": round(close.start, 3)},
        ), veto_exempt="timing")]  # decided by when the call ended: no veto (judge.vetoable)
    last = citizen[-1]
    reason = _reason(interaction, utts, last, end, options)
    if reason is None or _takes_leave(last.text) or _farewell(hits, end, options):
        return []
    speaking = reason == "citizen_speaking"
    what = (_("the call ended while the citizen was speaking") if speaking else
            _("the call ended %(seconds).1f s after an unanswered citizen question",
              seconds=end - last.end))
    return [replace(measure_finding(
        rule, "hangup", "staff", last.start, end,
        evidence=_("%(what)s, with no farewell from staff: %(text)s", what=what, text=last.text),
        confidence=(0.85 if speaking else 0.75) * (0.6 + 0.4 * last.confidence),
        detail={"reason": reason, "call_end": round(end, 3),
                "citizen_start": round(last.start, 3), "citizen_end": round(last.end, 3),
                "gap_seconds": round(max(0.0, end - last.end), 3),
                "question": is_question(last.text), "text": last.text,
                "window_seconds": options.hangup_window},
    ), veto_exempt="timing")]


def _short(how: str) -> str:
    """How the staff ended the call on the caller, in words (see :func:`cut_short`)."""
    if how == "talked_over":
        return _("the staff ended the call over the citizen's words")
    if how == "cut_off":
        return _("the staff ended the call as the citizen's words broke off")
    return _("the staff ended the call and the citizen was left calling")


def _ends_call(u: Utterance, options: AnalyzerOptions | None) -> bool:
    from analyzer.text.normalize import to_simplified

    if ENDS_CALL.search(to_simplified(u.text)):
        return True
    if options is None:
        return False
    from analyzer.rules.acts import heard_acts

    heard = heard_acts([u.text], options)
    return bool(heard and "end_call" in heard[0])


def cut_short(utts: Sequence[Utterance], options: AnalyzerOptions | None = None
              ) -> tuple[str, Utterance, Utterance] | None:
    """The staff ending the call on a caller still speaking: (reason, closing words, caller's).

    See the module docstring; ``reason`` is ``talked_over``, ``cut_off`` or
    ``left_calling``. None when the call ended otherwise.
    """
    from analyzer.rules.acoustics import speech_chars
    from analyzer.text.normalize import to_simplified

    staff = [u for u in utts if u.speaker == "staff" and u.text.strip()]
    citizen = [u for u in utts if u.speaker == "citizen" and u.text.strip()]
    if not staff or not citizen or not _ends_call(staff[-1], options):
        return None
    close = staff[-1]
    later = [c for c in citizen if c.start >= close.end - 1e-6]
    if later:
        if all(CALLING_ON.search(to_simplified(c.text).strip()) for c in later):
            return "left_calling", close, later[-1]
        return None  # the conversation went on after the closing words
    over = [c for c in citizen if c.start < close.start < c.end
            and speech_chars(c.text) >= CUT_MIN_CHARS]
    if over and not _takes_leave(over[-1].text):
        return "talked_over", close, over[-1]
    before = [u for u in utts if u.end <= close.start + 1e-6 and u.text.strip()]
    if before and before[-1].speaker == "citizen" and CUT_OFF.search(before[-1].text.strip()) \
            and speech_chars(before[-1].text) >= CUT_MIN_CHARS \
            and not (AGREED.match(to_simplified(before[-1].text).strip()) and FAREWELL.search(to_simplified(close.text))):
        return "cut_off", close, before[-1]
    return None


def _reason(
    interaction: Interaction, utts: list[Utterance], last: Utterance, end: float,
    options: AcousticOptions,
) -> str | None:
    """``citizen_speaking``, ``after_question`` or None."""
    if interaction.duration is not None and last.end >= end - END_SLACK:
        return "citizen_speaking"
    staff_after = any(u.speaker == "staff" and u.end > last.end for u in utts)
    if not staff_after and end - last.end <= options.hangup_window and is_question(last.text):
        return "after_question"
    return None


def _farewell(hits: Sequence[Hit], end: float, options: AcousticOptions) -> bool:
    """True when a staff farewell (a ``leaving`` rule hit) was said near the end."""
    since = end - options.farewell_lookback
    return any(
        h.speaker == "staff" and h.rule.context == "leaving" and h.end >= since for h in hits
    )
