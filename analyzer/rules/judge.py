"""The turn-level judge: a learned second opinion per article beside the rules.

The rules (:mod:`analyzer.rules.duties` and the modules before it) say where a
breach is; the judge reads each staff turn with its context and the rules' own
evidence and gives, per article, the probability that this turn breaches it
(a *turn* unit), and per article the probability that the visit lacks an owed
act somewhere (a *visit* unit: a greeting, a closing, an answer never given).
Features are binary hashed tokens: character n-grams of the staff turn, of the
citizen turns before and after it, the turn's place in the visit, the channel,
which rule findings overlap it, and the staff act detector's probabilities
(:func:`analyzer.rules.learned.act_probabilities`). One logistic regression per
article and level, trained by :mod:`analyzer.training.judge` on our own
blind-written hall sets and generated visits, shipped as JSON weights.

How the two combine (:func:`combine`), per article, with bars chosen only by
cross-validation on the training sets (an article whose bars are ``None``
stays rules-only):

* a rule finding whose judge probability (the largest over the staff turns it
  overlaps and the visit unit) is below the article's ``veto`` bar is dropped;
* where the rules are silent, a turn (or visit) unit at or above the article's
  ``add`` bar becomes a judge finding (kind ``judge``) citing the model; one
  below ``judge.review_probability`` is held for review (``review="judge"``)
  and deducts nothing until an inspector confirms it.

Every finding the judge touched carries ``detail["source"]`` (``rule`` or
``judge``) and ``detail["judge_probability"]``.
"""

from __future__ import annotations

import functools
import json
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.errors import ModelError
from analyzer.types import Finding, Utterance

if TYPE_CHECKING:
    from analyzer.options import AnalyzerOptions, JudgeOptions
    from analyzer.text.lexicon import Lexicon, Rule

#: The articles the judge may speak on (the labels' articles).
ARTICLES: tuple[int, ...] = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
#: Unit levels: one staff turn, or the whole visit.
LEVELS: tuple[str, ...] = ("turn", "visit")
#: Hashed feature space (tokens are hashed with CRC-32, stable across runs and machines).
DIM = 1 << 18
#: The weights file format this module reads.
FORMAT = 1
#: The shipped model (below ``analyzer/_data/models``).
MODEL_FILE = "judge.json"


def _grams(prefix: str, text: str, sizes: Sequence[int]) -> list[str]:
    chars = [c for c in text if not c.isspace()]
    out = []
    for n in sizes:
        out += [f"{prefix}{''.join(chars[i:i + n])}" for i in range(len(chars) - n + 1)]
    return out


def _bin(p: float) -> int:
    return min(4, int(p * 5))


def _acts(probs: Mapping[str, float] | None, prefix: str) -> list[str]:
    if not probs:
        return []
    return [f"{prefix}{act}:{_bin(p)}" for act, p in probs.items() if p >= 0.2]


def _overlaps(f: Finding, u: Utterance) -> bool:
    if f.start is None or f.end is None:
        return False
    return f.start <= u.end and u.start <= f.end and (f.start < u.end or u.start < f.end)


@dataclass(frozen=True)
class Unit:
    """One thing the judge rates: a staff turn (``index``) or the visit (``index`` -1)."""

    article: int
    level: str
    index: int
    tokens: tuple[str, ...]


#: Feature groups beyond the base tokens (character n-grams, place, channel, rule ids, acts):
#: ``finding`` — the overlapping rule findings' kind, confidence (in fifths) and detector;
#: ``cue`` — the citizen turn before: does it ask (ends ？/吗/呢), and the cue model's reading of it
#: (praise, suggestion, upset, incomplete materials, other; in fifths, from 0.2);
#: ``later`` — the owed acts the next staff turns do (the act detector's best over the next
#: :data:`LATER_TURNS`, in fifths); ``size`` — the visit's length on turn units too.
#: (Session 12's ``follow`` group — who speaks next, whether the citizen assents or asks again —
#: measured no gain, nested 161 -> 165 false on the same data, and was dropped in session 13.)
#: A weights file names the groups it was trained with (``features``; none: the base only).
FEATURES: tuple[str, ...] = ("finding", "cue", "later", "size")
#: How many later staff turns the ``later`` group reads.
LATER_TURNS = 2
_ASKING = re.compile(r"(?:[?？]|[吗呢么嘛][。.!！~～…]*)\s*$")


def _turn_base(utts: Sequence[Utterance], i: int, channel: str,
               acts: Sequence[Mapping[str, float] | None],
               cues: Sequence[Mapping[str, float] | None], features: Sequence[str]) -> list[str]:
    staff = [k for k, u in enumerate(utts) if u.speaker == "staff"]
    rank = staff.index(i)
    before = next((k for k in range(i - 1, -1, -1) if utts[k].speaker != "staff"), None)
    prev = "" if before is None else utts[before].text
    nxt = next((utts[k].text for k in range(i + 1, len(utts)) if utts[k].speaker != "staff"), "")
    toks = ["bias", f"ch:{channel}", f"pos:{min(3, rank * 4 // max(1, len(staff)))}"]
    toks += ["pos:first"] if rank == 0 else []
    toks += ["pos:last"] if rank == len(staff) - 1 else []
    toks += ["prev:none"] if not prev else []
    toks += _grams("s:", utts[i].text, (1, 2, 3)) + _grams("p:", prev, (1, 2))
    toks += _grams("n:", nxt, (1, 2)) + _acts(acts[i], "act:")
    if "cue" in features and before is not None:
        toks += ["pq:asks"] if _ASKING.search(prev.strip()) else []
        toks += _acts(cues[before] if before < len(cues) else None, "pc:")
    if "later" in features:
        best: dict[str, float] = {}
        for k in staff[rank + 1:rank + 1 + LATER_TURNS]:
            for act, p in (acts[k] or {}).items():
                best[act] = max(best.get(act, 0.0), p)
        toks += _acts(best, "la:") + (["la:none"] if rank == len(staff) - 1 else [])
    if "size" in features:
        toks.append(f"len:{min(6, len(utts) // 3)}")
    return toks


def _rule_tokens(prefix: str, found: Sequence[Finding], article: int,
                 features: Sequence[str] = ()) -> list[str]:
    toks = [f"{prefix}any:{f.rule}" for f in found]
    mine = [f for f in found if f.article == article]
    toks += [f"{prefix}mine:{f.rule}" for f in mine] + ([f"{prefix}mine"] if mine else [])
    toks += [f"{prefix}held" for f in mine if f.review]
    if "finding" in features:
        for f in mine:
            toks += [f"{prefix}kind:{f.kind}", f"{prefix}conf:{_bin(f.confidence)}"]
            toks += [f"{prefix}det:{f.detail['detector']}"] if "detector" in f.detail else []
    return toks


def units(utterances: Sequence[Utterance], channel: str, findings: Sequence[Finding],
          acts: Sequence[Mapping[str, float] | None],
          cues: Sequence[Mapping[str, float] | None] | None = None,
          features: Sequence[str] = FEATURES) -> list[Unit]:
    """Every unit of one interaction, for every article (turns first, then the visit).

    Args:
        utterances: The interaction's utterances.
        channel: ``counter`` or ``phone``.
        findings: The rules' findings.
        acts: Per utterance, the act detector's probabilities (None: none).
        cues: Per utterance, the cue model's probabilities of a citizen turn
            (:func:`utterance_cues`; None: none).
        features: The feature groups beyond the base (:data:`FEATURES`).
    """
    cue_list = list(cues) if cues is not None else [None] * len(utterances)
    staff = [k for k, u in enumerate(utterances) if u.speaker == "staff"]
    out = []
    for i in staff:
        base = _turn_base(utterances, i, channel, acts, cue_list, features)
        here = [f for f in findings if _overlaps(f, utterances[i])]
        for a in ARTICLES:
            out.append(Unit(a, "turn", i, tuple(base + _rule_tokens("r:", here, a, features))))
    first = [utterances[k].text for k in staff[:2]]
    last = [utterances[k].text for k in staff[-2:]]
    citizen = [u.text for u in utterances if u.speaker != "staff"]
    vbase = ["bias", f"ch:{channel}", f"turns:{min(6, len(utterances) // 3)}"]
    vbase += _grams("f:", "|".join(first), (1, 2)) + _grams("l:", "|".join(last), (1, 2))
    vbase += _grams("lc:", citizen[-1] if citizen else "", (1, 2))
    best: dict[str, float] = {}
    for k in staff:
        for act, p in (acts[k] or {}).items():
            best[act] = max(best.get(act, 0.0), p)
    vbase += _acts(best, "vact:")
    if "cue" in features:
        cue_best: dict[str, float] = {}
        for c in cue_list:
            for label, p in (c or {}).items():
                cue_best[label] = max(cue_best.get(label, 0.0), p)
        vbase += _acts(cue_best, "vcue:")
        vbase += [f"vasks:{min(3, sum(1 for t in citizen if _ASKING.search(t.strip())))}"]
    for a in ARTICLES:
        out.append(Unit(a, "visit", -1, tuple(vbase + _rule_tokens("v:", findings, a, features))))
    return out


def vector(tokens: Sequence[str]) -> dict[int, float]:
    """The hashed binary feature vector of a unit's tokens."""
    return {zlib.crc32(t.encode("utf-8")) % DIM: 1.0 for t in tokens}


@dataclass(frozen=True)
class Model:
    """One article-and-level regression: intercept and sparse weights."""

    intercept: float
    weights: Mapping[int, float]

    def probability(self, tokens: Sequence[str]) -> float:
        """P(breach) of a unit."""
        return self.of_vector(vector(tokens))

    def of_vector(self, vec: Mapping[int, float]) -> float:
        """P(breach) of a unit's hashed vector (:func:`vector`)."""
        z = self.intercept + sum(self.weights.get(j, 0.0) * v for j, v in vec.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Bars:
    """An article's combination bars (None: that side off, the rules decide)."""

    veto: float | None = None
    add: float | None = None


#: Hours of the visit's start (the local clock of ``started_at``), in bands.
_HOUR_BANDS: tuple[tuple[int, str], ...] = ((9, "early"), (12, "morning"), (14, "noon"),
                                            (17, "afternoon"), (24, "late"))


def _hour_band(started_at: str) -> str:
    match = re.match(r"\d{4}-\d\d-\d\dT(\d\d):", started_at or "")
    if match is None:
        return "hour:unknown"
    hour = int(match.group(1))
    return "hour:" + next(name for top, name in _HOUR_BANDS if hour < top)


_CLOCK = re.compile(r"\d:\d\d")


def _detail_tokens(f: Finding) -> list[str]:
    """The shape of a finding's evidence: which detail keys it carries, and its short flags."""
    out = []
    for key, value in sorted(f.detail.items()):
        if key in ("source", "judge_probability", "flag_probability", "reply"):
            continue
        out.append(f"d:{key}")
        if isinstance(value, bool) or (isinstance(value, str) and value.isascii()
                                       and 0 < len(value) <= 24 and not _CLOCK.search(value)):
            out.append(f"d:{key}={value}")
        elif isinstance(value, Mapping) and "within_service_hours" in value:
            out.append(f"d:within_service_hours={value['within_service_hours']}")
    return out


def flag_tokens(f: Finding, utterances: Sequence[Utterance], channel: str,
                findings: Sequence[Finding], acts: Sequence[Mapping[str, float] | None],
                cues: Sequence[Mapping[str, float] | None], started_at: str = "") -> tuple[str, ...]:
    """The veto model's tokens of one rule finding: the finding itself, never its wording.

    What it reads: the article, rule, kind, detector, confidence (in fifths) and the
    shape of its detail (:func:`_detail_tokens`); the evidence's place (which staff
    turn, who speaks there, its length and end mark); the citizen turn before (does it
    ask, the cue model's reading); the owed acts the next staff turns do and the best
    of each act over the visit (the act detector, in fifths); the visit's length, how
    many findings it holds, the channel and the hour. No character of the utterances
    is a token, so wording no training set used leaves the finding its article's prior.
    Every token is given twice, alone and crossed with the article (``a<N>|``).
    """
    toks = [f"rule:{f.rule}", f"kind:{f.kind}", f"conf:{_bin(f.confidence)}", f"ch:{channel}",
            _hour_band(started_at), f"len:{min(6, len(utterances) // 3)}",
            f"same:{min(3, sum(1 for g in findings if g.article == f.article))}",
            f"all:{min(5, len(findings))}"]
    toks += ["held"] if f.review else []
    toks += [f"det:{f.detail['detector']}"] if "detector" in f.detail else []
    toks += _detail_tokens(f)
    over = [k for k, u in enumerate(utterances) if _overlaps(f, u)]
    toks += ["turn:none"] if not over else [f"who:{utterances[k].speaker}" for k in over[:2]]
    staff = [k for k, u in enumerate(utterances) if u.speaker == "staff"]
    here = next((k for k in over if utterances[k].speaker == "staff"), None)
    if here is not None:
        rank = staff.index(here)
        text = utterances[here].text.strip()
        toks += [f"pos:{min(3, rank * 4 // max(1, len(staff)))}", f"chars:{min(5, len(text) // 8)}"]
        toks += ["pos:first"] if rank == 0 else []
        toks += ["pos:last"] if rank == len(staff) - 1 else []
        toks += ["ends:ask"] if _ASKING.search(text) else []
        toks += ["ends:bang"] if text.endswith(("!", "！")) else []
        before = next((k for k in range(here - 1, -1, -1) if utterances[k].speaker != "staff"),
                      None)
        if before is None:
            toks.append("prev:none")
        else:
            toks += ["pq:asks"] if _ASKING.search(utterances[before].text.strip()) else []
            toks += _acts(cues[before] if before < len(cues) else None, "pc:")
        later: dict[str, float] = {}
        for k in staff[rank + 1:rank + 1 + LATER_TURNS]:
            for act, p in (acts[k] or {}).items():
                later[act] = max(later.get(act, 0.0), p)
        toks += _acts(later, "la:") + (["la:none"] if rank == len(staff) - 1 else [])
    best: dict[str, float] = {}
    for k in staff:
        for act, p in (acts[k] or {}).items():
            best[act] = max(best.get(act, 0.0), p)
    toks += _acts(best, "va:")
    toks += _detail_kinds(f)
    return tuple(toks + [f"a{f.article}|{t}" for t in toks] + [f"a{f.article}"])


def _detail_kinds(f: Finding) -> list[str]:
    """Short typed lists of a finding's evidence (an unanswered question's kinds)."""
    kinds = f.detail.get("kinds")
    if isinstance(kinds, list):
        return [f"d:kinds={k}" for k in kinds if isinstance(k, str) and k.isascii() and len(k) <= 24]
    return []


@dataclass(frozen=True)
class VetoModel:
    """P(true | flagged): one regression over rule findings, and per article its veto bar.

    A rule finding of an article with a bar whose probability is below it is dropped.

    Attributes:
        intercept: The regression's intercept.
        weights: Token (:func:`flag_tokens`) -> weight (tokens not listed weigh 0).
        bars: Article -> its bar (an article not listed: the veto model keeps its findings).
    """

    intercept: float
    weights: Mapping[str, float]
    bars: Mapping[int, float]

    def probability(self, tokens: Sequence[str]) -> float:
        """P(true | flagged) of a finding's tokens."""
        z = self.intercept + sum(self.weights.get(t, 0.0) for t in set(tokens))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> VetoModel:
        """Build from the weights file's ``flags`` section."""
        return VetoModel(float(data["intercept"]),
                         {str(t): float(w) for t, w in data["weights"].items()},
                         {int(a): float(b) for a, b in data["bars"].items()})


@dataclass(frozen=True)
class Judge:
    """The judge's models and bars, as :mod:`analyzer.training.judge` exports them.

    Attributes:
        models: ``(article, level)`` -> regression (missing: no model, rules-only).
        bars: Article -> its bars.
        rules: Article -> the lexicon rule a judge-only finding is filed under.
        version: Content hash of the weights file.
        seen: The rules whose findings the training material held: the judge has a say only
            on findings of these (an acoustic finding, a hall's own rule or any rule it never
            saw keeps the rules' word). None (a weights file without ``seen``): every rule.
        features: The feature groups its units carry beyond the base (:data:`FEATURES`;
            a weights file without ``features``: none).
        flags: The veto model over rule findings (P(true | flagged), :class:`VetoModel`;
            a weights file without ``flags``: none).
    """

    models: Mapping[tuple[int, str], Model]
    bars: Mapping[int, Bars]
    rules: Mapping[int, str]
    version: str = ""
    seen: frozenset[str] | None = None
    features: tuple[str, ...] = ()
    flags: VetoModel | None = None

    def rate(self, unit_list: Sequence[Unit]) -> dict[tuple[int, str, int], float]:
        """``(article, level, index)`` -> probability, for the units that have a model."""
        out = {}
        for u in unit_list:
            m = self.models.get((u.article, u.level))
            if m is not None:
                out[(u.article, u.level, u.index)] = m.probability(u.tokens)
        return out

    @staticmethod
    def from_dict(data: Mapping[str, Any], version: str = "") -> Judge:
        """Build from the JSON form (``format`` must be :data:`FORMAT`)."""
        if data.get("format") != FORMAT:
            raise ModelError(f"judge weights format {data.get('format')!r}, expected {FORMAT}")
        models = {}
        for key, m in data["models"].items():
            a, level = key.split(":")
            models[(int(a), level)] = Model(float(m["intercept"]), {
                int(j): float(w) for j, w in zip(m["index"], m["weight"], strict=True)})
        bars = {int(a): Bars(b.get("veto"), b.get("add")) for a, b in data["bars"].items()}
        seen = data.get("seen")
        features = tuple(str(g) for g in data.get("features", ()))
        unknown = sorted(set(features) - set(FEATURES))
        if unknown:
            raise ModelError(f"judge weights use unknown feature groups {unknown}; "
                             f"this analyzer knows {list(FEATURES)}")
        flags = VetoModel.from_dict(data["flags"]) if data.get("flags") else None
        return Judge(models, bars, {int(a): r for a, r in data["rules"].items()}, version,
                     None if seen is None else frozenset(str(r) for r in seen), features, flags)


def load_judge(path: str = "") -> Judge:
    """The judge's weights: ``path``, or the shipped ``models/judge.json`` ("").

    Raises:
        ModelError: The file is missing or not a judge weights file.
    """
    return _load(path or "")


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Judge:
    import hashlib

    from analyzer.resources import data_path

    file = Path(path) if path else data_path("models", MODEL_FILE)
    try:
        text = file.read_text(encoding="utf-8")
        data = json.loads(text)
        return Judge.from_dict(data, hashlib.sha256(text.encode()).hexdigest()[:12])
    except (OSError, ValueError, KeyError, TypeError, ModelError) as exc:
        raise ModelError(f"judge weights unreadable: {exc}", source=str(file)) from exc


def utterance_acts(utterances: Sequence[Utterance], options: AnalyzerOptions
                   ) -> list[Mapping[str, float] | None]:
    """Per utterance, the act detector's probabilities (staff turns only; None elsewhere)."""
    copts = options.classifier
    if not (copts.enabled and copts.acts):
        return [None] * len(utterances)
    from analyzer.rules.learned import act_probabilities

    staff = [k for k, u in enumerate(utterances) if u.speaker == "staff"]
    probs = act_probabilities([utterances[k].text for k in staff], copts)
    out: list[Mapping[str, float] | None] = [None] * len(utterances)
    for k, p in zip(staff, probs, strict=True):
        out[k] = p
    return out


def utterance_cues(utterances: Sequence[Utterance], options: AnalyzerOptions
                   ) -> list[Mapping[str, float] | None]:
    """Per utterance, the cue model's class probabilities (citizen turns only; None elsewhere)."""
    copts = options.classifier
    if not copts.enabled:
        return [None] * len(utterances)
    from analyzer.rules.learned import classify, staff_before

    index = [k for k, u in enumerate(utterances) if u.speaker == "citizen"]
    out: list[Mapping[str, float] | None] = [None] * len(utterances)
    if not index:
        return out
    preds = classify([utterances[k].text for k in index], "cues", copts,
                     befores=[staff_before(utterances, k) for k in index])
    for k, pred in zip(index, preds, strict=True):
        out[k] = None if pred is None else dict(pred.probabilities)
    return out


def combine(findings: Sequence[Finding], utterances: Sequence[Utterance], unit_list: Sequence[Unit],
            judge: Judge, options: JudgeOptions, lexicon: Lexicon | None = None,
            flags: Sequence[float | None] | None = None) -> list[Finding]:
    """The findings after the judge's vetoes and additions (see the module docstring).

    Args:
        findings: The rules' findings.
        utterances: The interaction's utterances.
        unit_list: Its units (:func:`units`).
        judge: The models and bars.
        options: ``judge`` options (which sides are on, the review bar).
        lexicon: For the title and points of an added finding's rule (None: 0 points).
        flags: Per finding, the veto model's P(true | flagged) (:func:`rate_flags`; None:
            the veto model is not consulted).
    """
    return decide(findings, utterances, judge.rate(unit_list), judge.bars, judge.rules,
                  options, lexicon, judge.seen, flags,
                  judge.flags.bars if judge.flags is not None else None)


#: Articles no veto touches (session 12): a finding's shape does not tell the clerk's own busy
#: put-off (我这会儿腾不出手，你过两天再来, ``tests/test_duties.py``) from a come-again for a missing
#: paper, and the veto model's first-run bar dropped the first; Article 25 is left to the rules.
NO_VETO: frozenset[int] = frozenset({25})


def vetoable(f: Finding) -> bool:
    """Whether the judge's vetoes (the turn models' and the veto model's) may drop ``f``.

    The one place the exemption is read: not when the rule that filed it marked it
    (``Finding.veto_exempt``: decided by a reply, by timing or by the audio, which the
    judge's units do not see), nor on an article of :data:`NO_VETO`. Such a finding is kept as the rules filed it.
    """
    return not f.veto_exempt and f.article not in NO_VETO


def decide(findings: Sequence[Finding], utterances: Sequence[Utterance],
           probs: Mapping[tuple[int, str, int], float], bars: Mapping[int, Bars],
           rules: Mapping[int, str], options: JudgeOptions,
           lexicon: Lexicon | None = None, seen: frozenset[str] | None = None,
           flags: Sequence[float | None] | None = None,
           flag_bars: Mapping[int, float] | None = None) -> list[Finding]:
    """:func:`combine` on probabilities already rated (training picks its bars with it).

    Args:
        findings: The rules' findings.
        utterances: The interaction's utterances.
        probs: ``(article, level, index)`` -> the judge's probability.
        bars: Article -> its bars (missing: rules-only).
        rules: Article -> the rule a judge-only finding is filed under.
        options: ``judge`` options.
        lexicon: For an added finding's title and points.
        seen: The rules the judge may rule on (:attr:`Judge.seen`; None: every rule).
        flags: Per finding, the veto model's P(true | flagged) (None: not rated).
        flag_bars: Article -> the veto model's bar (a finding rated below it is dropped).
    """
    out: list[Finding] = []
    rated = list(flags) if flags is not None else [None] * len(findings)
    for f, q in zip(findings, rated, strict=True):
        if not vetoable(f):
            out.append(f)
            continue
        p = None if seen is not None and f.rule not in seen else _probability_of(
            f, utterances, probs)
        bar = bars.get(f.article, Bars())
        q = None if seen is not None and f.rule not in seen else q
        flag_bar = (flag_bars or {}).get(f.article)
        if q is not None and p is not None and bar.add is not None and p >= bar.add:
            q = None  # the turn judge would file the article itself: the rule's own finding stands
        if options.veto and q is not None and flag_bar is not None and q < flag_bar:
            continue
        if p is None and q is None:
            out.append(f)
        elif options.veto and p is not None and bar.veto is not None and p < bar.veto:
            continue
        else:
            said: dict[str, Any] = {"source": "rule"}
            said |= {"judge_probability": round(p, 4)} if p is not None else {}
            said |= {"flag_probability": round(q, 4)} if q is not None else {}
            out.append(replace(f, detail={**f.detail, **said}))
    if options.add:
        out += _additions(out, utterances, probs, bars, rules, options, lexicon)
    return out


def _probability_of(f: Finding, utterances: Sequence[Utterance],
                    probs: Mapping[tuple[int, str, int], float]) -> float | None:
    got = [probs[(f.article, "turn", k)] for k, u in enumerate(utterances)
           if (f.article, "turn", k) in probs and _overlaps(f, u)]
    if (f.article, "visit", -1) in probs:
        got.append(probs[(f.article, "visit", -1)])
    return max(got) if got else None


def _additions(kept: Sequence[Finding], utterances: Sequence[Utterance],
               probs: Mapping[tuple[int, str, int], float], bars: Mapping[int, Bars],
               rules: Mapping[int, str], options: JudgeOptions,
               lexicon: Lexicon | None) -> list[Finding]:
    out: list[Finding] = []
    for (a, level, k), p in sorted(probs.items()):
        bar = bars.get(a, Bars()).add
        if bar is None or p < bar or a not in rules:
            continue
        start: float | None = None
        end: float | None = None
        evidence = ""
        if level == "turn":
            u = utterances[k]
            if any(f.article == a and _overlaps(f, u) for f in kept):
                continue
            start, end, evidence = u.start, u.end, u.text
        elif any(f.article == a for f in [*kept, *out]):
            continue
        f = _judge_finding(rules[a], a, start, end, evidence, p, options, lexicon)
        if f is not None:
            out.append(f)
    return out


def _judge_finding(rule_id: str, article: int, start: float | None, end: float | None,
                   evidence: str, p: float, options: JudgeOptions,
                   lexicon: Lexicon | None) -> Finding | None:
    canonical, points = rule_id, 0
    if lexicon is not None:
        rule: Rule | None
        try:
            rule = lexicon.get(rule_id)
        except KeyError:  # a group of owed phrases: its first rule; none: the hall switched it off
            rule = next((r for r in lexicon.rules if r.group == rule_id), None)
        if rule is None:
            return None
        canonical, points = rule.canonical or rule.shown_title(), rule.points
    review = "judge" if p < options.review_probability else ""
    return Finding(rule=rule_id, article=article, kind="judge", canonical=canonical,
                   speaker="staff", start=start, end=end, evidence=evidence,
                   confidence=round(p, 4), points=points,
                   detail={"source": "judge", "judge_probability": round(p, 4),
                           **({"review_bar": options.review_probability} if review else {})},
                   review=review)


def judge_findings(utterances: Sequence[Utterance], channel: str, findings: Sequence[Finding],
                   options: AnalyzerOptions, lexicon: Lexicon | None = None,
                   started_at: str = "") -> list[Finding]:
    """The hook where findings are finalized: the rules' findings with the judge's say.

    A no-op (the findings as given) when ``judge.enabled`` is off. ``started_at`` (the
    interaction's ISO start) gives the veto model the hour.
    """
    if not options.judge.enabled:
        return list(findings)
    judge = load_judge(options.judge.model)
    need_cues = "cue" in judge.features or judge.flags is not None
    cues = utterance_cues(utterances, options) if need_cues else None
    acts = utterance_acts(utterances, options)
    unit_list = units(utterances, channel, findings, acts, cues, judge.features)
    flags = None if judge.flags is None else rate_flags(
        judge.flags, findings, utterances, channel, acts, cues, started_at)
    return combine(findings, utterances, unit_list, judge, options.judge, lexicon, flags)


def rate_flags(model: VetoModel, findings: Sequence[Finding], utterances: Sequence[Utterance],
               channel: str, acts: Sequence[Mapping[str, float] | None],
               cues: Sequence[Mapping[str, float] | None] | None, started_at: str = ""
               ) -> list[float | None]:
    """Per finding, the veto model's P(true | flagged); None where its article has no bar."""
    cue_list = list(cues) if cues is not None else [None] * len(utterances)
    return [model.probability(flag_tokens(f, utterances, channel, findings, acts, cue_list,
                                          started_at))
            if f.article in model.bars and f.kind != "judge" else None for f in findings]
