"""The phrase detector: how probable it is that a candidate phrase was said (one job).

The second stage of phrase detection from audio. The first stage
(:meth:`analyzer.speech.verify.Verifier.candidates`) proposes stretches of a
staff piece that may be a garbled lexicon phrase and scores each against the
audio (forced alignment, :class:`analyzer.speech.verify.AlignScorer`). This
module turns what is known about a candidate into one calibrated probability:

* ``margin``: log-probability per phrase character of the text with the
  phrase in place minus the recognizer's own text (0: as likely);
* ``lead``: that margin minus the best overlapping candidate of another rule
  (:data:`NO_RIVAL_LEAD` when there is none);
* ``similarity``: pinyin alignment similarity of the stretch to the phrase;
* ``text_similarity``: 1 minus the character edit distance over the phrase's length;
* ``word_confidence``: the recognizer's mean word probability over the stretch
  (a garbled stretch is often an unsure one);
* ``chars``: the phrase's length (a long phrase's margin is steadier);
* ``forbidden``, ``nbest``, ``owed``: the rule's kind and how the candidate arose.

The model is a logistic regression on standardized features for each kind of
rule (:data:`KINDS`): a forbidden phrase is proposed by the text alone, an owed
one also because the window owes it, and one regression over both read a polite
near-miss that shares a forbidden phrase's words (我们五点下班，您明天上午来也行
for 下班了,明天再来) as said, at 0.95 in a hall: its rows of owed phrases taught
that a long phrase with a low margin is often said (forbidden rows, left out
by take: AUC 0.74 with one regression, 0.92 apart; ``models/phrase_detector.md``).
Trained on generated
speech across voices, speeds and recording conditions by
:mod:`analyzer.training.detector`; its coefficients are a small JSON file
(``analyzer/_data/models/phrase_detector.json``) beside its model card
(``phrase_detector.md``). The speaker's confidence is not a feature: it is
not known when the audio is verified, and a finding on words of an unsure
speaker is held for review by the scoring core in any case
(:func:`analyzer.pipeline.scoring.hold_uncertain`).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analyzer.errors import ModelError
from analyzer.types import Heard

#: The features, in the order of the model's coefficients.
FEATURES: tuple[str, ...] = ("margin", "lead", "similarity", "text_similarity",
                             "word_confidence", "chars", "forbidden", "nbest", "owed")
#: ``lead`` when no candidate of another rule overlaps the stretch.
NO_RIVAL_LEAD = 4.0
#: Features are clipped to these ranges before the model reads them.
CLIPS: dict[str, tuple[float, float]] = {"margin": (-8.0, 2.0), "lead": (-4.0, NO_RIVAL_LEAD),
                                         "chars": (0.0, 20.0)}
#: The bundled model (under ``analyzer/_data/models``).
MODEL_FILE = "phrase_detector.json"


#: The kinds of rule with a regression of their own: ``forbidden``, and ``required``
#: (every other kind: owed phrases).
KINDS: tuple[str, ...] = ("forbidden", "required")


@dataclass(frozen=True)
class Regression:
    """A logistic regression over :data:`FEATURES` (standardized by ``mean`` and ``scale``).

    Attributes:
        mean: Per-feature mean of the training data.
        scale: Per-feature standard deviation of the training data.
        coef: Per-feature coefficient.
        intercept: The model's intercept.
    """

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, features: Mapping[str, float]) -> float:
        """The probability that the candidate's phrase was said, from its features."""
        z = self.intercept
        for name, m, s, c in zip(FEATURES, self.mean, self.scale, self.coef, strict=True):
            z += c * (clip(name, float(features[name])) - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def to_dict(self) -> dict[str, object]:
        """The JSON form written by the trainer."""
        return {"mean": list(self.mean), "scale": list(self.scale), "coef": list(self.coef),
                "intercept": self.intercept}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> Regression:
        """Read the trainer's JSON form of one regression."""
        return cls(tuple(_floats(d, "mean")), tuple(_floats(d, "scale")), tuple(_floats(d, "coef")),
                   float(d["intercept"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class PhraseDetector:
    """One :class:`Regression` per kind of rule (:data:`KINDS`).

    Attributes:
        forbidden: The regression of forbidden phrases.
        required: The regression of every other kind (owed phrases).
        version: What the model was trained on (the model card's id).
    """

    forbidden: Regression
    required: Regression
    version: str = ""

    def probability(self, features: Mapping[str, float]) -> float:
        """The probability that the candidate's phrase was said, from its features (the
        ``forbidden`` feature picks the regression)."""
        kind = self.forbidden if features["forbidden"] >= 0.5 else self.required
        return kind.probability(features)

    def to_dict(self) -> dict[str, object]:
        """The JSON form written by the trainer."""
        return {"features": list(FEATURES), "forbidden": self.forbidden.to_dict(),
                "required": self.required.to_dict(), "version": self.version}

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> PhraseDetector:
        """Read the trainer's JSON form (its feature list must be :data:`FEATURES`, with a
        regression for each of :data:`KINDS`)."""
        if list(d.get("features", [])) != list(FEATURES):  # type: ignore[call-overload]
            raise ModelError(f"phrase detector: expected features {list(FEATURES)}, "
                             f"got {d.get('features')}")
        kinds = [d.get(k) for k in KINDS]
        if not all(isinstance(k, Mapping) for k in kinds):
            raise ModelError(f"phrase detector: a regression for each of {list(KINDS)} expected")
        forbidden, required = (Regression.from_dict(k) for k in kinds)  # type: ignore[arg-type]
        return cls(forbidden, required, str(d.get("version", "")))


def _floats(d: Mapping[str, object], key: str) -> list[float]:
    values = d.get(key)
    if not isinstance(values, list) or len(values) != len(FEATURES):
        raise ModelError(f"phrase detector: {key} must list {len(FEATURES)} numbers")
    return [float(v) for v in values]


def clip(name: str, value: float) -> float:
    """A feature value inside its :data:`CLIPS` range."""
    lo, hi = CLIPS.get(name, (-math.inf, math.inf))
    return min(hi, max(lo, value))


def heard_features(heard: Heard, *, forbidden: bool) -> dict[str, float]:
    """A tried phrase's features, from its :class:`~analyzer.types.Heard` item alone.

    The verifier rates a candidate this way, and the trainer reads the same
    items back from reports, so training and use cannot drift apart.
    """
    from analyzer.text.normalize import normalize

    lead = NO_RIVAL_LEAD if heard.competitor_margin is None else \
        heard.margin - heard.competitor_margin
    return {"margin": heard.margin, "lead": lead, "similarity": heard.similarity,
            "text_similarity": heard.text_similarity, "word_confidence": heard.word_confidence,
            "chars": float(len(normalize(heard.phrase))), "forbidden": float(forbidden),
            "nbest": float(heard.source == "nbest"), "owed": float(heard.source == "owed")}


def text_similarity(said: str, phrase: str) -> float:
    """1 minus the character edit distance of ``said`` to ``phrase``, over the phrase's length."""
    if not phrase:
        return 0.0
    prev = list(range(len(said) + 1))
    for i, a in enumerate(phrase, 1):
        cur = [i] + [0] * len(said)
        for j, b in enumerate(said, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b))
        prev = cur
    return max(0.0, 1.0 - prev[-1] / len(phrase))


def mean_confidence(probabilities: Sequence[float]) -> float:
    """The mean of word probabilities (1.0 for none)."""
    return sum(probabilities) / len(probabilities) if probabilities else 1.0


@functools.lru_cache(maxsize=1)
def bundled_detector() -> PhraseDetector:
    """The model shipped in the package (``analyzer/_data/models/phrase_detector.json``)."""
    from analyzer.resources import data_path

    with data_path("models", MODEL_FILE).open(encoding="utf-8") as fh:
        return PhraseDetector.from_dict(json.load(fh))
