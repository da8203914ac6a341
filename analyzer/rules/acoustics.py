"""Article 6 and 8 measures heard in the timing and the loudness of speech.

* ``A6-SHOUT`` (:func:`loudness_findings`, audio only): a staff utterance is
  far louder than the staff's own median utterance level in the same call
  (``shout_over_median_db``) **and** above an absolute level
  (``shout_min_dbfs``). Both conditions: a quiet microphone makes nobody a
  shouter, and a loud microphone alone is not shouting.
* ``A6-RATE`` (:func:`timing_findings`): staff speech rate in characters per
  minute outside ``[min_chars_per_minute, max_chars_per_minute]``, judged only
  when the staff spoke for at least ``rate_min_seconds``.
* ``A8-IGNORE`` (:func:`timing_findings`): the citizen spoke and the staff
  said nothing for ``ignore_seconds`` or more (time the citizen spends
  talking again is not counted as waiting). A typed transcript carries no
  audio: its silences are not evidence (the clerk may be processing papers),
  so there it takes the transcript saying so — the citizen calling for
  attention again (你好？ 同志？ a question repeated; once the clerk has
  taken the citizen up, only hailing her by address counts: a question may
  go to a companion or be the citizen's own next one) after a wait of
  ``ignore_typed_seconds`` with no staff word in between, unless the clerk,
  having taken the citizen up, ends the wait saying she was occupied
  (正忙着, 稍等: :func:`_at_work`).

Rule ids, articles, titles and points come from the lexicon's ``measure``
rules; a rule disabled by a local lexicon is not measured.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.i18n import gettext as _
from analyzer.options import AcousticOptions
from analyzer.types import Finding, Interaction, Utterance

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon, Rule


LEVEL_FRAME_SECONDS = 0.05  #: loudness frame
LEVEL_TOP_SHARE = 0.5  #: an utterance's level is the mean power of its loudest half of frames


def measure_rule(lexicon: Lexicon, rule_id: str) -> Rule | None:
    """The lexicon's rule ``rule_id``, or None when it is absent or disabled."""
    try:
        return lexicon.get(rule_id)
    except KeyError:
        return None


def measure_finding(
    rule: Any, kind: str, speaker: str, start: float | None, end: float | None,
    evidence: str, confidence: float, detail: dict[str, Any],
) -> Finding:
    """Build a finding of a measure rule (shared by acoustics and hang-up)."""
    return Finding(
        rule=rule.id,
        article=rule.article,
        kind=kind,
        canonical=rule.canonical or rule.shown_title(),
        speaker=speaker,
        start=start,
        end=end,
        evidence=evidence,
        confidence=round(max(0.0, min(1.0, confidence)), 4),
        points=rule.points,
        detail={**detail, "group": rule.group},
    )


def speech_chars(text: str) -> int:
    """Spoken characters of ``text``: hanzi, letters and digits (no punctuation, no fillers)."""
    from analyzer.text.normalize import normalize

    return sum(1 for ch in normalize(text) if ch.isalnum())


def speaking_seconds(u: Utterance) -> float:
    """Time actually spoken in ``u``: first to last word when words are known."""
    if u.words:
        return max(0.0, u.words[-1].end - u.words[0].start)
    return max(0.0, u.end - u.start)


def utterance_level(samples: np.ndarray, sample_rate: int, start: float, end: float) -> float | None:
    """Active level of ``samples[start:end]`` in dBFS RMS (loudest half of 50 ms frames).

    Returns None when the span holds less than one frame.
    """
    a, b = int(max(0.0, start) * sample_rate), int(max(0.0, end) * sample_rate)
    x = np.asarray(samples[a:b], dtype=np.float64)
    n = int(LEVEL_FRAME_SECONDS * sample_rate)
    if n <= 0 or x.size < n:
        return None
    frames = x[: x.size - x.size % n].reshape(-1, n)
    frames = frames - frames.mean(axis=1, keepdims=True)
    power = np.sort(np.mean(frames**2, axis=1))[::-1]
    top = power[: max(1, int(np.ceil(power.size * LEVEL_TOP_SHARE)))]
    return float(10.0 * np.log10(top.mean() + 1e-12))


def loudness_findings(
    samples: np.ndarray,
    sample_rate: int,
    utterances: Sequence[Utterance],
    options: AcousticOptions,
    lexicon: Lexicon,
) -> list[Finding]:
    """``A6-SHOUT``: staff utterances far louder than the staff's own median.

    Args:
        samples: Mono float32 audio of the staff's microphone (the staff
            channel of a stereo recording, or the mono recording).
        sample_rate: Its rate in Hz.
        utterances: The interaction's utterances (only ``staff`` ones are judged;
            those at least ``shout_min_seconds`` long).
        options: Acoustic thresholds.
        lexicon: The loaded lexicon (for the ``A6-SHOUT`` rule).

    Returns:
        One finding per shouted utterance, with the measured level, the
        staff's median and both thresholds in ``detail``.
    """
    return shout_findings(staff_levels(samples, sample_rate, utterances, options), options, lexicon)


def staff_levels(
    samples: np.ndarray, sample_rate: int, utterances: Sequence[Utterance], options: AcousticOptions
) -> list[tuple[Utterance, float]]:
    """Active level (dBFS) of each staff utterance at least ``shout_min_seconds`` long."""
    levels: list[tuple[Utterance, float]] = []
    for u in utterances:
        if u.speaker != "staff" or u.end - u.start < options.shout_min_seconds:
            continue
        level = utterance_level(samples, sample_rate, u.start, u.end)
        if level is not None:
            levels.append((u, level))
    return levels


def shout_findings(
    levels: Sequence[tuple[Utterance, float]], options: AcousticOptions, lexicon: Lexicon
) -> list[Finding]:
    """``A6-SHOUT`` from measured staff levels (the stream measures them as it goes)."""
    rule = measure_rule(lexicon, "A6-SHOUT")
    if rule is None or len(levels) < max(1, options.shout_min_utterances):
        return []
    median = float(np.median([lv for _, lv in levels]))
    out = []
    for u, level in levels:
        over = level - median
        if over < options.shout_over_median_db or level < options.shout_min_dbfs:
            continue
        margin = min(over - options.shout_over_median_db, level - options.shout_min_dbfs)
        out.append(measure_finding(
            rule, "acoustic", "staff", u.start, u.end,
            evidence=_("%(level).1f dBFS, %(over).1f dB above the staff's median "
                       "%(median).1f dBFS: %(text)s", level=level, over=over, median=median,
                       text=u.text),
            confidence=(0.6 + 0.4 * min(1.0, margin / 6.0)) * (1.0 if u.speaker_known else 0.8),
            detail={"level_dbfs": round(level, 2), "median_dbfs": round(median, 2),
                    "over_median_db": round(over, 2),
                    "threshold_over_median_db": options.shout_over_median_db,
                    "threshold_dbfs": options.shout_min_dbfs, "text": u.text,
                    "staff_utterances": len(levels)},
        ))
    return out


def timing_findings(
    interaction: Interaction, options: AcousticOptions, lexicon: Lexicon
) -> list[Finding]:
    """``A6-RATE`` (speech rate) and ``A8-IGNORE`` (ignoring) from the transcript's times.

    Args:
        interaction: The interaction (typed transcript or recognised speech).
        options: Acoustic thresholds.
        lexicon: The loaded lexicon (for the measure rules).

    Returns:
        The findings, in time order.
    """
    return [*rate_findings(interaction, options, lexicon),
            *ignore_findings(interaction, options, lexicon)]


def rate_findings(interaction: Interaction, options: AcousticOptions, lexicon: Lexicon) -> list[Finding]:
    """``A6-RATE``: the staff's characters per minute over the whole interaction."""
    rule = measure_rule(lexicon, "A6-RATE")
    staff = [u for u in interaction.utterances if u.speaker == "staff" and u.text.strip()]
    if rule is None or not staff:
        return []
    seconds = sum(speaking_seconds(u) for u in staff)
    if seconds < options.rate_min_seconds:
        return []
    chars = sum(speech_chars(u.text) for u in staff)
    rate = 60.0 * chars / seconds
    low, high = options.min_chars_per_minute, options.max_chars_per_minute
    if low <= rate <= high:
        return []
    side = "slow" if rate < low else "fast"
    off = (low - rate) / low if rate < low else (rate - high) / high
    return [measure_finding(
        rule, "acoustic", "staff", staff[0].start, staff[-1].end,
        evidence=_("staff speech rate %(rate).0f characters/minute over %(seconds).1f s "
                   "of speech (%(side)s; band %(low).0f-%(high).0f)", rate=rate,
                   seconds=seconds, side=_("slow") if side == "slow" else _("fast"),
                   low=low, high=high),
        confidence=0.6 + 0.4 * min(1.0, off / 0.3),
        detail={"chars_per_minute": round(rate, 1), "chars": chars,
                "speech_seconds": round(seconds, 2), "min_chars_per_minute": low,
                "max_chars_per_minute": high, "direction": side,
                "utterances": len(staff)},
    )]


#: A citizen calling for attention again: a greeting, an address, a question.
_BID_RE = re.compile(r"你好|您好|同志|师傅|大姐|大哥|小姐|小伙子|姑娘|喂|有人吗|在吗|哎|请问|麻烦|劳驾")


def is_typed(interaction: Interaction) -> bool:
    """True for a typed transcript: no utterance carries recognised words or a measured level."""
    return not any(u.words or u.level_dbfs is not None for u in interaction.utterances)


def _calls_again(u: Utterance) -> bool:
    """A citizen utterance asking for the staff's attention (你好？ 同志？ a question)."""
    from analyzer.rules.answers import is_question
    from analyzer.text.normalize import to_simplified

    return bool(_BID_RE.search(to_simplified(u.text))) or is_question(u.text)


def ignore_findings(interaction: Interaction, options: AcousticOptions, lexicon: Lexicon) -> list[Finding]:
    """``A8-IGNORE``: the citizen waited ``ignore_seconds`` for any staff speech.

    An episode starts when a citizen utterance ends with no staff speech
    running, and ends at the next staff speech. Waiting time is the episode
    length minus the citizen's own speaking in it. An episode still open at
    the end of the interaction counts only if the citizen spoke again in it
    (a repeated, unanswered attempt), since a visit may simply end. In a typed
    transcript (:func:`is_typed`) only a repeated call for attention counts
    (the module docstring).
    """
    rule = measure_rule(lexicon, "A8-IGNORE")
    utts = sorted(interaction.utterances, key=lambda u: u.start)
    if rule is None or not any(u.speaker == "staff" for u in utts):
        return []
    typed = is_typed(interaction)
    out = []
    for first, nxt, citizen in _ignore_episodes(utts):
        end = nxt.start if nxt is not None else interaction.end_time
        talk = sum(max(0.0, min(u.end, end) - max(u.start, first.end)) for u in citizen[1:])
        waited = end - first.end - talk
        if typed:
            calls = _hails if _taken_up(utts, first) else _calls_again
            again = [u for u in citizen[1:] if calls(u) and not back_from_errand(u)
                     and u.start - first.end >= options.ignore_typed_seconds]
            if not (_calls_again(first) and again) or _at_work(utts, first, nxt):
                continue
        elif waited < options.ignore_seconds or (nxt is None and len(citizen) < 2):
            continue
        text = " / ".join(u.text for u in citizen)
        out.append(measure_finding(
            rule, "acoustic", "staff", first.start, end,
            evidence=_("no staff reply for %(seconds).1f s after the citizen said: %(text)s",
                       seconds=waited, text=text),
            confidence=(0.6 + 0.4 * min(1.0, (waited - options.ignore_seconds) / 10.0))
            * (1.0 if first.speaker_known else 0.8),
            detail={"silence_seconds": round(waited, 2), "threshold_seconds": options.ignore_seconds,
                    "citizen_end": round(first.end, 3),
                    "staff_reply": None if nxt is None else round(nxt.start, 3),
                    "citizen_utterances": len(citizen),
                    "evidence": "repeated call for attention" if typed else "silence"},
        ))
    return out


#: The clerk saying she was occupied (正忙着, 等一下, 我手上这个弄完): the wait was work, not idleness.
OCCUPIED = re.compile(r"忙|等一下|等一等|稍等|等会|马上就|这就|手上|手头|正在(?:弄|办|录|查|处理)")


def _at_work(utts: Sequence[Utterance], first: Utterance, nxt: Utterance | None) -> bool:
    """True when a typed transcript says the clerk was at work on the citizen's matter through a wait.

    A typed transcript has no sound of the clerk working; her own words when
    she turns back to the citizen (你没看我正忙着吗，等一下; 稍等，我这个马上弄完:
    :data:`OCCUPIED`) say the wait was taken up by work — whatever else they
    are (a forbidden phrase is its own finding) — once she had taken the
    citizen up (a staff word after a citizen one before the wait). A citizen
    never acknowledged at all is ignored, however busy the clerk says she is.
    """
    from analyzer.text.normalize import to_simplified

    if nxt is None or nxt.speaker != "staff" or not OCCUPIED.search(to_simplified(nxt.text)):
        return False
    return _taken_up(utts, first)


def _taken_up(utts: Sequence[Utterance], first: Utterance) -> bool:
    """True when the clerk had taken the citizen up before ``first``: a staff word after a citizen one."""
    before = [u for u in utts if u.end <= first.start]
    return any(u.speaker == "staff" and any(c.speaker == "citizen" and c.end <= u.start for c in before)
               for u in before)


#: A turn that opens by hailing the clerk (同志？ 你好，小伙子 哎，师傅 喂，…): the address comes first.
_HAIL_RE = re.compile(r"^[\s，,。.…！!？?]*(?:(?:哎[呀哟]?|嗨)?[\s，,。.…！!？?]*"
                      r"(?:你好|您好|同志|师傅|大姐|大哥|小姐|小伙子|姑娘|有人吗|在吗|劳驾)|喂)|"
                      # or telling her he is calling her (我问你话呢, 跟你说话呢, 听见没)
                      r"问你(?:话)?呢|跟你说话|(?:听|看)(?:见|到)没|理(?:我|一下)")


def _hails(u: Utterance) -> bool:
    """A citizen turn calling the clerk by address (同志？ 你好，我问你呢), not any question.

    Once the clerk has taken the citizen up, the citizen's further questions
    in a typed transcript may go to a companion (夫妻俩拌嘴: 你自己咋不带？),
    to himself (签哪儿？这儿？ … 签好了), or be a new one after settling the
    last (就这一个啊？那好办 … 那我拿来这个表，下回来就能退了吧？): none
    says he is still waiting on her. Calling her again by address does.
    """
    from analyzer.text.normalize import to_simplified

    return bool(_HAIL_RE.search(to_simplified(u.text)))


#: The citizen back from an errand he was sent on (交完了，这是凭证; 复印好了; 章盖回来了; 拿来了).
_BACK_FROM_ERRAND = re.compile(r"(?:交|缴|复印|打印|盖|拿|取|补|开|填|签|办|弄)(?:完|好|回来|来|齐)了|"
                               r"(?:我|俺)?回来了|这是(?:凭证|收据|发票|回执|证明|复印件)")


def back_from_errand(u: Utterance) -> bool:
    """True when a citizen turn reports him back from an errand (姑娘，交完了，这是凭证).

    In a typed transcript the minutes before it are his absence — paying at
    another window, copying a paper — not the clerk ignoring him: hailing her
    on his return is no call for attention unanswered (session 12, kind from
    train-halls-25).
    """
    from analyzer.text.normalize import to_simplified

    return bool(_BACK_FROM_ERRAND.search(to_simplified(u.text)))


def _ignore_episodes(
    utts: list[Utterance],
) -> list[tuple[Utterance, Utterance | None, list[Utterance]]]:
    """(first citizen utterance, next staff utterance or None, citizen utterances) per episode."""
    episodes: list[tuple[Utterance, Utterance | None, list[Utterance]]] = []
    staff_until = -1.0
    pending: list[Utterance] = []
    for u in utts:
        if u.speaker == "staff":
            if pending:
                episodes.append((pending[0], u, pending))
                pending = []
            staff_until = max(staff_until, u.end)
        elif u.speaker == "citizen" and (pending or u.end > staff_until):
            pending = [*pending, u]
    if pending:
        episodes.append((pending[0], None, pending))
    return episodes
