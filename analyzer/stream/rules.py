"""The live rules: what a call shows before it ends, as events.

A live line tells its supervisor as soon as something is known: each ring
(:class:`analyzer.speech.rings.ToneTracker` on the channel mix, a ring
counted once its tone has lasted ``RingOptions.confirm_seconds``) and the
``A7-RING`` finding when one more ring than allowed has started, the answer
(staff speech that is not ringback), required phrases and cues heard,
forbidden phrases in a growing utterance's decoding or in ended speech, shouting, and a citizen left
waiting (``A8-IGNORE``). Findings told live are ``provisional``: the final
report (the analysis core's, :func:`analyzer.pipeline.conclude_call`, with the
rules that need the whole call) decides; a breach is told once
(:func:`same_finding`).
A forbidden phrase in a growing utterance is told from one decoding
(:meth:`LiveRules.early`), not after two decodings agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.options import AnalyzerOptions, RingOptions
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.speech.rings import ToneTracker, count_rings
from analyzer.stream.events import (
    AnsweredEvent,
    FindingEvent,
    PhraseEvent,
    RingEvent,
    StreamEvent,
)
from analyzer.stream.frontend import VAD_FRAME, LiveTrack
from analyzer.types import Finding, InteractionReport, RingResult, Utterance, Word

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon
    from analyzer.text.match import Hit


class LiveRules:
    """The rules a live call is judged by as it goes (see the module docstring).

    Args:
        options: Analyzer options (rings, acoustics, context, match, stream).
        lexicon: The loaded lexicon.
        phone: A phone line: rings and the answer are tracked.
        ring_row: The row whose signal holds the ringback (the citizen's track,
            as the file path listens for it; None: the rows mixed).
    """

    def __init__(self, options: AnalyzerOptions, lexicon: Lexicon, phone: bool,
                 ring_row: int | None = None) -> None:
        self.options = options
        self.lexicon = lexicon
        self.sopts = options.stream
        self.ring_row = ring_row
        self.tone = ToneTracker(SAMPLE_RATE, options.rings) if phone else None
        self.rings_counted = 0
        self.answer_time: float | None = None
        self._levels: list[tuple[Utterance, float]] = []
        self._emitted: list[Finding] = []
        self._hit_keys: set[tuple[str, float, float]] = set()

    # -- rings and the answer ----------------------------------------------

    def rings(self, x: np.ndarray, now: float) -> list[StreamEvent]:
        """Rings started in the latest samples ``x`` (``(channels, n)``; ``now``: after them)."""
        if self.tone is None or self.answer_time is not None:
            return []
        if now > self.sopts.max_ring_seconds:
            return []  # nobody answered for minutes: stop listening for rings
        self.tone.feed(x[self.ring_row] if self.ring_row is not None else x.mean(axis=0))
        chain, _ = count_rings(self.tone.frames(), self.tone.hop / SAMPLE_RATE,
                               self._ring_confirm(), now, answered=True)
        return self._counted(chain)

    def _counted(self, chain: Any) -> list[StreamEvent]:
        """Ring events (and the over-limit finding) up to the rings of ``chain``."""
        if chain is None:
            return []
        events: list[StreamEvent] = []
        while self.rings_counted < chain.rings:
            self.rings_counted += 1
            idx = min(self.rings_counted, len(chain.spans)) - 1
            events.append(RingEvent(self.rings_counted, round(float(chain.spans[idx][0]), 3)))
            if self.rings_counted == self.options.rings.max_rings + 1:
                events += self.emit(self._ring_findings(self.rings_counted, chain.spans))
        return events

    def _ring_confirm(self) -> RingOptions:
        """Ring options as the live counter uses them: a ring counts after ``confirm_seconds``."""
        return replace(self.options.rings, min_tone_seconds=self.options.rings.confirm_seconds)

    def _ring_findings(self, rings: int, spans: Sequence[tuple[float, float]]) -> list[Finding]:
        from analyzer.pipeline import ring_findings

        ring = RingResult(rings=rings, source="audio", answer_time=None,
                          ring_spans=[(round(s, 3), round(e, 3)) for s, e in spans], confidence=0.9)
        return ring_findings(ring, self.options, self.lexicon)

    def answer(self, track: LiveTrack, done: Sequence[tuple[int, int]]) -> list[StreamEvent]:
        """Staff speech (finished, or going on long enough) answers a phone call.

        Speech that is mostly ringback tone does not answer it.
        """
        if self.tone is None or self.answer_time is not None or track.speaker != "staff":
            return []
        need = self.sopts.answer_min_speech_ms * SAMPLE_RATE / 1000 / VAD_FRAME
        spans = [(a, b) for a, b in done if b - a >= need]
        if track.seg.start is not None and track.seg.frame - track.seg.start >= need:
            spans.append((track.seg.start, track.seg.frame))
        frames = self.tone.frames()
        for a, b in sorted(spans):
            t0, t1 = a * VAD_FRAME / SAMPLE_RATE, b * VAD_FRAME / SAMPLE_RATE
            inside = (frames.times >= t0) & (frames.times <= t1)
            if inside.any() and frames.tone[inside].mean() > 0.5:
                continue  # the "speech" is the ringback tone
            self.answer_time = t0
            # the rings before the answer, counted as the call's report counts them (a
            # ring cut by the answer is a ring), so every screen shows one number
            chain, _ = count_rings(frames, self.tone.hop / SAMPLE_RATE, self.options.rings,
                                   t0, answered=True)
            return [*self._counted(chain), AnsweredEvent(round(t0, 3), self.rings_counted)]
        return []

    # -- speech ---------------------------------------------------------------

    def phrases(self, utterances: Sequence[Utterance], fresh: Sequence[Utterance] = (),
                told: bool = True) -> list[StreamEvent]:
        """Phrases (required, cues) and forbidden findings newly matched in the transcript so
        far: the lexicon's hits, and the act detector's forbidden paraphrases in the ``fresh``
        utterances (as the file path matches: :func:`paraphrase_hits`).

        ``told`` False: the ``fresh`` utterances are a second hearing of speech whose
        phrases were told already (:mod:`analyzer.stream.again`): only its forbidden
        findings not told yet come out, not its phrases again."""
        from analyzer.rules.context import forbidden_findings
        from analyzer.text.match import find_phrases

        utts = sorted(utterances, key=lambda u: u.start)
        events: list[StreamEvent] = []
        new = []
        hits = find_phrases(utts, self.lexicon, self.options.match)
        for h in [*hits, *paraphrase_hits(utts, fresh, self.lexicon, self.options)]:
            key = (h.rule.id, round(h.start, 2), round(h.end, 2))
            if key in self._hit_keys:
                continue
            self._hit_keys.add(key)
            new.append(h)
            if h.rule.kind != "forbidden" and told:
                events.append(PhraseEvent(h.rule.id, h.rule.kind, h.speaker, round(h.start, 3),
                                          round(h.end, 3), h.evidence, round(h.confidence, 4)))
        return events + self.emit(forbidden_findings(new, utts, self.options.context),
                                  provisional=False, again=not told)

    def early(self, hypothesis: Sequence[Utterance], utterances: Sequence[Utterance],
              again: bool = False) -> list[StreamEvent]:
        """Forbidden phrases in one decoding of a growing utterance, told at once.

        One hypothesis is enough where it shows the phrase word for word (an
        exact or variant match) or the acoustic verifier heard the phrase in
        that decoding's own encoder output (:func:`heard_there`); a looser
        text match (pinyin, fuzzy) waits for the utterance's final recognition.

        Args:
            hypothesis: The decoding's utterances (its words and what was heard).
            utterances: The call's ended utterances so far (the context rules').
            again: The decoding is a peek at an open bin (:mod:`analyzer.stream.again`):
                its findings are told as the second hearing's.
        """
        from analyzer.rules.context import forbidden_findings
        from analyzer.text.match import find_phrases

        if not hypothesis:
            return []
        utts = sorted([*utterances, *hypothesis], key=lambda u: u.start)
        mine = {id(u) for u in hypothesis}
        hits = [h for h in find_phrases(utts, self.lexicon, self.options.match,
                                        kinds=("forbidden",))
                if any(id(utts[i]) in mine for i in h.utterances) and heard_there(h, utts)]
        return self.emit(forbidden_findings(hits, utts, self.options.context), again=again)

    def shout(self, u: Utterance, audio: np.ndarray) -> list[StreamEvent]:
        """``A6-SHOUT`` for a staff utterance far louder than the staff's own median so far.

        Args:
            u: The utterance.
            audio: Its samples on the staff track (as heard, before crosstalk is silenced).
        """
        from analyzer.rules.acoustics import shout_findings, staff_levels

        moved = Utterance(u.speaker, 0.0, audio.size / SAMPLE_RATE, u.text)
        measured = staff_levels(audio, SAMPLE_RATE, [moved], self.options.acoustics)
        if not measured:
            return []
        self._levels.append((u, measured[0][1]))
        latest = [f for f in shout_findings(self._levels, self.options.acoustics, self.lexicon)
                  if f.start == u.start]
        return self.emit(latest)

    def ignoring(self, utterances: Sequence[Utterance], tracks: Sequence[LiveTrack],
                 now: float) -> list[StreamEvent]:
        """``A8-IGNORE`` as soon as the citizen has waited ``ignore_seconds``."""
        from analyzer.rules.acoustics import measure_finding, measure_rule

        limit = self.options.acoustics.ignore_seconds
        rule = measure_rule(self.lexicon, "A8-IGNORE")
        citizen = [u for u in utterances if u.speaker == "citizen"]
        if rule is None or not citizen or not any(u.speaker == "staff" for u in utterances):
            return []
        last = max(citizen, key=lambda u: u.end)
        staff_busy = any(t.speaker == "staff" and t.seg.start is not None for t in tracks)
        replied = any(u.speaker == "staff" and u.end > last.end for u in utterances)
        waited = now - last.end
        if replied or staff_busy or waited < limit:
            return []
        f = measure_finding(rule, "acoustic", "staff", last.start, round(now, 3),
                            evidence=f"no staff reply for {waited:.1f} s so far after the citizen "
                                     f"said: {last.text}",
                            confidence=0.7, detail={"silence_seconds": round(waited, 2),
                                                    "threshold_seconds": limit})
        return self.emit([f])

    # -- findings -------------------------------------------------------------

    def emit(self, findings: Sequence[Finding], provisional: bool = True, again: bool = False
             ) -> list[StreamEvent]:
        """Events for the findings not told yet (see :func:`same_finding`; ``again``: told by
        the second hearing)."""
        out: list[StreamEvent] = []
        for f in findings:
            if any(same_finding(f, e) for e in self._emitted):
                continue
            self._emitted.append(f)
            out.append(FindingEvent(f, provisional, again=again))
        return out

    def final(self, report: InteractionReport) -> list[StreamEvent]:
        """The final report's findings not told live."""
        return [FindingEvent(f, False) for f in report.findings
                if not any(same_finding(f, e) for e in self._emitted)]


def paraphrase_hits(utterances: Sequence[Utterance], fresh: Sequence[Utterance],
                    lexicon: Lexicon, options: AnalyzerOptions) -> list[Hit]:
    """Forbidden rules said in other words in the ``fresh`` utterances: the act
    detector's hits (:func:`analyzer.rules.acts.act_hits`, what the file path adds to the
    lexicon's hits), each utterance read as the file path reads it, indexed into
    ``utterances``."""
    from analyzer.rules.acts import act_hits
    from analyzer.types import Interaction

    out: list[Hit] = []
    for u in fresh:
        i = next((k for k, x in enumerate(utterances) if x is u), None)
        if i is None or u.speaker == "citizen":
            continue
        alone = Interaction(id="live", channel="counter", utterances=[u])
        out += [replace(h, utterances=(i,)) for h in act_hits(alone, [], lexicon, options)
                if h.rule.kind == "forbidden"]
    return out


def heard_there(hit: Hit, utterances: Sequence[Utterance]) -> bool:
    """A hit one decoding can stand behind: the words say the phrase (exact or a
    variant), or the acoustic verifier heard that rule in the hit's stretch."""
    if hit.method in ("exact", "variant", "acoustic"):
        return True
    return any(h.accepted and h.rule == hit.rule.id and h.start < hit.end + 0.5
               and hit.start - 0.5 < h.end
               for i in hit.utterances for h in utterances[i].heard)


def text_of(words: Sequence[Word]) -> str:
    """The words' text, joined."""
    return "".join(w.text for w in words).strip()


def same_finding(a: Finding, b: Finding) -> bool:
    """One breach found twice (a committed partial, then the ended utterance): the
    same rule, with times that overlap or lie within a second of each other."""
    if a.rule != b.rule:
        return False
    a0, b0 = a.start or 0.0, b.start or 0.0
    a1, b1 = a.end if a.end is not None else a0, b.end if b.end is not None else b0
    return min(a1, b1) - max(a0, b0) > -1.0
