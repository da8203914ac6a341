"""Acoustic verification: hear a lexicon phrase even where the text garbled it.

Whisper base writes 没看我正忙着吗 as 没看我就忙着吗 and 你的记性真差 as
你的记性盾塔, yet the model still "knows" what was said: scored by forced
alignment against the audio, the said phrase is far more likely than any
unsaid one. This stage runs inside the recognition engine, right after a
window is decoded, on the encoder output already computed (no second
encoder pass), for staff speech only:

1. **Candidates** per staff piece (:meth:`Verifier.plan`, from the text
   alone): stretches whose pinyin resembles a lexicon phrase above a low bar
   (:func:`analyzer.text.match.near_phrases`, ``verify.prefilter``: the
   matcher's bigram search plus every plain wording with at least half its
   syllables in the text, so a one- or two-character error in a 6-13
   character phrase is always considered); phrases found in the beam's other
   hypotheses (``verify.nbest``); and in the first and last staff pieces of a
   recording the greeting and farewell phrases owed there (``verify.owed_turns``).
   A piece without candidates costs nothing more: the encoder output is not
   touched.
2. **Scoring** (:class:`AlignScorer`): the piece's hypothesis with the
   stretch replaced by the phrase, in simplified and in traditional script
   (Whisper base prefers the latter), is scored with CTranslate2's
   ``Whisper.align`` (``text_token_probs``) on the piece's slice of the
   window's encoder output (the batch's own, no second encoder pass), and
   compared with the free hypothesis' own score; each distinct token
   sequence once. The *margin* is the log-probability difference per phrase
   character (0: as likely as what Whisper wrote).
3. **Accepting** (:meth:`Verifier.accept`): the phrase detector
   (:mod:`analyzer.speech.detector`, a calibrated model trained on generated
   speech) turns the margin, the lead over overlapping rivals, the text and
   pinyin similarity and the word confidences into the probability that the
   phrase was said. At least ``verify.accept_probability`` and no overlapping
   phrase of another rule more probable: a :class:`~analyzer.types.Heard`
   item (``accepted``) that the matcher turns into a hit with
   ``method="acoustic"`` where the text did not show the phrase; its
   probability is the finding's, and under ``verify.review_probability`` the
   finding is held for review (:func:`analyzer.pipeline.scoring.hold_uncertain`).
   Every other candidate stays in the report, rejected, with its reason
   (``margin``, ``rival``, ``probability``): the review page lists them under
   "Evidence details".
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.options import AnalyzerOptions, MatchOptions, VerifyOptions
from analyzer.speech.detector import (
    PhraseDetector,
    bundled_detector,
    heard_features,
    mean_confidence,
    text_similarity,
)
from analyzer.text.match import Near, locate, near_phrases
from analyzer.text.normalize import FILLERS, normalize, to_simplified
from analyzer.types import Heard, Word

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon, Rule

logger = logging.getLogger("analyzer")

#: Encoder output frames per second (Whisper: 1500 frames per 30 s window).
ENCODER_FPS = 50
#: Contexts of the phrases owed at the start and at the end of a visit or call.
OPENING_CONTEXTS: tuple[str, ...] = ("counter_greeting", "phone_greeting")
CLOSING_CONTEXTS: tuple[str, ...] = ("leaving",)


@functools.lru_cache(maxsize=1)
def _to_traditional() -> Any:
    import opencc

    return opencc.OpenCC("s2twp")


def to_traditional(text: str) -> str:
    """Simplified to traditional (OpenCC ``s2twp``, the forms Whisper base writes)."""
    return str(_to_traditional().convert(text))


@dataclass(frozen=True)
class Candidate:
    """A phrase that may have been said in a stretch of one piece's text.

    Attributes:
        rule: The lexicon rule.
        phrase: The wording to score (simplified, as said).
        start: First character of the stretch in the piece's text.
        end: One past its last character.
        source: ``pinyin``, ``nbest`` or ``owed``.
        similarity: Pinyin alignment similarity of the stretch to the phrase.
    """

    rule: Rule
    phrase: str
    start: int
    end: int
    source: str
    similarity: float = 0.0


@dataclass(frozen=True)
class Scored:
    """A candidate with its best-scoring script."""

    candidate: Candidate
    margin: float
    phrase_score: float
    hypothesis_score: float


class AlignScorer:
    """Scores texts against encoder output with CTranslate2's forced alignment.

    Args:
        model: The loaded ``faster_whisper.WhisperModel``.
        tokenizer: Its ``faster_whisper.tokenizer.Tokenizer`` (Mandarin, transcribe).
    """

    def __init__(self, model: Any, tokenizer: Any) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.start = [*tokenizer.sot_sequence, tokenizer.no_timestamps]

    def encode(self, text: str) -> list[int]:
        """Text tokens of ``text``."""
        return list(self.tokenizer.encode(text)) if text else []

    def token_logprobs(self, encoded: np.ndarray, sequences: Sequence[list[int]]) -> list[np.ndarray]:
        """Log-probability of every token of each sequence given the audio.

        Args:
            encoded: One piece's encoder output, ``[frames, d_model]``.
            sequences: Text token sequences (no special tokens).
        """
        import ctranslate2

        batch = np.ascontiguousarray(np.broadcast_to(encoded, (len(sequences), *encoded.shape)))
        features = ctranslate2.StorageView.from_array(batch)
        results = self.model.model.align(features, self.start, [list(s) for s in sequences],
                                         2 * encoded.shape[0])
        return [np.log(np.maximum(np.asarray(r.text_token_probs, dtype=np.float64), 1e-12))
                for r in results]


def host_array(encoded: Any) -> np.ndarray:
    """A CTranslate2 ``StorageView`` of encoder output as a host numpy array."""
    try:
        return np.asarray(encoded)
    except Exception:  # on a GPU: copy to the host first
        import ctranslate2

        return np.asarray(encoded.to_device(ctranslate2.Device.cpu))


class Verifier:
    """Candidate search and acceptance for one lexicon and one set of options.

    Build it with :func:`get_verifier`; it is shared by every thread.

    Args:
        lexicon: The loaded lexicon.
        options: Verification options.
        match: Matching options (the speaker weights and slot length).
        detector: The acceptance model (None: the bundled one).
    """

    def __init__(self, lexicon: Lexicon, options: VerifyOptions, match: MatchOptions,
                 detector: PhraseDetector | None = None) -> None:
        self.lexicon = lexicon
        self.options = options
        self.match = match
        self.detector = detector or bundled_detector()
        rules = [r for r in lexicon.rules if r.kind == "required" and r.role in ("staff", "any")]
        self.opening = tuple(r for r in rules if r.context in OPENING_CONTEXTS)
        self.closing = tuple(r for r in rules if r.context in CLOSING_CONTEXTS)
        #: (first, last) for every piece it verifies; None: from the piece's
        #: place among the recording's staff pieces.
        self.scope: tuple[bool, bool] | None = None

    def scoped(self, *, first: bool, last: bool) -> Verifier:
        """This verifier with the owed phrases fixed for every piece (the stream's use).

        The stream recognises one utterance at a time and cannot know which
        is a visit's last: it asks for greetings until the clerk has spoken
        and never for farewells (a farewell tried on every turn would be
        "heard" where none was said).
        """
        import copy

        out = copy.copy(self)
        out.scope = (first, last)
        return out

    # -- candidates (text only) ---------------------------------------------

    def candidates(self, text: str, alternatives: Sequence[str] = (), *, first: bool = False,
                   last: bool = False) -> list[Candidate]:
        """Phrases worth scoring in one staff piece.

        Args:
            text: The piece's 1-best text (as Whisper wrote it).
            alternatives: The same stretch of audio in the beam's other hypotheses.
            first: The piece is among the first staff pieces (owed greetings).
            last: The piece is among the last staff pieces (owed farewells).

        Returns:
            At most ``max_candidates`` candidates, best prefilter similarity
            first, none the text already shows verbatim.
        """
        opts = self.options
        near = near_phrases(text, self.lexicon, kinds=opts.kinds, speaker="staff",
                            min_similarity=opts.prefilter, options=self.match)
        shown = {n.rule.id for n in near if n.exact}
        out = [self._candidate(text, n, "pinyin") for n in near if not n.exact]
        taken = {c.rule.id for c in out} | shown
        for alt in alternatives:
            for n in near_phrases(alt, self.lexicon, kinds=opts.kinds, speaker="staff",
                                  min_similarity=self.match.fuzzy_threshold, options=self.match):
                if n.rule.id not in taken:
                    taken.add(n.rule.id)
                    out += self._located(text, n.rule, "nbest")
        owed = (self.opening if first else ()) + (self.closing if last else ())
        for rule in owed:
            if rule.id not in taken and "required" in opts.kinds:
                taken.add(rule.id)
                out += self._located(text, rule, "owed")
        return out[: opts.max_candidates]

    def _located(self, text: str, rule: Rule, source: str) -> list[Candidate]:
        """The rule's best stretch of ``text`` (an owed phrase's: when it resembles it).

        An owed phrase whose best stretch shares under ``verify.owed_prefilter``
        of its pinyin is not tried: on generated speech no such stretch was the
        phrase said (``models/phrase_detector.md``), and each costs an alignment.
        """
        near = locate(rule, text, self.match)
        floor = self.options.owed_prefilter if source == "owed" else 0.0
        if near is None or near.exact or near.similarity < floor:
            return []
        return [self._candidate(text, near, source)]

    @staticmethod
    def _candidate(text: str, near: Near, source: str) -> Candidate:
        """The candidate of a stretch; a final particle of the phrase takes the text's too."""
        phrase = near.phrase.rstrip("?？!！。.")
        end = near.end
        if phrase and phrase[-1] in FILLERS:
            while end < len(text) and text[end] in FILLERS:
                end += 1
        return Candidate(near.rule, phrase, near.start, end, source, near.similarity)

    # -- scoring -----------------------------------------------------------

    def score(self, scorer: AlignScorer, text: str, encoded: np.ndarray,
              candidates: Sequence[Candidate]) -> list[Scored]:
        """Score each candidate (both scripts) against the free hypothesis ``text``.

        Every distinct token sequence is aligned once: candidates of one piece
        mostly share the free hypothesis' tokens, and a phrase's traditional
        form is often its simplified one.
        """
        index: dict[tuple[int, ...], int] = {}
        layout: list[tuple[int, int, list[int]]] = []  # (prefix tokens, free, variants)

        def seq(tokens: list[int]) -> int:
            return index.setdefault(tuple(tokens), len(index))

        for c in candidates:
            prefix, suffix = scorer.encode(text[: c.start]), scorer.encode(text[c.end :])
            free = seq(prefix + scorer.encode(text[c.start : c.end]) + suffix)
            scripts = dict.fromkeys((c.phrase, to_traditional(c.phrase)))
            layout.append((len(prefix), free,
                           [seq(prefix + scorer.encode(v) + suffix) for v in scripts]))
        if not index:
            return []
        logp = scorer.token_logprobs(encoded, [list(t) for t in index])
        out = []
        for c, (n, free, variants) in zip(candidates, layout, strict=True):
            hyp = float(logp[free][n:].sum())
            best = max(float(logp[k][n:].sum()) for k in variants)
            chars = max(1, len(normalize(c.phrase)))
            out.append(Scored(c, (best - hyp) / chars, best, hyp))
        return out

    def accept(self, scored: Sequence[Scored], words: Sequence[Word], text: str) -> list[Heard]:
        """Every candidate rule's best stretch, accepted or rejected with its reason.

        The detector (:mod:`analyzer.speech.detector`) gives each its
        probability; a candidate is heard when that is at least
        ``verify.accept_probability`` and no overlapping phrase of another
        rule is more probable. Rejected candidates are returned too
        (``accepted=False``, ``reason``): the report keeps what was tried.
        """
        best: dict[str, Scored] = {}
        for s in scored:  # one stretch per rule: its best-scoring one
            if s.candidate.rule.id not in best or s.margin > best[s.candidate.rule.id].margin:
                best[s.candidate.rule.id] = s
        return settle([self._rated(s, list(best.values()), words, text) for s in best.values()])

    def _rated(self, s: Scored, others: Sequence[Scored], words: Sequence[Word], text: str
               ) -> Heard:
        """A candidate as a :class:`Heard` item with the detector's probability and verdict."""
        c, opts = s.candidate, self.options
        rivals = [r for r in others if r.candidate.rule.id != c.rule.id
                  and _overlap(r.candidate, c)]
        rival = max(rivals, key=lambda r: r.margin, default=None)
        said = text[c.start : c.end]
        start, end = _span_times(words, c.start, c.end, len(text))
        heard = Heard(
            rule=c.rule.id, phrase=c.phrase, start=start, end=end, evidence=said,
            margin=round(s.margin, 4), confidence=0.0,
            phrase_score=round(s.phrase_score, 4), hypothesis_score=round(s.hypothesis_score, 4),
            competitor=rival.candidate.phrase if rival else "",
            competitor_margin=round(rival.margin, 4) if rival else None, source=c.source,
            similarity=round(c.similarity, 4),
            text_similarity=round(text_similarity(normalize(said), normalize(c.phrase)), 4),
            word_confidence=round(mean_confidence(
                [w.probability for w in _span_words(words, c.start, c.end)]), 4))
        p = self.detector.probability(heard_features(heard, forbidden=c.rule.kind == "forbidden"))
        reason = ("margin" if s.margin < opts.min_margin
                  else "probability" if p < opts.accept_probability else "")
        return replace(heard, confidence=round(p, 4), accepted=not reason, reason=reason)

    def plan(self, words: Sequence[Word], alternatives: Sequence[str] = (), *,
             first: bool = False, last: bool = False) -> Plan | None:
        """What to score in one staff piece, from its text alone (None: nothing).

        The engine asks this first and touches the encoder output only for a
        piece that has candidates (most have none).
        """
        text = "".join(w.text for w in words).strip()
        if not text:
            return None
        if len(to_simplified(text)) != len(text):
            text = to_simplified(text)  # keep one character per position
        found = self.candidates(text, alternatives, first=first, last=last)
        return Plan(text, tuple(words), tuple(found)) if found else None

    def hear(self, scorer: AlignScorer, plan: Plan, encoded: np.ndarray) -> list[Heard]:
        """Score a plan's candidates on the piece's encoder output; each accepted or rejected."""
        return self.accept(self.score(scorer, plan.text, encoded, plan.candidates), plan.words,
                           plan.text)

    def verify(self, scorer: AlignScorer, words: Sequence[Word], encoded: np.ndarray,
               alternatives: Sequence[str] = (), *, first: bool = False,
               last: bool = False) -> list[Heard]:
        """Phrases tried in one staff piece: :meth:`plan`, then :meth:`hear`.

        Args:
            scorer: The engine's aligner.
            words: The piece's recognised words (recording times).
            encoded: The piece's slice of the window's encoder output.
            alternatives: The piece's text in the beam's other hypotheses.
            first: Among the recording's first staff pieces.
            last: Among its last staff pieces.

        Returns:
            Every candidate rule's best stretch: heard (``accepted``) or
            rejected with its reason.
        """
        plan = self.plan(words, alternatives, first=first, last=last)
        return [] if plan is None else self.hear(scorer, plan, encoded)


@dataclass(frozen=True)
class Plan:
    """One staff piece's candidates, ready to score.

    Attributes:
        text: The piece's text (simplified, one character per position).
        words: Its recognised words.
        candidates: What to score.
    """

    text: str
    words: tuple[Word, ...]
    candidates: tuple[Candidate, ...]


def settle(tried: Sequence[Heard]) -> list[Heard]:
    """The rival rule: of overlapping accepted phrases of different rules, only the most
    probable stays heard (the others: ``reason="rival"``); nested phrases do not compete.

    One place for it: :meth:`Verifier.accept` and the benchmark's re-rating use it.
    """
    out = []
    for h in tried:
        if h.accepted and any(
                o.accepted and o.confidence > h.confidence and o.rule != h.rule
                and o.start < h.end and h.start < o.end and not _nested(o.phrase, h.phrase)
                for o in tried):
            h = replace(h, accepted=False, reason="rival")
        out.append(h)
    return out


def _overlap(a: Candidate, b: Candidate) -> bool:
    """Two candidates claim the same characters (nested phrases do not compete)."""
    return a.start < b.end and b.start < a.end and not _nested(a.phrase, b.phrase)


def _nested(a: str, b: str) -> bool:
    """One phrase contains the other (请您稍等 / 请您稍等一下: both may be true)."""
    na, nb = normalize(a), normalize(b)
    return na in nb or nb in na


def _span_words(words: Sequence[Word], start: int, end: int) -> list[Word]:
    """The words holding text characters ``[start, end)``."""
    pos, out = 0, []
    for w in words:
        a, b = pos, pos + len(w.text.strip())
        pos = b
        if b > start and a < end:
            out.append(w)
    return out


def _span_times(words: Sequence[Word], start: int, end: int, length: int) -> tuple[float, float]:
    """Times of text characters ``[start, end)`` from the words they belong to."""
    pos, first, last = 0, None, None
    for w in words:
        a, b = pos, pos + len(w.text.strip())
        pos = b
        if b > start and a < end:
            first = w if first is None else first
            last = w
    if first is None or last is None:
        if not words:
            return 0.0, 0.0
        t0, t1 = words[0].start, words[-1].end
        return (round(t0 + (t1 - t0) * start / max(1, length), 3),
                round(t0 + (t1 - t0) * end / max(1, length), 3))
    return first.start, last.end


def piece_slice(encoded: np.ndarray, offset: float, seconds: float, pad: float) -> np.ndarray:
    """The encoder frames of a piece at ``offset`` in its window, ``pad`` seconds either side."""
    lo = max(0, int((offset - pad) * ENCODER_FPS))
    hi = min(encoded.shape[0], int(np.ceil((offset + seconds + pad) * ENCODER_FPS)))
    return encoded[lo:max(hi, lo + 1)]


def get_verifier(options: AnalyzerOptions, lexicon: Lexicon | None = None) -> Verifier | None:
    """The verifier these options describe (None when verification is off).

    Args:
        options: The analyzer options (``verify``, ``match``, ``lexicon``).
        lexicon: The loaded lexicon, when the caller has one (else loaded
            from ``options.lexicon``).

    Built once per lexicon (kept on it, as the matcher is) and options.
    """
    if not options.verify.enabled:
        return None
    if lexicon is None:
        from analyzer.text.lexicon import load_lexicon

        lexicon = load_lexicon(options.lexicon)
    key = ("verifier", options.verify, options.match)
    verifier = lexicon.cache.get(key)
    if verifier is None:
        verifier = lexicon.cache.setdefault(key, Verifier(lexicon, options.verify, options.match))
    assert isinstance(verifier, Verifier)
    return verifier
