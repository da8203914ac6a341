"""Forced hang-up (Article 7, ``A7-HANGUP``): phone calls only.

A call is flagged when it ends

* while the citizen is still speaking (their last utterance runs to within
  ``END_SLACK`` seconds of the end of the recording; needs the call's
  duration, so typed transcripts without one are judged on the next case
  only), or
* within ``hangup_window`` seconds after a citizen question that the staff
  did not answer (the question is the last utterance of the call),

and the staff gave no farewell (no staff hit of a ``leaving`` rule, such as
"请您慢走,再见", in the last ``farewell_lookback`` seconds), and the citizen
was not taking leave themselves (谢谢, 再见, 拜拜 at the end of their last words).

A question is recognised on the simplified text: a question mark, a final
particle (吗, 呢, 么) or a question word (什么, 怎么, 哪, 多少, 多久, 能不能, ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from analyzer.options import AcousticOptions
from analyzer.rules.acoustics import measure_finding, measure_rule
from analyzer.rules.answers import is_question
from analyzer.types import Finding, Interaction, Utterance

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon
    from analyzer.text.match import Hit


END_SLACK = 0.5  #: s, a last utterance ending this close to the end is cut off
#: The citizen taking leave: a hang-up after this is not forced.
LEAVING_RE = re.compile(r"(再见|拜拜|谢谢|多谢|感谢|好的了|挂了)[\s。.!！…~～]*$")


def _takes_leave(text: str) -> bool:
    from analyzer.text.normalize import to_simplified

    return bool(LEAVING_RE.search(to_simplified(text).strip()))


def hangup_findings(
    interaction: Interaction, hits: Sequence[Hit], lexicon: Lexicon, options: AcousticOptions
) -> list[Finding]:
    """``A7-HANGUP`` for a phone call ended on the citizen without a farewell.

    Args:
        interaction: The call (``channel == "phone"``; others give no finding).
        hits: Lexicon hits of the call (:func:`analyzer.text.match.find_phrases`);
            staff hits of ``leaving`` rules count as a farewell.
        lexicon: The loaded lexicon (for the ``A7-HANGUP`` rule).
        options: Acoustic options (``hangup_window``, ``farewell_lookback``).

    Returns:
        At most one finding, spanning the citizen's last utterance to the end
        of the call.
    """
    rule = measure_rule(lexicon, "A7-HANGUP")
    utts = sorted(interaction.utterances, key=lambda u: u.start)
    citizen = [u for u in utts if u.speaker == "citizen" and u.text.strip()]
    if rule is None or interaction.channel != "phone" or not citizen:
        return []
    last = citizen[-1]
    end = interaction.end_time
    reason = _reason(interaction, utts, last, end, options)
    if reason is None or _takes_leave(last.text) or _farewell(hits, end, options):
        return []
    speaking = reason == "citizen_speaking"
    what = ("the call ended while the citizen was speaking" if speaking else
            f"the call ended {end - last.end:.1f} s after an unanswered citizen question")
    return [measure_finding(
        rule, "hangup", "staff", last.start, end,
        evidence=f"{what}, with no farewell from staff: {last.text}",
        confidence=(0.85 if speaking else 0.75) * (0.6 + 0.4 * last.confidence),
        detail={"reason": reason, "call_end": round(end, 3),
                "citizen_start": round(last.start, 3), "citizen_end": round(last.end, 3),
                "gap_seconds": round(max(0.0, end - last.end), 3),
                "question": is_question(last.text), "text": last.text,
                "window_seconds": options.hangup_window},
    )]


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
