"""Learned detectors (pipeline stage ``match``, after the lexicon).

Small text classifiers catch what the word lists miss (paraphrases such as
``你到底想怎么样`` or ``一边等着去``):

* **uncivil**: staff utterance -> ``civil`` or an Article 6 sub-type
  (``scolding``, ``cold``, ``inflaming``, ``unrelated_chat``). Utterances whose
  uncivil probability (1 - P(civil)) reaches
  :attr:`ClassifierOptions.uncivil_threshold` become ``A6-UNCIVIL`` findings.
* **cues**: citizen utterance -> ``praise``, ``suggestion``, ``upset``,
  ``incomplete_materials`` or ``other``; the first four become
  :class:`~analyzer.types.Cue` objects for the Article 10 context rules.
* **roles**: any utterance -> P(``staff``): staff-like (您好…, 请您…, 您的手续…)
  or citizen-like (我想办…, 请问…); the mono speaker-turn stage
  (:mod:`analyzer.speech.diarize`) weighs it to tell which voice is the clerk.
* **acts** (multi-label): staff utterance -> P(act) for every act it may
  perform (greeting, evaluation request, goodbye, calming, a forbidden phrase's
  intent, deferring for the time ...; :func:`act_probabilities`), each with its
  own threshold from training; :mod:`analyzer.rules.acts` turns them into hits.

All are character n-gram TF-IDF + logistic regression pipelines trained by
``python -m analyzer.training.classifiers.train`` and shipped as ONNX files
(``models/classifiers/*.onnx``). They run on onnxruntime only: scikit-learn is
not imported at run time. Text goes through :func:`analyzer.text.normalize.normalize`
first, the same function the training used; the cue model reads a citizen turn
with marks of its form and place beside its words (:func:`cue_input`).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.errors import ModelError, require
from analyzer.options import ClassifierOptions
from analyzer.resources import data_path
from analyzer.text.normalize import normalize
from analyzer.types import LEARNED_CUE_KINDS, Cue, Finding, Utterance, attribution_detail

if TYPE_CHECKING:
    from analyzer.text.lexicon import Lexicon


#: Rule id of the learned Article 6 finding (its points and title come from the lexicon).
UNCIVIL_RULE = "A6-UNCIVIL"
#: Name of the metadata file written next to the ONNX models.
METADATA = "metadata.json"
CIVIL = "civil"
OTHER = "other"
STAFF = "staff"
#: ``roles``: an utterance is staff-like when P(staff) is at least this.
ROLE_THRESHOLD = 0.5
#: Characters (normalized) a citizen utterance needs before a classifier cue on it
#: owes the clerk a reply: a two-character report of a step (签了, 扫了) carries no mood.
MIN_OWING_CUE_CHARS = 3
#: The single-label classifiers (keys of ``metadata.json``; ``acts`` is multi-label).
TASKS: tuple[str, ...] = ("uncivil", "cues", "roles")
#: The multi-label staff act detector's key in ``metadata.json``.
ACTS = "acts"


@dataclass(frozen=True)
class Prediction:
    """One classified utterance.

    Attributes:
        label: The most probable label (for ``uncivil``, the most probable
            uncivil sub-type when the uncivil probability wins).
        probability: For ``uncivil``: P(uncivil) = 1 - P(civil); for ``cues``:
            the probability of ``label``.
        probabilities: Every label's probability.
    """

    label: str
    probability: float
    probabilities: dict[str, float]


def model_dir(options: ClassifierOptions | None = None) -> Path:
    """The folder holding ``uncivil.onnx``, ``cues.onnx`` and ``metadata.json``."""
    if options is not None and options.model_dir:
        return Path(options.model_dir)
    return _shipped_models()


@functools.lru_cache(maxsize=1)
def _shipped_models() -> Path:
    """The shipped models' folder (looked up once: importlib.resources is not free)."""
    return data_path("models", "classifiers")


@functools.lru_cache(maxsize=4)
def load_metadata(folder: str) -> dict[str, Any]:
    """Read (once) the metadata the training wrote: labels, hashes, metrics.

    Raises:
        ModelError: When the file is missing or not JSON.
    """
    path = Path(folder) / METADATA
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return meta
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"classifier metadata unreadable ({exc}); retrain with "
            "`python -m analyzer.training.classifiers.train`",
            source=str(path),
        ) from exc


@functools.lru_cache(maxsize=8)
def _session(path: str) -> Any:
    """Create (once per file) an onnxruntime session for one classifier."""
    ort = require("onnxruntime")
    if not Path(path).is_file():
        raise ModelError("classifier model file is missing", source=path)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1  # tiny model: threads cost more than they save
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    try:
        return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ModelError(f"cannot load classifier: {exc}", source=path) from exc


#: Texts per model run: the models' features are dense rows, so one run over
#: every utterance of a long transcript took gigabytes (issue 26 #12).
RUN_TEXTS = 256


def _run(path: str, meta: Mapping[str, Any], texts: Sequence[str]) -> list[Any]:
    """One model's output rows for ``texts``, run :data:`RUN_TEXTS` at a time."""
    import numpy as np

    session = _session(path)
    rows: list[Any] = []
    for at in range(0, len(texts), RUN_TEXTS):
        batch = np.array([[text] for text in texts[at:at + RUN_TEXTS]], dtype=object)
        rows.extend(session.run([meta["output"]], {meta["input"]: batch})[0])
    return rows


#: The input form a model's metadata names (``input_form``) when it reads :func:`cue_input`.
CUE_INPUT = "cue_input"
#: Marks :func:`cue_input` puts beside a citizen turn's words. Each says something about what
#: the turn *does* that the punctuation-free character n-grams cannot see, or see only line by line.
CUE_MARKS: dict[str, str] = {
    "asks": "⒬",  # the turn ends as a question (？, 吗, 呢): asking, or a suggestion put as a question
    "you": "⒴",  # it addresses the clerk (你, 您): praise and reproach are said to someone
    "you_all": "⒫",  # it addresses the hall or the office (你们, 您们, 你们这): a suggestion, a complaint
    "after_ask": "⒜",  # the staff turn before asked something: the turn is most likely the answer
    "after_bad_news": "⒝",  # the staff turn before refused, told a lack or apologised
}
_ENDS_ASKING = re.compile(r"(?:[?？]|[吗呢么嘛][。.!！~～…]*)\s*$")
_YOU_ALL = re.compile(r"你们|您们|恁们|你们这|咱们这")
_YOU = re.compile(r"[你您恁]")
_BAD_NEWS = re.compile(r"抱歉|对不起|不好意思|缺|少了|少一|还差|不全|不齐|不够|办不了|不能办|不行|没法|"
                       r"不符合|不给办|退回|得重新|要重新|回去|再来")


def cue_input(text: str, before: str = "") -> str:
    """The cue model's input for one citizen turn: marks of its form and place, then its words.

    The marks (:data:`CUE_MARKS`) carry what a turn's function shows beyond its words: a
    question form (lost when :func:`~analyzer.text.normalize.normalize` drops punctuation),
    whom it addresses, and what the staff turn just before did (asked; refused, told a lack
    or apologised). Training (``analyzer.training.classifiers.train``) and the analyzer call
    this one function. (A mark for a staff turn that concluded the business was tried in
    session 8 and dropped: the model leaned on it, and short acknowledgements after it read
    as praise.)

    Args:
        text: The citizen's turn as written or recognised.
        before: The staff turn just before it (``""`` when none).

    Returns:
        ``"<marks> <normalized words>"``, or ``""`` when the normalized words are empty.
    """
    words = normalize(text)
    if not words:
        return ""
    raw = text.strip()
    marks = [CUE_MARKS["asks"]] if _ENDS_ASKING.search(raw) else []
    if _YOU_ALL.search(raw):
        marks.append(CUE_MARKS["you_all"])
    elif _YOU.search(raw):
        marks.append(CUE_MARKS["you"])
    prev = before.strip()
    if prev:
        if _ENDS_ASKING.search(prev):
            marks.append(CUE_MARKS["after_ask"])
        if _BAD_NEWS.search(prev):
            marks.append(CUE_MARKS["after_bad_news"])
    return f"{''.join(marks)} {words}" if marks else words


def staff_before(utterances: Sequence[Utterance], i: int, reach: int = 2) -> str:
    """The staff turn just before utterance ``i`` (over at most ``reach`` turns), or ``""``."""
    for j in range(i - 1, max(-1, i - 1 - reach), -1):
        if utterances[j].speaker in ("staff", "unknown") and utterances[j].text.strip():
            return utterances[j].text
    return ""


def classify(texts: Sequence[str], task: str, options: ClassifierOptions | None = None,
             befores: Sequence[str] | None = None) -> list[Prediction | None]:
    """Classify raw texts with one shipped model.

    Args:
        texts: Utterance texts as written or recognised.
        task: ``uncivil`` or ``cues``.
        options: Where the models are (``model_dir``); defaults otherwise.
        befores: For a model whose metadata names ``input_form`` :data:`CUE_INPUT`: the
            staff turn before each text (:func:`cue_input`); none when not given.

    Returns:
        One :class:`Prediction` per text, or None where the normalized text
        is empty (nothing to classify).
    """
    if task not in TASKS:
        raise ValueError(f"unknown classifier task {task!r}; expected one of {TASKS}")
    folder = model_dir(options)
    meta = load_metadata(str(folder)).get(task)
    if not isinstance(meta, dict) or not {"file", "input", "output", "labels"} <= meta.keys():
        raise ModelError(f"metadata has no usable {task!r} entry; retrain",
                         source=str(folder / METADATA))
    if meta.get("input_form") == CUE_INPUT:
        prepared = [cue_input(t, b) for t, b in zip(texts, befores or [""] * len(texts), strict=True)]
    else:
        prepared = [normalize(t) for t in texts]
    todo = [i for i, t in enumerate(prepared) if t]
    out: list[Prediction | None] = [None] * len(texts)
    if not todo:
        return out
    probs = _run(str(folder / meta["file"]), meta, [prepared[i] for i in todo])
    labels = meta["labels"]
    for i, row in zip(todo, probs, strict=True):
        out[i] = to_prediction(task, labels, row)
    return out


def to_prediction(task: str, labels: Sequence[str], row: Any) -> Prediction:
    """Turn one row of class probabilities (in ``labels`` order) into a :class:`Prediction`."""
    probs = {lab: float(p) for lab, p in zip(labels, row, strict=True)}
    if task == "uncivil":
        p_uncivil = 1.0 - probs[CIVIL]
        if p_uncivil >= probs[CIVIL]:
            label = max((lab for lab in labels if lab != CIVIL), key=probs.__getitem__)
        else:
            label = CIVIL
        return Prediction(label, p_uncivil, probs)
    if task == "roles":
        p_staff = probs[STAFF]
        return Prediction(STAFF if p_staff >= ROLE_THRESHOLD else "citizen", p_staff, probs)
    label = max(labels, key=probs.__getitem__)
    return Prediction(label, probs[label], probs)


def decide(task: str, pred: Prediction, threshold: float) -> str:
    """The label the analyzer acts on, given a threshold.

    ``uncivil``: the uncivil sub-type when P(uncivil) >= ``threshold``, else
    ``civil``. ``cues``: the top class when it is ``other`` or its probability
    is >= ``threshold``, else ``other``. Findings, cues, the training report and
    the benchmarks all use this one rule.
    """
    if task == "roles":
        return STAFF if pred.probability >= threshold else "citizen"
    if task == "uncivil":
        if pred.probability < threshold:
            return CIVIL
        return max((lab for lab in pred.probabilities if lab != CIVIL), key=pred.probabilities.__getitem__)
    return pred.label if pred.probability >= threshold else OTHER


def model_info(options: ClassifierOptions | None = None) -> dict[str, Any]:
    """A short audit record of the shipped models (for report ``analyzer`` blocks)."""
    meta = load_metadata(str(model_dir(options)))
    return {
        task: {"model": meta[task]["model_id"], "data_sha256": meta[task]["data_sha256"]}
        for task in (*TASKS, ACTS)
        if task not in ("roles", ACTS) or task in meta  # folders trained before they existed
    }


@dataclass(frozen=True)
class ActModel:
    """The act detector's labels, per-act thresholds and id (from ``metadata.json``)."""

    labels: tuple[str, ...]
    thresholds: dict[str, float]
    model_id: str


def act_model(options: ClassifierOptions | None = None) -> ActModel | None:
    """The shipped act detector's description, or None when the folder has none."""
    meta = load_metadata(str(model_dir(options))).get(ACTS)
    if not isinstance(meta, dict):
        return None
    return ActModel(tuple(meta["labels"]), dict(meta["thresholds"]), str(meta["model_id"]))


def act_probabilities(texts: Sequence[str], options: ClassifierOptions | None = None
                      ) -> list[dict[str, float] | None]:
    """P(act) for every act, per raw text (None where the normalized text is empty).

    Raises:
        ModelError: The folder has no usable ``acts`` model.
    """
    folder = model_dir(options)
    meta = load_metadata(str(folder)).get(ACTS)
    if not isinstance(meta, dict) or not {"file", "input", "output", "labels"} <= meta.keys():
        raise ModelError("metadata has no usable 'acts' entry; retrain",
                         source=str(folder / METADATA))
    prepared = [normalize(t) for t in texts]
    path = str(folder / meta["file"])
    cache = _ACT_CACHE.setdefault(path, {})
    known = {t: cache[t] for t in prepared if t and t in cache}
    todo = sorted({t for t in prepared if t and t not in known})
    if todo:
        probs = _run(path, meta, todo)
        if len(cache) + len(todo) > ACT_CACHE_SIZE:
            cache.clear()
        for t, row in zip(todo, probs, strict=True):
            known[t] = cache[t] = {lab: float(p) for lab, p in zip(meta["labels"], row,
                                                                   strict=True)}
    return [dict(known[t]) if t else None for t in prepared]


#: Texts whose act probabilities are kept (per model file): the rules read the same
#: utterances more than once (the act hits, then the answers of Article 5).
ACT_CACHE_SIZE = 20000
_ACT_CACHE: dict[str, dict[str, dict[str, float]]] = {}


def uncivil_findings(
    utterances: Sequence[Utterance],
    lexicon: Lexicon,
    options: ClassifierOptions,
    *,
    skip: Collection[int] = frozenset(),
) -> list[Finding]:
    """Article 6 findings for staff utterances the classifier finds uncivil.

    Args:
        utterances: The interaction's turns.
        lexicon: The loaded :class:`~analyzer.text.lexicon.Lexicon`; its
            ``A6-UNCIVIL`` measure rule gives the points and title (no
            findings when a lexicon layer has disabled that rule).
        options: Thresholds and model location.
        skip: Utterance indices already flagged by a lexicon forbidden hit
            (not judged again, so one utterance is not penalised twice).

    Returns:
        One ``uncivil`` finding per staff utterance whose uncivil probability
        is at least ``options.uncivil_threshold``; confidence is that
        probability (times ``options.assumed_speaker_weight`` when the speaker
        was assumed, not known), ``detail`` has the sub-type and the model id.
    """
    if not options.enabled:
        return []
    try:
        rule = lexicon.get(UNCIVIL_RULE)
    except KeyError:  # switched off by a local lexicon layer
        return []
    index = [i for i, u in enumerate(utterances) if u.speaker == "staff" and i not in skip]
    if not index:
        return []
    preds = classify([utterances[i].text for i in index], "uncivil", options)
    model_id = load_metadata(str(model_dir(options)))["uncivil"]["model_id"]
    findings = []
    for i, pred in zip(index, preds, strict=True):
        if pred is None or decide("uncivil", pred, options.uncivil_threshold) == CIVIL:
            continue
        u = utterances[i]
        detail = {"subtype": decide("uncivil", pred, options.uncivil_threshold),
                  "model": model_id, "method": "classifier", "probability": round(pred.probability, 4),
                  "threshold": options.uncivil_threshold, "utterance": i}
        confidence = pred.probability * u.attribution_weight(options.assumed_speaker_weight)
        if not u.speaker_known:  # a mono microphone: the words may be the citizen's
            detail["speaker_known"] = False
        detail.update(attribution_detail([u]))
        findings.append(Finding(
            rule=rule.id, article=rule.article, kind="uncivil",
            canonical=rule.canonical or rule.shown_title(), speaker=u.speaker,
            start=u.start, end=u.end, evidence=u.text,
            confidence=confidence, points=rule.points, detail=detail,
        ))
    return findings


#: What the owing decision reads beside the cue model's probability (:func:`owe_features`): the
#: probabilities, the marks of the turn's form and place (:data:`CUE_MARKS`), its length and an
#: exclamation. Training fits one logistic model per cue kind on them (``owe_model`` in the metadata).
OWE_FEATURES: tuple[str, ...] = ("logit_p", "logit_other", "margin", *(f"mark_{m}" for m in CUE_MARKS),
                                 "log_chars", "short", "exclaims")
#: A turn this short (normalized characters) is an acknowledgement more often than a cue (要得，给你).
SHORT_TURN_CHARS = 6
#: An exclamation that is not only a hail or thanks (你好！ 同志！ 谢谢！ carry no mood).
_EXCLAIMS = re.compile(r"(?<![好谢志傅喂哎嗨])[!！]")


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1.0 - 1e-4)
    return math.log(p / (1.0 - p))


def owe_features(probabilities: Mapping[str, float], kind: str, text: str, before: str = "") -> list[float]:
    """The owing decision's inputs for a cue of ``kind`` on one citizen turn (:data:`OWE_FEATURES`).

    Args:
        probabilities: The cue model's class probabilities for the turn.
        kind: The cue kind the turn is read as (its top class).
        text: The citizen's turn.
        before: The staff turn just before it (``""`` when none).
    """
    p = probabilities[kind]
    rest = max((v for k, v in probabilities.items() if k != kind), default=0.0)
    prepared = cue_input(text, before)
    head = prepared.split(" ", 1)[0] if " " in prepared else ""
    chars = len(normalize(text))
    return [_logit(p), _logit(probabilities.get(OTHER, 0.0)), p - rest,
            *(float(bool(head) and mark in head) for mark in CUE_MARKS.values()),
            math.log1p(chars), float(chars <= SHORT_TURN_CHARS), float(bool(_EXCLAIMS.search(text)))]


def owe_thresholds(meta: Mapping[str, Any]) -> dict[str, float]:
    """The cue model's owing bars on its probability: ``{kind: bar}``, ``""`` the default.

    A model trained before the owing model (:func:`owes_reply`) carries one bar over all kinds
    (``owe_threshold.threshold``), and per kind where it chose one (``owe_threshold.per_kind``).
    """
    block = meta.get("owe_threshold") or {}
    bars = {"": float(block.get("threshold", 0.0))}
    for kind, chosen in (block.get("per_kind") or {}).items():
        bars[str(kind)] = float(chosen["threshold"])
    return bars


def owes_reply(meta: Mapping[str, Any], pred: Prediction, kind: str, text: str, before: str = "") -> bool:
    """True when a classifier cue of ``kind`` on ``text`` owes its reply (before the rules' own checks).

    Where the cue model's metadata has an ``owe_model`` for the kind (a logistic model over
    :func:`owe_features`, trained on the cue model's out-of-fold predictions of written turns, its bar
    the lowest whose out-of-fold precision reaches ``OWE_PRECISION``), the model decides; otherwise
    the probability bar (:func:`owe_thresholds`). A turn under :data:`MIN_OWING_CUE_CHARS` never owes.
    """
    if len(normalize(text)) < MIN_OWING_CUE_CHARS:
        return False
    model = (meta.get("owe_model") or {}).get(kind)
    if model is None:
        bars = owe_thresholds(meta)
        return pred.probabilities[kind] >= bars.get(kind, bars[""])
    z = float(model["intercept"]) + sum(
        float(w) * x for w, x in zip(model["coef"], owe_features(pred.probabilities, kind, text, before),
                                     strict=True))
    return 1.0 / (1.0 + math.exp(-z)) >= float(model["threshold"])


def citizen_cues(utterances: Sequence[Utterance], options: ClassifierOptions) -> list[Cue]:
    """Article 10 cues (praise, suggestion, upset, incomplete materials) in citizen speech.

    Args:
        utterances: The interaction's turns.
        options: ``cue_threshold`` and model location.

    Returns:
        One ``Cue(source="classifier")`` per citizen utterance whose most
        probable class is a cue kind with probability >= ``cue_threshold``;
        whether it owes a reply is :func:`owes_reply`'s.
    """
    if not options.enabled:
        return []
    index = [i for i, u in enumerate(utterances) if u.speaker == "citizen"]
    if not index:
        return []
    befores = [staff_before(utterances, i) for i in index]
    preds = classify([utterances[i].text for i in index], "cues", options, befores=befores)
    meta = load_metadata(str(model_dir(options))).get("cues", {})
    cues = []
    for i, pred, before in zip(index, preds, befores, strict=True):
        if pred is None:
            continue
        kind = decide("cues", pred, options.cue_threshold)
        if kind not in LEARNED_CUE_KINDS:
            continue
        u = utterances[i]
        owes = owes_reply(meta, pred, kind, u.text, before)
        cues.append(Cue(kind, i, u.start, u.end, u.text, pred.probability, "classifier",
                        owes=owes))
    return cues
