"""Train the phrase detector (:mod:`analyzer.speech.detector`) on generated speech.

The corpus is ``benchmarks/verify.py --corpus``: counter visits in which a
clerk says every plain lexicon phrase, near-misses and ordinary sentences,
spoken by Kokoro voices at several speeds, under four conditions (clean,
hall, phone, mono), analysed by ``conduct batch`` with every candidate kept
(accepted or rejected, each with its features). Each tried phrase is a row:
its features (:func:`analyzer.speech.detector.heard_features`) and whether
that phrase (or another wording of its group) was really said in a turn
overlapping its stretch, by anyone (who said it is attribution's question):
the lexicon's exact or variant wording of that rule or its group is in the
turn's true text (:func:`said_in`).

Cross-validation leaves one take (voice, speed and sentence frames) out at a
time; the bars are chosen on those held-out predictions only (and, nested, for
each take on the other takes alone: :func:`nested_bars`, the figures a take
gets from bars and a model that never saw it):

* ``accept_probability``: the lowest bar at which accepted candidates are at
  least :data:`ACCEPT_PRECISION` precise;
* ``review_probability``: the lowest bar at or above it at which they are
  :data:`REVIEW_PRECISION` precise (below it a finding waits for an inspector).

Run::

    .venv/bin/python -m analyzer.training.detector CORPUS.jsonl [--write]

``--write`` writes ``models/phrase_detector.json`` and its model card
``models/phrase_detector.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.speech.detector import (
    FEATURES,
    KINDS,
    PhraseDetector,
    Regression,
    clip,
    heard_features,
)
from analyzer.text.lexicon import Lexicon
from analyzer.types import Heard

logger = logging.getLogger("analyzer")

#: Precision of accepted forbidden candidates the accept bar must reach (held-out folds).
ACCEPT_PRECISION = 0.95
#: Precision at which a heard forbidden phrase deducts without review.
REVIEW_PRECISION = 0.99
#: Seconds a tried stretch may lie outside the turn that said it.
SLACK = 0.5
#: The model's regularization (inverse strength, scikit-learn's ``C``).
C = 1.0


@dataclass(frozen=True)
class Row:
    """One tried phrase: features, truth, and where it came from."""

    x: tuple[float, ...]
    said: bool
    take: str
    condition: str
    forbidden: bool


def rows(corpus: Path, lexicon: Lexicon, owed_floor: float = 0.2) -> Iterator[Row]:
    """Every tried phrase of every visit of the corpus (owed phrases under ``owed_floor``,
    ``verify.owed_prefilter``, are left out: the verifier no longer tries them)."""
    with corpus.open(encoding="utf-8") as fh:
        for line in fh:
            visit = json.loads(line)
            take = "/".join(str(t) for t in visit["take"])
            turns = [(a, b, said_in(text, lexicon)) for a, b, _, text in visit["turns"]]
            for u in visit["report"].get("transcript", []):
                for item in u.get("heard", []):
                    h = Heard.from_dict(item)
                    if h.rule not in lexicon or (h.source == "owed"
                                                 and h.similarity < owed_floor):
                        continue  # no longer a candidate (verify.owed_prefilter)
                    rule = lexicon.get(h.rule)
                    feats = heard_features(h, forbidden=rule.kind == "forbidden")
                    said = any(a - SLACK <= h.end and h.start <= b + SLACK
                               and (rule.id in says or rule.group in says)
                               for a, b, says in turns)
                    yield Row(tuple(clip(f, feats[f]) for f in FEATURES), said, take,
                              condition_heard(visit), rule.kind == "forbidden")


def condition_heard(visit: dict[str, Any]) -> str:
    """A visit's condition, with how its line was heard where that was not the 30 s
    int8 hearing (the model's own weights, full windows): ``phone float32`` for a
    phone visit heard with ``asr.phone_compute_type=float32``, ``phone w10`` for one
    heard with ``pack.min_window_seconds=10`` (``phone float32 w10``: both). A visit
    without ``hearing`` (corpora written before it was recorded) was heard int8 with
    full windows."""
    compute, *rest = str(visit.get("hearing") or "int8").split()
    heard = ([] if compute.startswith("int8") else [compute]) + rest
    return " ".join([visit["condition"], *heard])


def said_in(text: str, lexicon: Lexicon) -> set[str]:
    """The rules (and their groups) a turn's true text says: the lexicon's exact
    and variant wordings in it (no fuzzy matching: that is what is being judged)."""
    from analyzer.text.match import match_text

    hits = [h for h in match_text(text, lexicon, "staff") if h.method in ("exact", "variant")]
    return {h.rule.id for h in hits} | {h.rule.group for h in hits}


def fit(data: Sequence[Row], version: str = "") -> PhraseDetector:
    """A logistic regression on standardized features for each kind of rule
    (:data:`~analyzer.speech.detector.KINDS`); a kind whose rows are not both said and
    unsaid gets the regression of all rows."""
    pooled = _regression(data)
    forbidden = [r for r in data if r.forbidden]
    required = [r for r in data if not r.forbidden]
    return PhraseDetector(_regression(forbidden) if _both(forbidden) else pooled,
                          _regression(required) if _both(required) else pooled, version)


def _both(data: Sequence[Row]) -> bool:
    return len({r.said for r in data}) == 2


def _regression(data: Sequence[Row]) -> Regression:
    """One logistic regression on standardized features."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([r.x for r in data], dtype=np.float64)
    y = np.array([r.said for r in data], dtype=np.int64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=1000).fit((x - mean) / scale, y)
    return Regression(tuple(mean.round(6)), tuple(scale.round(6)),
                      tuple(model.coef_[0].round(6)), round(float(model.intercept_[0]), 6))


def predict(model: PhraseDetector, data: Sequence[Row]) -> np.ndarray:
    """The model's probability for each row."""
    return np.array([model.probability(dict(zip(FEATURES, r.x, strict=True))) for r in data])


def cross_validate(data: Sequence[Row]) -> np.ndarray:
    """Held-out probabilities: each take predicted by a model trained on the others."""
    out = np.zeros(len(data))
    for take in sorted({r.take for r in data}):
        train = [r for r in data if r.take != take]
        held = [i for i, r in enumerate(data) if r.take == take]
        model = fit(train)
        out[held] = predict(model, [data[i] for i in held])
    return out


def nested_bars(data: Sequence[Row]) -> dict[str, tuple[float, float]]:
    """Per take, the (accept, review) bars chosen without it: the outer loop of a nested
    cross-validation leaves the take out, the inner one chooses the bars on the other
    takes' held-out predictions (:func:`cross_validate`, :func:`choose_bars`). A take's
    figures at its bars come from thresholds and a model that never saw it. Takes
    whose remaining data has fewer than two takes get no entry."""
    out = {}
    for take in sorted({r.take for r in data}):
        inner = [r for r in data if r.take != take]
        if len({r.take for r in inner}) < 2:
            continue
        out[take] = choose_bars(cross_validate(inner), np.array([r.said for r in inner]))
    return out


def precision_recall(p: np.ndarray, y: np.ndarray, bar: float) -> tuple[float, float]:
    """Precision and recall of accepting every row at or above ``bar``."""
    pick = p >= bar
    tp = int((pick & y).sum())
    return tp / max(1, int(pick.sum())), tp / max(1, int(y.sum()))


def choose_bars(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accept, review) bars from held-out probabilities (every kind: the probability
    is calibrated across kinds, and forbidden rows alone are too few to choose on)."""
    grid = [round(0.05 * k, 2) for k in range(1, 20)]
    accept = next((b for b in grid if precision_recall(p, y, b)[0] >= ACCEPT_PRECISION), 0.95)
    review = next((b for b in grid if b >= accept
                   and precision_recall(p, y, b)[0] >= REVIEW_PRECISION), max(accept, 0.95))
    return accept, review


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve (the probability a said row outranks an unsaid one)."""
    pos, neg = p[y], p[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    ranks = np.argsort(np.argsort(np.concatenate([pos, neg]))) + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def report(data: Sequence[Row], p: np.ndarray, accept: float, review: float) -> dict[str, Any]:
    """Cross-validated figures: overall, per condition, forbidden only."""
    y = np.array([r.said for r in data])
    forb = np.array([r.forbidden for r in data])

    def block(mask: np.ndarray) -> dict[str, Any]:
        pa, ra = precision_recall(p[mask], y[mask], accept)
        pr, rr = precision_recall(p[mask], y[mask], review)
        return {"rows": int(mask.sum()), "said": int(y[mask].sum()),
                "auc": _rounded(auc(p[mask], y[mask])),
                "brier": round(float(((p[mask] - y[mask]) ** 2).mean()), 4) if mask.any() else None,
                "precision_at_accept": round(pa, 3), "recall_at_accept": round(ra, 3),
                "precision_at_review": round(pr, 3), "recall_at_review": round(rr, 3)}

    conditions = sorted({r.condition for r in data})
    cond = np.array([r.condition for r in data])
    return {"all": block(np.ones(len(data), bool)), "forbidden": block(forb),
            "by_condition": {c: block(cond == c) for c in conditions},
            "forbidden_by_condition": {c: block((cond == c) & forb) for c in conditions}}


def _rounded(x: float) -> float | None:
    return None if np.isnan(x) else round(x, 3)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Command line: cross-validate, choose the bars, and (``--write``) write the model."""
    from analyzer.options import AnalyzerOptions
    from analyzer.pipeline import get_lexicon
    from analyzer.resources import data_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="+",
                        help="corpus.jsonl files of benchmarks/verify.py --corpus")
    parser.add_argument("--write", action="store_true", help="write the bundled model and card")
    args = parser.parse_args(argv)
    options = AnalyzerOptions()
    lexicon = get_lexicon(options)
    data = [r for path in args.corpus for r in rows(path, lexicon, options.verify.owed_prefilter)]
    if not data:
        raise SystemExit(f"{', '.join(map(str, args.corpus))}: no tried phrases")
    y = np.array([r.said for r in data])
    held = cross_validate(data)
    accept, review = choose_bars(held, y)
    takes = sorted({r.take for r in data})
    model = fit(data, f"logistic regression, {len(data)} tried phrases, takes {', '.join(takes)}")
    nested = nested_bars(data)
    figures = {"takes": takes, "rows": len(data), "accept_probability": accept,
               "review_probability": review, "cross_validated": report(data, held, accept, review),
               "nested": {t: {"accept": a, "review": r,
                              **report([x for x in data if x.take == t],
                                       held[[x.take == t for x in data]], a, r)["all"]}
                          for t, (a, r) in nested.items()},
               "coefficients": {kind: dict(zip(FEATURES, getattr(model, kind).coef, strict=True))
                                for kind in KINDS}}
    print(json.dumps(figures, indent=1))
    if args.write:
        out = data_path("models", "phrase_detector.json")
        out.write_text(json.dumps(model.to_dict(), indent=1) + "\n", encoding="utf-8")
        (out.parent / "phrase_detector.md").write_text(card(figures, args.corpus),
                                                       encoding="utf-8")
    return figures


def card(figures: dict[str, Any], corpora: Sequence[Path]) -> str:
    """The model card: data, conditions, features, cross-validated figures."""
    cv = figures["cross_validated"]
    lines = [
        "# Phrase detector (`phrase_detector.json`)", "",
        "The second stage of phrase detection from audio (`analyzer/speech/detector.py`): the",
        "probability that a candidate lexicon phrase was said in a staff piece, from what the",
        "verifier measured. A logistic regression on standardized features for each kind",
        "of rule (forbidden; required, i.e. owed), trained by",
        "`python -m analyzer.training.detector CORPUS.jsonl --write`. One regression over",
        "both kinds (until 2026-12-07) read a polite near-miss sharing a forbidden phrase's",
        "words as said (forbidden rows: cross-validated AUC 0.74; apart, see below).", "",
        "## Data", "",
        "Generated speech only (`benchmarks/verify.py --corpus`): counter visits in which the",
        "clerk says every plain lexicon phrase (slots filled) in a sentence frame, polite",
        "near-misses and ordinary sentences, and the citizen says three forbidden phrases;",
        "Kokoro voices (the `bench` extra), analysed by `conduct batch` with every candidate",
        "kept. Conditions: clean stereo; hall (sox reverberation, babble from the next windows",
        "26 dB down); phone (300-3400 Hz, 8 kHz mu-law); mono (both parties on one far-field",
        "microphone, the citizen 4 dB farther, light reverberation).",
        f"Takes (voice/speed, each with its own sentence frames): {', '.join(figures['takes'])}.",
        f"Rows (tried phrases): {figures['rows']}; said: {cv['all']['said']}.",
        "A row is *said* when the rule's exact or variant wording (or its group's) is in the",
        "true text of a turn overlapping the tried stretch. No real recording was used.", "",
        "## Features", "",
        "margin (log-probability per phrase character against the recognizer's text), lead",
        "(over the best overlapping rival; 4 when none), pinyin similarity, text similarity",
        "(1 - edit distance / length), mean word confidence of the stretch, phrase length,",
        "forbidden (kind), nbest and owed (how the candidate arose).", "",
        "| feature | " + " | ".join(f"{k} (standardized)" for k in KINDS) + " |",
        "| --- |" + " ---: |" * len(KINDS),
        *[f"| {f} | " + " | ".join(f"{figures['coefficients'][k][f]:+.3f}" for k in KINDS) + " |"
          for f in FEATURES], "",
        "## Cross-validated figures (leave one take out)", "",
        f"Bars chosen on these held-out predictions: accept at "
        f"{figures['accept_probability']} (precision >= {ACCEPT_PRECISION}), review below "
        f"{figures['review_probability']} (precision >= {REVIEW_PRECISION} above it).", "",
        "| set | rows | said | AUC | Brier | P / R at accept | P / R at review |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    blocks = {"all": cv["all"], "forbidden": cv["forbidden"],
              **{f"all, {c}": b for c, b in cv["by_condition"].items()},
              **{f"forbidden, {c}": b for c, b in cv["forbidden_by_condition"].items()}}
    for name, b in blocks.items():
        lines.append(f"| {name} | {b['rows']} | {b['said']} | {b['auc']} | {b['brier']} | "
                     f"{b['precision_at_accept']} / {b['recall_at_accept']} | "
                     f"{b['precision_at_review']} / {b['recall_at_review']} |")
    if figures.get("nested"):
        lines += ["", "## Nested cross-validation (bars chosen without the take judged)", "",
                  "Each take's rows rated by a model trained on the other takes, at the bars",
                  "a leave-one-take-out cross-validation chose on the other takes alone.", "",
                  "| take | accept / review bar | rows | said | P / R at accept | "
                  "P / R at review |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for take, b in figures["nested"].items():
            lines.append(f"| {take} | {b['accept']} / {b['review']} | {b['rows']} | "
                         f"{b['said']} | {b['precision_at_accept']} / {b['recall_at_accept']} | "
                         f"{b['precision_at_review']} / {b['recall_at_review']} |")
    lines += ["", "## Limits", "",
              "Small: the corpus had to fit the CPU minutes of speech synthesis and analysis",
              "a shared 2-core machine allows (`benchmarks/verify.py --corpus --cap 3`: the",
              "first three visits of each take in every condition, more clean visits for the",
              "first two takes). Four Kokoro voices (its Japanese voices speaking Mandarin",
              "phonemes); the forbidden-only rows are few, so their figures are noisy. More",
              "voices, speeds, real hall audio and phone takes are the next step.",
              "", f"Corpus: {len(corpora)} `corpus.jsonl` file(s) of `benchmarks/verify.py "
              "--corpus`. Finding-level figures per condition, with",
              "verification off and on, and the false forbidden findings on the shared real",
              "clips: `docs/benchmarks/verify.md`.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
