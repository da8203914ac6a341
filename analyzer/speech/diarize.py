"""Speaker turns and roles on one microphone (``asr.mono_roles = "auto"``).

A mono counter recording holds both parties. This stage, run by
:mod:`analyzer.speech.attribution` on the recognised utterances:

1. **splits** the channel into speaker-homogeneous pieces: the recognised
   words, cut at every pause of ``attribution.turn_gap`` (a change of
   speaker needs a breath, and Whisper's word times show it);
2. **embeds** each piece offline, with no model download: pitch (median and
   spread of the fundamental, autocorrelation) and spectral shape (the
   cepstrum of Whisper's own log-mel features: 12 coefficients, the vocal
   tract without the level);
3. **clusters** the pieces of the recording into two voices (weighted 2-means
   by speech seconds, scikit-learn's Lloyd iterations and silhouettes written
   out in NumPy: importing scikit-learn cost a batch worker's start 0.7 CPU-s
   idle, 9-13 s on a loaded box, more than loading the Whisper model); when the two
   clusters are not apart (silhouette under
   ``min_separation``) or the second has under ``min_speaker_seconds`` of
   speech, there is one voice;
4. **decides** which voice is the clerk from signals kept in the report
   (``attribution.speakers[].signals``): the ``roles`` text classifier
   (staff-like 您好…/请您… against citizen-like 我想办…/请问…, trained like the
   other classifiers and shipped as ONNX), who opens and who closes the visit
   (the clerk greets and says goodbye), level (the clerk sits nearer the
   microphone) and, where the interaction's clerk has an enrolled voice
   (``conduct staff enroll``, :mod:`analyzer.speech.voices`), which voice
   is nearer it;
5. gives every piece its voice's role and a ``speaker_confidence`` (how
   clearly the piece belongs to its voice, times how sure the role decision
   is); consecutive pieces of one utterance given to one speaker are joined
   back into one utterance.

One voice is the microphone's owner, the clerk, as before (``speaker_known``
stays false). Findings on attributed speech weigh ``speaker_confidence``
(:meth:`analyzer.types.Utterance.attribution_weight`).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from analyzer.options import AttributionOptions, ClassifierOptions
from analyzer.rules.acoustics import utterance_level
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.types import Utterance, Word

logger = logging.getLogger("analyzer")
#: Weights of the role signals (text classifier, opening, closing, level, enrolled
#: voice): the clerk's enrolled voice, where there is one, says most; then the text;
#: who opens and closes and who is louder settle a close call.
ROLE_WEIGHTS = {"text": 4.0, "opens": 0.6, "closes": 0.3, "level": 0.6, "enrolled": 8.0}
#: Pieces shorter than this (s) or with fewer voiced frames get the voice of their
#: neighbour rather than a vote of their own.
_MIN_PIECE_SECONDS = 0.4
_MIN_VOICED = 5
#: A piece's voice confidence never goes below this (it is one of two voices).
_FLOOR = 0.5


@dataclass
class _Piece:
    """A speaker-homogeneous stretch: its words, its features and its voice."""

    utterance: Utterance
    features: np.ndarray | None
    level: float | None
    cluster: int = 0
    sureness: float = 1.0


def pieces(utterances: Sequence[Utterance], gap: float) -> list[tuple[int, Utterance]]:
    """The utterances cut at every pause of ``gap`` seconds between words:
    (index of the utterance, piece)."""
    out = []
    for i, u in enumerate(utterances):
        if not u.words:
            out.append((i, u))
            continue
        run: list[Word] = [u.words[0]]
        for prev, cur in zip(u.words, u.words[1:], strict=False):
            if cur.start - prev.end >= gap:
                out.append((i, u.part(run)))
                run = []
            run.append(cur)
        out.append((i, u.part(run)))
    return out


def pitch(x: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Fundamental frequency (Hz) of the voiced 40 ms frames (10 ms hop), 70-400 Hz.

    YIN's cumulative mean normalised difference (from the autocorrelation):
    the first dip under 0.2 in the lag range, so a frame is not read an
    octave low (the lag twice the period dips as deep).
    """
    n, hop = int(0.04 * sr), int(0.01 * sr)
    if x.size < n:
        return np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), n)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    frames = frames[rms > max(1e-4, 0.1 * float(rms.max(initial=0.0)))]
    if not frames.size:
        return np.zeros(0)
    ac = np.fft.irfft(np.abs(np.fft.rfft(frames, 2 * n, axis=1)) ** 2, axis=1)[:, :n]
    lo, hi = int(sr / 400), int(sr / 70)
    diff = 2.0 * (ac[:, :1] - ac[:, : hi + 1])
    diff[:, 0] = 0.0
    cum = np.cumsum(diff[:, 1:], axis=1) / np.arange(1, hi + 1)
    cmnd = diff[:, 1:] / np.maximum(cum, 1e-12)  # cmnd[:, t - 1] is lag t
    part = cmnd[:, lo - 1 : hi]
    below = part < 0.2
    first = np.where(below.any(axis=1), below.argmax(axis=1), part.argmin(axis=1))
    # walk down to the bottom of the dip the first crossing starts
    for _ in range(8):
        step = np.minimum(first + 1, part.shape[1] - 1)
        better = part[np.arange(part.shape[0]), step] < part[np.arange(part.shape[0]), first]
        if not better.any():
            break
        first = np.where(better, step, first)
    voiced = part[np.arange(part.shape[0]), first] < 0.35
    return sr / (first[voiced] + lo)


@functools.lru_cache(maxsize=1)
def _mel() -> Any:
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80)


@functools.lru_cache(maxsize=1)
def _dct() -> np.ndarray:
    k, n = np.arange(1, 13)[:, None], np.arange(80)[None, :]
    return np.cos(np.pi * k * (2 * n + 1) / 160.0)


def features(x: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray | None:
    """A piece's voice: [median pitch (semitones), pitch spread, 12 cepstral means].

    None when the piece is too short or has too few voiced frames to say.
    """
    if x.size < _MIN_PIECE_SECONDS * sr:
        return None
    f0 = pitch(x, sr)
    if f0.size < _MIN_VOICED:
        return None
    semis = 12.0 * np.log2(f0 / 100.0)
    mel = np.asarray(_mel()(x.astype(np.float32)))  # Whisper's log-mel, 100 frames a second
    loud = mel.mean(axis=0) > mel.mean(axis=0).max() - 2.0
    ceps = _dct() @ mel[:, loud].mean(axis=1)
    q75, q25 = np.percentile(semis, [75, 25])
    return np.concatenate([[np.median(semis), q75 - q25], ceps])


def _standard(x: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Z-scored features, weighted: the median pitch tells voices apart best, the
    twelve cepstral means together about as much again, the pitch spread least.

    ``reference``: the rows whose mean and spread standardize (default ``x``).
    """
    ref = x if reference is None else reference
    z = (x - ref.mean(axis=0)) / np.maximum(ref.std(axis=0), 1e-6)
    return z * np.array([3.0, 0.5] + [0.6] * (x.shape[1] - 2))


def _distances(x: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of ``x``, as scikit-learn's
    ``pairwise_distances`` computes them (``|a|^2 - 2ab + |b|^2``, clipped at 0,
    a zero diagonal)."""
    sq = np.einsum("ij,ij->i", x, x)[:, np.newaxis]
    d = -2.0 * (x @ x.T)
    d += sq
    d += sq.T
    np.maximum(d, 0.0, out=d)
    np.fill_diagonal(d, 0.0)
    return np.sqrt(d)


def _silhouette(d: np.ndarray, labels: np.ndarray, w: np.ndarray) -> float:
    """The pieces' silhouettes on their distances (scikit-learn's
    ``silhouette_samples``), averaged by speech seconds.

    A piece alone in its voice counts as apart from the other voice (1;
    scikit-learn gives such a piece 0, and cannot score two pieces at all):
    one citizen turn in a short visit is still a second voice.
    """
    counts = np.bincount(labels, minlength=2)
    if (counts == 0).any():
        return 0.0
    if len(labels) < 3:
        sil = np.ones(len(labels))
    else:
        rows = np.arange(len(labels))
        sums = np.stack([d[:, labels == k].sum(axis=1) for k in (0, 1)], axis=1)
        own = sums[rows, labels] / np.maximum(counts[labels] - 1, 1)
        other = sums[rows, 1 - labels] / counts[1 - labels]
        with np.errstate(invalid="ignore", divide="ignore"):
            sil = np.nan_to_num((other - own) / np.maximum(own, other))
    sil[counts[labels] == 1] = 1.0
    return float(np.average(sil, weights=w))


#: Lloyd iterations of the 2-means at most (each seeding).
_MAX_ITER = 30


def _two_means(x: np.ndarray, w: np.ndarray, centers: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Weighted Lloyd 2-means from ``centers`` (scikit-learn's ``KMeans(n_clusters=2,
    init=centers, n_init=1, max_iter=30, tol=0)``): each row to the nearest centre
    (``|c|^2 - 2xc``, the first of equals), each centre to its rows' weighted mean,
    until no row changes; a centre left with no row moves to the row farthest from
    its own. Returns each row's cluster and the two centres."""
    centers = centers.astype(np.float64, copy=True)
    labels_old: np.ndarray | None = None
    for _ in range(_MAX_ITER):
        labels = _nearest(x, centers)
        new = _centres(x, w, labels, centers)
        centers = new
        if labels_old is not None and np.array_equal(labels, labels_old):
            return labels, centers
        labels_old = labels
    return _nearest(x, centers), centers


def _nearest(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    dist = np.einsum("ij,ij->i", centers, centers)[np.newaxis, :] - 2.0 * (x @ centers.T)
    return np.argmin(dist, axis=1)


def _centres(x: np.ndarray, w: np.ndarray, labels: np.ndarray, centers: np.ndarray
             ) -> np.ndarray:
    """The weighted mean of each cluster's rows; an empty cluster takes the row
    farthest from its centre (that row leaves its cluster)."""
    weight = np.bincount(labels, weights=w, minlength=2)
    sums = np.stack([(x[labels == k] * w[labels == k, np.newaxis]).sum(axis=0)
                     for k in (0, 1)])
    for k in np.flatnonzero(weight == 0):
        far = int(np.argmax(((x - centers[labels]) ** 2).sum(axis=1)))
        old = labels[far]
        sums[k], weight[k] = x[far] * w[far], w[far]
        sums[old] -= x[far] * w[far]
        weight[old] -= w[far]
    return sums / np.maximum(weight, np.finfo(np.float64).tiny)[:, np.newaxis]


def seedings(x: np.ndarray, w: np.ndarray, d: np.ndarray) -> list[tuple[int, int]]:
    """The pairs of rows the 2-means starts from (distinct rows, in order): the
    farthest pair (``d``: the rows' distances), the lowest and highest first
    feature (pitch), and the farthest pair of the six heaviest rows."""
    seeds = {tuple(int(v) for v in np.unravel_index(int(d.argmax()), d.shape)),
             (int(x[:, 0].argmin()), int(x[:, 0].argmax()))}
    heavy = np.argsort(-w)[: min(len(w), 6)]
    sub = d[np.ix_(heavy, heavy)]
    i, j = np.unravel_index(int(sub.argmax()), sub.shape)
    seeds.add((int(heavy[i]), int(heavy[j])))
    return [(a, b) for a, b in sorted(seeds) if a != b]


def two_voices(x: np.ndarray, w: np.ndarray, min_weight: float = 0.0
               ) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted 2-means of standardized features, the best of a few seedings.

    Weighted 2-means (:func:`_two_means`, weighted by ``w``) from each seeding: the
    farthest pair of rows, the lowest and highest first feature (pitch), and
    the farthest pair of the heaviest rows. The split with the highest
    silhouette (each row's, averaged by weight) whose smaller side weighs at
    least ``min_weight`` wins (any split when none does).

    Returns:
        The cluster of each row, the two centroids, and the mean silhouette
        (how far apart the two voices are, 0-1).
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    d = _distances(x)
    best: tuple[float, bool, np.ndarray, np.ndarray] | None = None
    for a, b in seedings(x, w, d):
        labels, centres = _two_means(x, w, x[[a, b]])
        sil = _silhouette(d, labels, w)
        fits = min(float(w[labels == k].sum()) for k in (0, 1)) >= min_weight
        if best is None or (fits, sil) > (best[1], best[0]):
            best = (sil, fits, labels, centres)
    if best is None:
        return np.zeros(len(x), dtype=int), x[:2].copy(), 0.0
    return best[2], best[3], best[0]


def diarize(utterances: Sequence[Utterance], samples: np.ndarray, sr: int,
            options: AttributionOptions, classifier: ClassifierOptions,
            enrolled: np.ndarray | None = None) -> tuple[list[Utterance], list[dict[str, Any]]]:
    """Speaker turns and roles of a mono recording's utterances.

    Args:
        utterances: The recognised utterances (one track), in time order.
        samples: The track's samples.
        sr: Their rate.
        options: ``turn_gap``, ``min_speaker_seconds``, ``min_separation``.
        classifier: Where the ``roles`` model is.
        enrolled: The features of the interaction's clerk's enrolled voice
            (``Voice.vector()``, :mod:`analyzer.speech.voices`), when there is
            one: the voice nearer it is the clerk (the ``enrolled`` vote).

    Returns:
        The utterances with ``speaker`` and ``speaker_confidence`` set, and
        one record per voice (cluster, role, seconds, pieces, confidence,
        signals) for :class:`~analyzer.speech.attribution.SpeakerInfo`.
    """
    cut = pieces(utterances, options.turn_gap)
    found = [_Piece(p, features(_clip(samples, sr, p), sr),
                    utterance_level(samples, sr, p.start, p.end)) for _, p in cut]
    if not found:
        return [], []
    _cluster(found, options)
    roles, voices = _roles(found, classifier, enrolled)
    one = len(voices) == 1  # the microphone's owner: assumed, as a configured role is
    out = [(i, replace(p.utterance, speaker=roles[p.cluster][0], speaker_known=False,
                       speaker_confidence=1.0 if one
                       else _sure(p.sureness * roles[p.cluster][1])))
           for (i, _), p in zip(cut, found, strict=True)]
    return _join(out), voices


def _sure(x: float) -> float:
    return round(min(0.99, max(_FLOOR, x)), 4)


def _clip(samples: np.ndarray, sr: int, u: Utterance) -> np.ndarray:
    return samples[int(max(0.0, u.start) * sr): int(max(0.0, u.end) * sr)]


def _cluster(found: list[_Piece], options: AttributionOptions) -> None:
    """Give each piece a voice (0 or 1) and how clearly it belongs to it."""
    strong = [p for p in found if p.features is not None]
    if len(strong) < 2:
        return
    x = _standard(np.stack([p.features for p in strong]))
    w = np.array([max(0.2, p.utterance.end - p.utterance.start) for p in strong])
    labels, centres, sil = two_voices(x, w, options.min_speaker_seconds)
    second = min(float(w[labels == k].sum()) for k in (0, 1))
    if sil < options.min_separation or second < options.min_speaker_seconds:
        return
    dist = np.linalg.norm(x[:, None] - centres[None], axis=2)
    for p, k, d in zip(strong, labels, dist, strict=True):
        own, other = float(d[k]) ** 2, float(d[1 - k]) ** 2
        p.cluster, p.sureness = int(k), other / max(own + other, 1e-9)
    last: _Piece | None = None
    for p in found:  # a short piece speaks with the voice of the piece before it
        if p.features is None:
            ref = last or next((q for q in found if q.features is not None), None)
            if ref is not None:
                p.cluster, p.sureness = ref.cluster, 0.8 * ref.sureness
        else:
            last = p


def _roles(found: list[_Piece], classifier: ClassifierOptions,
           enrolled: np.ndarray | None = None
           ) -> tuple[dict[int, tuple[str, float]], list[dict[str, Any]]]:
    """Which voice is the clerk: each voice's (role, confidence) and its record."""
    from analyzer.errors import ModelError
    from analyzer.rules.learned import classify

    try:
        preds = classify([p.utterance.text for p in found], "roles", classifier)
    except ModelError:  # a folder of older models without ``roles``: the other signals decide
        logger.warning("no roles classifier in the classifier folder; mono roles are decided "
                       "by who opens and closes and by level")
        preds = [None] * len(found)
    voices = sorted({p.cluster for p in found})
    stats = {}
    for k in voices:
        mine = [(p, q) for p, q in zip(found, preds, strict=True) if p.cluster == k]
        chars = [max(1, len(p.utterance.text)) for p, q in mine if q is not None]
        probs = [q.probability for _, q in mine if q is not None]
        levels = [p.level for p, _ in mine if p.level is not None]
        stats[k] = {"text": float(np.average(probs, weights=chars)) if probs else 0.5,
                    "level": float(np.median(levels)) if levels else -90.0,
                    "seconds": sum(p.utterance.end - p.utterance.start for p, _ in mine),
                    "n": len(mine)}
    if len(voices) == 1:
        k = voices[0]
        signals = {"text_staff_probability": stats[k]["text"]}
        return {k: ("staff", 1.0)}, [_voice(k, "staff", stats[k], 1.0, signals)]
    a, b = voices
    vote = {"text": 2.0 * (stats[a]["text"] - stats[b]["text"]),
            "opens": 1.0 if found[0].cluster == a else -1.0,
            "closes": 1.0 if found[-1].cluster == a else -1.0,
            "level": float(np.clip((stats[a]["level"] - stats[b]["level"]) / 6.0, -1.0, 1.0))}
    near = _enrolled_vote(found, a, b, enrolled)
    if near is not None:
        vote["enrolled"] = near
    total = sum(ROLE_WEIGHTS[key] * v for key, v in vote.items())
    sure = 1.0 / (1.0 + math.exp(-abs(total)))
    staff = a if total >= 0 else b
    roles = {k: ("staff" if k == staff else "citizen", sure) for k in voices}
    out = []
    for k in voices:
        sign = 1.0 if k == a else -1.0
        signals = {"text_staff_probability": stats[k]["text"], "level_db": stats[k]["level"],
                   **{f"vote_{key}": sign * v for key, v in vote.items()}}
        out.append(_voice(k, roles[k][0], stats[k], sure, signals))
    return roles, out


def _enrolled_vote(found: list[_Piece], a: int, b: int, enrolled: np.ndarray | None
                   ) -> float | None:
    """How much nearer voice ``a`` is to the enrolled clerk than voice ``b`` (-1..1).

    Distances in the recording's own standardized feature space (the one the
    voices were clustered in, :func:`_standard`), from each voice's mean
    (weighted by seconds) to the enrolled voice; the vote is their difference
    over their sum, times 3, clipped: a voice twice as near gets a full vote.
    """
    strong = [p for p in found if p.features is not None]
    if enrolled is None or len(strong) < 2:
        return None
    x = np.stack([p.features for p in strong])
    v = np.asarray(enrolled, dtype=np.float64)
    if v.shape != x.shape[1:]:
        return None
    both = _standard(np.vstack([x, v[None, :]]), reference=x)
    w = np.array([max(0.2, p.utterance.end - p.utterance.start) for p in strong])
    labels = np.array([p.cluster for p in strong])
    if not ((labels == a).any() and (labels == b).any()):
        return None
    d = {k: float(np.linalg.norm(np.average(both[:-1][labels == k], axis=0,
                                            weights=w[labels == k]) - both[-1]))
         for k in (a, b)}
    return float(np.clip(3.0 * (d[b] - d[a]) / max(d[a] + d[b], 1e-9), -1.0, 1.0))


def _voice(k: int, role: str, stats: dict[str, float], sure: float,
           signals: dict[str, float]) -> dict[str, Any]:
    return {"cluster": k, "role": role, "seconds": stats["seconds"], "utterances": int(stats["n"]),
            "confidence": sure, "signals": signals}


def _join(cut: list[tuple[int, Utterance]]) -> list[Utterance]:
    """Consecutive pieces of one utterance given to one speaker: one utterance again."""
    out: list[Utterance] = []
    last = -1
    for i, u in cut:
        prev = out[-1] if out else None
        same = prev is not None and i == last and prev.speaker == u.speaker
        last = i
        if same and prev is not None:
            words = prev.words + u.words
            out[-1] = replace(prev, end=u.end, text=prev.text + u.text, words=words,
                              confidence=float(np.mean([w.probability for w in words]))
                              if words else prev.confidence, heard=prev.heard + u.heard,
                              speaker_confidence=min(prev.speaker_confidence,
                                                     u.speaker_confidence))
        else:
            out.append(u)
    return out
