"""Train the turn-level judge (:mod:`analyzer.rules.judge`) and choose its bars.

Training material: every labelled hall set of ours in the dev-set format
(:data:`SETS`: ``benchmarks/data/blind-halls``, ``-2``, ``-3`` and
``train-halls-1`` to ``-34``, written blind to the rules; a missing folder is
skipped) and the visits of :mod:`benchmarks.hall_visits` (``ours-halls``).
``../shared/data/dialogues-dev`` and the measure sets (``blind-halls-4`` on)
are never read here: they only measure.

Each interaction is analysed once with the judge off; its rule findings,
staff turns, act and cue probabilities become units
(:func:`analyzer.rules.judge.units`), labelled from the breaches (a turn unit
is positive when a breach of its article quotes that turn; a visit unit when
an absence of its article is labelled; units of articles neither breached nor
listed clean are left out). One logistic regression per article and level
(liblinear, L2, seeded), and per article the veto and add bars chosen by
:func:`pick` over out-of-fold (leave-one-SET-out) probabilities on the
training sets, aimed at issue 23's goal (:data:`AIM`: the F0.5 must rise by
0.01 over rules-only, recall may fall by at most 0.02 and never below 0.90
or the rules' own recall, whichever is lower). The rows the bars are chosen on
are the training sets' first-run findings (:func:`fold_bars`), today's findings
guarding recall.

Usage (from the repository root)::

    .venv/bin/python -m analyzer.training.judge [--out analyzer/_data/models/judge.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.options import AnalyzerOptions, JudgeOptions
from analyzer.rules.judge import (
    ARTICLES,
    DIM,
    FEATURES,
    FORMAT,
    LEVELS,
    Bars,
    Model,
    VetoModel,
    decide,
    units,
    utterance_acts,
    utterance_cues,
    vector,
)
from analyzer.training.items import Item, breach_span

log = logging.getLogger("analyzer")

ROOT = Path(__file__).resolve().parents[2]
#: Our labelled sets, in the order they are read (missing folders are skipped).
SETS: tuple[str, ...] = ("blind-halls", "blind-halls-2", "blind-halls-3",
                         *(f"train-halls-{k}" for k in range(1, 35)))
#: Generated visits of benchmarks/hall_visits.py used as one more set, and its seed.
HALLS, HALLS_SEED = 200, 5
#: Visits of the older generator (benchmarks/dialogues.py) as one more set: its ``dev`` split's
#: phrasings under a seed of their own (the benchmarks measure seed 11 of ``dev`` and the
#: ``held-out`` split's other phrasings), so the judge has seen that wording too.
DIALOGUES, DIALOGUES_SEED = 200, 13
#: Regularisation of every regression (liblinear's C).
C = 0.5
#: A model needs this many positive units, else its article and level stay rules-only.
MIN_POSITIVES = 4
#: Weights smaller than this are dropped (in cross-validation too, so the bars fit the
#: pruned models): 0.01 keeps about a quarter of them (~0.7 MB of JSON instead of 2.5 MB).
PRUNE = 0.01
#: Bars tried (None: that side off). Vetoes only where the judge is nearly sure (<= 0.03):
#: at 0.1-0.2 (session 9) it dropped true findings in short visits worded unlike any
#: training set (a rude redirect 滚去别的窗口问 rated 0.07 for A6, 这个问题我都答过两遍了 0.17
#: for A10), which the generated guard sets cannot show (they hold no Art. 6 breach).
VETO_BARS: tuple[float | None, ...] = (None, 0.01, 0.03)
#: The low add bars: recall where the rules miss, kept per article only where the nested
#: leave-one-set-out shows they find breaches at no more than :data:`ADD_FALSE_PER_FOUND`
#: false findings per breach found, on the first runs and on today's findings alike.
#: **Off as shipped** (session 13): tried at (0.1, 0.2, 0.3), the nested check kept 0.1 on A6,
#: A9, A10, A16 and A18 (first runs +32 breaches found, +1 false) and fresh sets gained 25
#: breaches for 6 false findings, but the held additions fell on our own compliant turns (a
#: redirect naming its place rated 0.20 for A16, a colleague-away deferral for A9:
#: ``tests/test_duties.py``) and on our generators (ours-halls 9 -> 19 false, A10); see the
#: manual's *Session 13*. ``(0.1, 0.2, 0.3)`` switches them back on.
RECALL_ADD_BARS: tuple[float, ...] = ()
#: Add bars tried; those of :data:`RECALL_ADD_BARS` (turns the judge rates well under 0.5
#: where the rules are silent) only where :func:`recall_adds_pay` says so.
ADD_BARS: tuple[float | None, ...] = (None, *RECALL_ADD_BARS, 0.5, 0.7, 0.9)
#: The cap on the false findings the low add bars may add: per breach they find (nested).
ADD_FALSE_PER_FOUND = 0.5


def load_folder(folder: Path) -> list[Item]:
    """Read a dev-format folder (``interactions.jsonl`` + ``labels.json``)."""
    with (folder / "interactions.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    labels = {lab["id"]: lab for lab in json.loads((folder / "labels.json").read_text("utf-8"))}
    return [Item(folder.name, r, list(labels[r["id"]]["breaches"]),
                 set(labels[r["id"]]["clean_articles"])) for r in records]


def hall_items(count: int = HALLS, seed: int = HALLS_SEED) -> list[Item]:
    """Visits of ``benchmarks/hall_visits.py`` (the repository's, not the wheel's)."""
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    from benchmarks.hall_visits import generate

    out = []
    for v in generate(count, seed):
        lab = v.labels()
        out.append(Item("ours-halls", v.record, list(lab["breaches"]), set(lab["clean_articles"])))
    return out


def dialogue_items(count: int = DIALOGUES, seed: int = DIALOGUES_SEED) -> list[Item]:
    """Visits of ``benchmarks/dialogues.py`` (split ``dev``), as the set ``ours-dialogues``."""
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    from benchmarks.dialogues import generate, labels_of

    out = []
    for v in generate(count, "dev", seed):
        lab = labels_of(v)
        out.append(Item("ours-dialogues", v.record, list(lab["breaches"]),
                        set(lab["clean_articles"])))
    return out


def training_items(data: Path | None = None, halls: int = HALLS,
                   dialogues: int = DIALOGUES) -> list[Item]:
    """Every training set that exists, in :data:`SETS` order, then the generated sets."""
    data = data or ROOT / "benchmarks" / "data"
    out = []
    for name in SETS:
        if (data / name / "labels.json").is_file():
            out += load_folder(data / name)
    out += hall_items(halls) if halls else []
    return out + (dialogue_items(dialogues) if dialogues else [])


def label_units(item: Item) -> list[int | None]:
    """The label of each of the item's units (None: the article is not labelled)."""
    known = item.clean | {b["article"] for b in item.breaches}
    spans = {(b["article"], breach_span(item, b)) for b in item.breaches}
    out: list[int | None] = []
    for u in item.units:
        if u.article not in known:
            out.append(None)
        elif u.level == "visit":
            out.append(int((u.article, None) in spans))
        else:
            t = item.utterances[u.index]
            out.append(int(any(a == u.article and s is not None and s[0] < t.end and t.start < s[1]
                               for a, s in spans)))
    return out


def prepare(items: list[Item], options: AnalyzerOptions | None = None) -> list[Item]:
    """Analyse every item with the judge off and build its units and labels (in place)."""
    from dataclasses import replace

    import analyzer

    options = replace(options or AnalyzerOptions(), judge=JudgeOptions(enabled=False))
    for item in items:
        report = analyzer.analyze(dict(item.record), options)
        item.utterances = list(report.utterances)
        item.findings = list(report.findings)
        item.channel = report.channel
        item.started_at = report.started_at
        item.acts = utterance_acts(item.utterances, options)
        item.cues = utterance_cues(item.utterances, options)
        build(item)
    return items


def with_first_runs(items: list[Item], data: Path | None = None) -> list[Item]:
    """``items`` (analysed) and, after them, each set's first-run items with their units built.

    The veto model trains on those (:mod:`analyzer.training.first_runs`); the turn
    models only rate them, in their set's fold, for the nested report.
    """
    from analyzer.training.first_runs import first_run_items

    return items + [build(i) for i in first_run_items(items, data or ROOT / "benchmarks" / "data")]


def build(item: Item, features: Sequence[str] = FEATURES) -> Item:
    """The item's units, labels, vectors and blocks from its analysis (in place)."""
    item.units = units(item.utterances, item.channel, item.findings, item.acts, item.cues,
                       features)
    item.labels = label_units(item)
    item.vectors = [vector(u.tokens) for u in item.units]
    item.blocks = _blocks(item)
    return item


def _blocks(item: Item) -> dict[tuple[int, str], tuple[Any, list[int], list[int | None]]]:
    """Per article and level: the item's hashed rows (CSR), unit indices and labels."""
    import numpy as np
    from scipy.sparse import csr_matrix

    rows: dict[tuple[int, str], tuple[list[dict[int, float]], list[int], list[int | None]]] = {}
    for u, y, vec in zip(item.units, item.labels, item.vectors, strict=True):
        xs, idx, ys = rows.setdefault((u.article, u.level), ([], [], []))
        xs.append(vec)
        idx.append(u.index)
        ys.append(y)
    out = {}
    for key, (xs, idx, ys) in rows.items():
        indptr, indices = [0], []
        for x in xs:
            indices += sorted(x)
            indptr.append(len(indices))
        out[key] = (csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(xs), DIM)),
                    idx, ys)
    return out


#: Per article and level, labelled rows stacked (CSR, in item order) and their labels.
Stack = dict[tuple[int, str], tuple[Any, list[int]]]


def _stack(items: Sequence[Item]) -> Stack:
    """The labelled rows of ``items`` per article and level, stacked in item order."""
    from scipy.sparse import vstack

    parts: dict[tuple[int, str], tuple[list[Any], list[int]]] = {}
    for item in items:
        for key, (matrix, _, ys) in item.blocks.items():
            keep = [k for k, y in enumerate(ys) if y is not None]
            if keep:
                ms, labels = parts.setdefault(key, ([], []))
                ms.append(matrix[keep])
                labels += [int(ys[k]) for k in keep]  # type: ignore[arg-type]
    return {key: (vstack(ms).tocsr(), labels) for key, (ms, labels) in parts.items()}


def fit(items: Sequence[Item]) -> dict[tuple[int, str], Model]:
    """One regression per article and level with at least :data:`MIN_POSITIVES` positives."""
    return _fit_stacks([_stack(items)])


def _fit_stacks(stacks: Sequence[Stack]) -> dict[tuple[int, str], Model]:
    """:func:`fit` on rows stacked already (:func:`_stack`), one stack after another."""
    import numpy as np
    from scipy.sparse import vstack
    from sklearn.linear_model import LogisticRegression

    models = {}
    for key in sorted({k for s in stacks for k in s}):
        ms = [s[key][0] for s in stacks if key in s]
        labels = [y for s in stacks if key in s for y in s[key][1]]
        if sum(labels) < MIN_POSITIVES or sum(labels) == len(labels):
            continue
        matrix = vstack(ms).tocsr() if len(ms) > 1 else ms[0]
        seen = np.unique(matrix.indices)  # fit on the columns in use only (much faster)
        lr = LogisticRegression(C=C, solver="liblinear", dual=True, random_state=0, max_iter=1000)
        lr.fit(matrix[:, seen], np.array(labels))
        weights = {int(j): round(float(w), 4) for j, w in zip(seen, lr.coef_[0], strict=True)
                   if abs(w) >= PRUNE}
        models[key] = Model(round(float(lr.intercept_[0]), 4), weights)
    return models


def rate(items: Sequence[Item], models: Mapping[tuple[int, str], Model]
         ) -> list[dict[tuple[int, str, int], float]]:
    """Per item, ``(article, level, index)`` -> probability (as :meth:`Model.probability`)."""
    import numpy as np

    dense = {}
    for key, m in models.items():
        w = np.zeros(DIM)
        if m.weights:
            w[list(m.weights)] = list(m.weights.values())
        dense[key] = (m.intercept, w)
    out = []
    for item in items:
        probs = {}
        for key, (matrix, idx, _) in item.blocks.items():
            if key in dense:
                b, w = dense[key]
                z = np.clip(matrix @ w + b, -30.0, 30.0)
                for k, p in zip(idx, 1.0 / (1.0 + np.exp(-z)), strict=True):
                    probs[(key[0], key[1], k)] = float(p)
        out.append(probs)
    return out


def out_of_fold(items: Sequence[Item]) -> list[dict[tuple[int, str, int], float]]:
    """Leave-one-set-out probabilities: each set rated by models trained on the others.

    First-run items (:mod:`analyzer.training.first_runs`) are rated with their set and
    never trained on.
    """
    probs: list[dict[tuple[int, str, int], float]] = [{} for _ in items]
    order = list(dict.fromkeys(i.source for i in items if not i.first_run))
    stacks = {s: _stack([i for i in items if i.source == s and not i.first_run]) for s in order}
    for source in sorted({i.source for i in items}):
        test = [k for k, i in enumerate(items) if i.source == source]
        models = _fit_stacks([stacks[s] for s in order if s != source])  # each set stacked once
        rated = rate([items[k] for k in test], models)
        for k, p in zip(test, rated, strict=True):
            probs[k] = p
    return probs


def default_rules(items: Sequence[Item]) -> dict[int, str]:
    """Per article, the rule its rule findings are most often filed under (judge additions' rule)."""
    counts: dict[int, Counter[str]] = {}
    for item in items:
        for f in item.findings:
            counts.setdefault(f.article, Counter())[f.rule] += 1
    return {a: c.most_common(1)[0][0] for a, c in sorted(counts.items()) if a in ARTICLES}


Scorer = Any  # (items, findings per item) -> {article: (true, false, found, labelled)}


@dataclass(frozen=True)
class Aim:
    """What the bar chooser maximises, and what it may give up for it.

    Per article, over the bars tried, on out-of-fold probabilities: the F-beta
    (beta < 1 weighs precision more) must rise by ``min_gain`` over rules-only,
    and recall may fall by at most ``max_recall_loss`` and never below
    ``min(rules-only recall, recall_floor)``; on each guard set (:data:`GUARD_SETS`, rated
    by models that never saw its wording) recall may fall by at most ``guard_loss``.
    """

    beta: float = 0.5
    min_gain: float = 0.01
    max_recall_loss: float = 0.02
    recall_floor: float = 0.90
    guard_loss: float = 0.05


#: Sets whose out-of-fold recall guards the bars: our generators' visits are worded unlike
#: every blind-written set, so models trained without them rate their true findings the way
#: the shipped judge rates wording it never saw (a new hall's, the shared dev set's). Vetoes
#: that cut recall there would cut it on every unseen wording (session 9: without the guard,
#: bars chosen on the blind-written sets cut the old generator's recall 0.98 -> 0.87 and one
#: of dialogues-dev's five Art. 17 breaches).
GUARD_SETS: tuple[str, ...] = ("ours-halls", "ours-dialogues")
#: The shipped aim (issue 23's goal: precision >= 0.95 at recall >= 0.90 per article, where
#: the rules miss the precision far more than the recall): F0.5 with a recall floor.
AIM = Aim()


def f_beta(prec: float, rec: float, beta: float) -> float:
    """The F-beta of a precision and a recall (0 when both are 0)."""
    b2 = beta * beta
    return (1 + b2) * prec * rec / (b2 * prec + rec) if prec + rec else 0.0


def bar_table(items: Sequence[Item], probs: Sequence[Mapping[tuple[int, str, int], float]],
              rules: Mapping[int, str], scorer: Scorer, article: int
              ) -> list[tuple[float | None, float | None, int, int, int, int]]:
    """Per pair of bars tried, ``(veto, add, true, false, found, labelled)`` for one article.

    The first row is rules-only (both bars off).
    """
    on = JudgeOptions(enabled=True, review_probability=0.0)
    mine = [(i, p) for i, p in zip(items, probs, strict=True)
            if article in i.clean or any(b["article"] == article for b in i.breaches)]
    if not any(k[0] == article for _, p in mine for k in p):
        return []
    rows = []
    for veto in VETO_BARS:
        for add in ADD_BARS:
            bars = {article: Bars(veto, add)}
            found = [decide(i.findings, i.utterances, p, bars, rules, on) for i, p in mine]
            rows.append((veto, add, *scorer([i for i, _ in mine], found)[article]))
    return rows


def choose_bars(items: Sequence[Item], probs: Sequence[Mapping[tuple[int, str, int], float]],
                rules: Mapping[int, str], scorer: Scorer, aim: Aim = AIM) -> dict[int, Bars]:
    """Per article, the bars that best meet ``aim`` over rules-only on ``probs`` (out of fold)."""
    chosen: dict[int, Bars] = {}
    guards = [[k for k, i in enumerate(items) if i.source == g] for g in GUARD_SETS]
    for a in ARTICLES:
        guard_rows = [bar_table([items[k] for k in g], [probs[k] for k in g], rules, scorer, a)
                      for g in guards if g]
        best = pick(bar_table(items, probs, rules, scorer, a), aim, guard_rows)
        if best is not None:
            chosen[a] = best
    return chosen


Row = tuple[float | None, float | None, int, int, int, int]


def _pool(item: Item) -> str:
    """Where an item's bar rows go: ``first`` (a first-run record), its guard set, or ``blind``."""
    if item.first_run:
        return "first"
    return item.source if item.source in GUARD_SETS else "blind"


def fold_bars(items: Sequence[Item], probs: Sequence[Mapping[tuple[int, str, int], float]],
              rules: Mapping[int, str], scorer: Scorer, aim: Aim = AIM,
              report: dict[int, dict[str, Any]] | None = None
              ) -> tuple[dict[int, Bars], dict[str, dict[int, Bars]]]:
    """The turn judge's bars on every set, and per set the bars chosen without it.

    Bars are chosen (:func:`pick`) on the **first-run** findings where there are any — what
    the rules file on wording they were not fixed from, the findings a veto meets in use —
    while today's findings on the blind-written sets may lose at most
    ``aim.max_recall_loss`` of their recall and each generated guard set ``aim.guard_loss``;
    without first-run items, on the blind-written sets as :func:`choose_bars` does. The
    per-set bars (one leave-one-set-out: ``probs`` are out of fold, the bars chosen on the
    other sets' rows) feed the nested report (:func:`analyzer.training.flags.nested`).

    The low add bars (:data:`RECALL_ADD_BARS`) are tried per article only as a second
    recipe: the bars are chosen with and without them, and an article takes the low ones
    (on every set and in every fold) only where their nested figures pay
    (:func:`recall_adds_pay`). ``report`` (when given) gets, per article, both recipes'
    nested figures (:func:`nested_rows`) and whether the low ones were kept.
    """
    sources = sorted({i.source for i in items})
    keys = sorted({(i.source, _pool(i)) for i in items})
    tables: dict[tuple[str, str], dict[int, list[Row]]] = {}
    for key in keys:
        keep = [k for k, i in enumerate(items) if (i.source, _pool(i)) == key]
        tables[key] = {a: bar_table([items[k] for k in keep], [probs[k] for k in keep], rules,
                                    scorer, a) for a in ARTICLES}
    primary = "first" if any(i.first_run for i in items) else "blind"

    def summed(pool: str, a: int, without: str) -> list[Row]:
        rows: list[list[Any]] = []
        for (source, p), table in tables.items():
            if p != pool or source == without or not table[a]:
                continue
            if not rows:
                rows = [list(r) for r in table[a]]
                continue
            for r, q in zip(rows, table[a], strict=True):
                r[2:] = [x + y for x, y in zip(r[2:], q[2:], strict=True)]
        return [tuple(r) for r in rows]

    def chosen(without: str, low: bool) -> dict[int, Bars]:
        out = {}
        for a in ARTICLES:
            def mine(pool: str, a: int = a) -> list[Row]:
                return [r for r in summed(pool, a, without) if low or r[1] not in RECALL_ADD_BARS]
            rows = mine(primary)
            guards = [g for g in (mine(s) for s in GUARD_SETS) if g]
            kept = [g for g in [mine("blind")] if g] if primary == "first" else []
            best = pick(rows, aim, guards, kept)
            if best is not None:
                out[a] = best
        return out

    plain = (chosen("", False), {s: chosen(s, False) for s in sources})
    low = (chosen("", True), {s: chosen(s, True) for s in sources})
    figures = {a: (nested_rows(tables, plain[1], a), nested_rows(tables, low[1], a))
               for a in ARTICLES}
    pays = {a for a, (before, after) in figures.items() if recall_adds_pay(before, after)}
    if report is not None:
        report |= {a: {"without": before, "with": after, "kept": a in pays}
                   for a, (before, after) in figures.items()}
    def take(low_bars: Mapping[int, Bars], plain_bars: Mapping[int, Bars]) -> dict[int, Bars]:
        return ({a: b for a, b in low_bars.items() if a in pays}
                | {a: b for a, b in plain_bars.items() if a not in pays})

    return take(low[0], plain[0]), {s: take(low[1][s], plain[1][s]) for s in sources}


def nested_rows(tables: Mapping[tuple[str, str], Mapping[int, Sequence[Row]]],
                by_fold: Mapping[str, Mapping[int, Bars]], article: int) -> dict[str, list[int]]:
    """Per pool, ``[false, found, labelled]`` of each set at the bars chosen without it, summed.

    The leave-one-set-out of the bar choice, read off the bar tables (each held-out set's
    row at its fold's bars; rules-only where its fold chose none).
    """
    out: dict[str, list[int]] = {}
    for (source, pool), table in tables.items():
        rows = table[article]
        if not rows:
            continue
        bars = by_fold.get(source, {}).get(article, Bars())
        row = next(r for r in rows if (r[0], r[1]) == (bars.veto, bars.add))
        have = out.setdefault(pool, [0, 0, 0])
        out[pool] = [have[0] + row[3], have[1] + row[4], have[2] + row[5]]
    return out


def recall_adds_pay(before: Mapping[str, Sequence[int]], after: Mapping[str, Sequence[int]]
                    ) -> bool:
    """Whether the low add bars pay for an article, on its nested figures (:func:`nested_rows`).

    They must find more breaches on the first runs (or, without first runs, on today's
    findings), and on every pool add at most :data:`ADD_FALSE_PER_FOUND` false findings per
    breach they find there (a guard set may take one false finding more).
    """
    main = "first" if "first" in after else "blind"
    if main not in after or after[main][1] <= before[main][1]:
        return False
    for pool, (fp, found, _) in after.items():
        more, gained = fp - before[pool][0], found - before[pool][1]
        slack = 1 if pool in GUARD_SETS else 0
        if more > ADD_FALSE_PER_FOUND * max(0, gained) + slack or gained < 0:
            return False
    return True


def pick(rows: Sequence[Row], aim: Aim = AIM, guards: Sequence[Sequence[Row]] = (),
         kept: Sequence[Sequence[Row]] = ()) -> Bars | None:
    """The bars of the row that best meets ``aim`` against the first row (rules-only), or None.

    Args:
        rows: ``(veto, add, true, false, found, labelled)`` per pair of bars (:func:`bar_table`).
        aim: What to maximise and what may be given up.
        guards: The same rows on each guard set alone (same order; none: no guard): recall
            may fall by at most ``aim.guard_loss`` there.
        kept: The same rows on pools whose recall may fall by at most ``aim.max_recall_loss``
            (today's findings on the blind-written sets, when ``rows`` are the first runs').
    """
    vetoed = {(r[0], r[1]) for g in guards for r in g
              if g[0][5] and r[4] / r[5] < g[0][4] / g[0][5] - aim.guard_loss - 1e-9}
    vetoed |= {(r[0], r[1]) for g in kept for r in g
               if g[0][5] and r[4] / r[5] < g[0][4] / g[0][5] - aim.max_recall_loss - 1e-9}
    results = []
    for veto, add, tp, fp, hit, n in rows:
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = hit / n if n else 1.0
        results.append((f_beta(prec, rec, aim.beta), prec, rec, veto, add))
    if not results:
        return None
    base = results[0]
    floor = max(base[2] - aim.max_recall_loss, min(base[2], aim.recall_floor))
    ok = [r for r in results if r[2] >= floor - 1e-9 and r[0] >= base[0] + aim.min_gain
          and (r[3], r[4]) not in vetoed]
    if not ok:
        return None
    best = max(ok, key=lambda r: (round(r[0], 4), r[2], r[1]))
    return Bars(best[3], best[4])


def export(models: Mapping[tuple[int, str], Model], bars: Mapping[int, Bars],
           rules: Mapping[int, str], meta: Mapping[str, Any],
           seen: Sequence[str] = (), flags: VetoModel | None = None,
           flag_figures: Mapping[int, Mapping[str, Sequence[int]]] | None = None
           ) -> dict[str, Any]:
    """The JSON form :meth:`analyzer.rules.judge.Judge.from_dict` reads."""
    from analyzer.training.flags import export_flags

    return {
        "format": FORMAT, "dim": DIM, "meta": dict(meta),
        "models": {f"{a}:{level}": {"intercept": m.intercept,
                                    "index": sorted(m.weights),
                                    "weight": [m.weights[j] for j in sorted(m.weights)]}
                   for (a, level), m in sorted(models.items())},
        "bars": {str(a): {"veto": b.veto, "add": b.add} for a, b in sorted(bars.items())},
        "rules": {str(a): r for a, r in sorted(rules.items())},
        "seen": sorted(seen),
        "features": list(FEATURES),
        **({"flags": export_flags(flags, flag_figures or {})}
           if flags is not None and flags.bars else {}),
        **({"flags_tried": {str(a): {k: list(v) for k, v in sorted(f.items())}
                            for a, f in sorted(flag_figures.items())}}
           if flag_figures and (flags is None or not flags.bars) else {}),
    }


def train(items: Sequence[Item], scorer: Scorer, aim: Aim = AIM) -> dict[str, Any]:
    """Models on all ``items``, bars from their leave-one-set-out probabilities; the JSON form.

    The veto model over the rules' findings (:mod:`analyzer.training.flags`) is trained
    beside the turn models and ships only where an article has a bar.
    """
    from analyzer.training.flags import train_flags

    current = [i for i in items if not i.first_run]
    rules = default_rules(current)
    oof = out_of_fold(items)
    recall: dict[int, dict[str, Any]] = {}
    bars, by_fold = fold_bars(items, oof, rules, scorer, aim, recall)
    flags, figures = train_flags(items, scorer, GUARD_SETS, (oof, by_fold, rules))
    models = fit(current)
    sources = Counter(i.source for i in current)
    first = Counter(i.source for i in items if i.first_run)
    return export(models, bars, rules, {
        "sets": dict(sorted(sources.items())), "first_runs": dict(sorted(first.items())),
        "C": C, "levels": list(LEVELS),
        "min_positives": MIN_POSITIVES, "veto_bars": list(VETO_BARS), "add_bars": list(ADD_BARS),
        "recall_adds": {"bars": list(RECALL_ADD_BARS), "false_per_found": ADD_FALSE_PER_FOUND,
                        "nested": {str(a): r for a, r in sorted(recall.items())}},
        "aim": {"beta": aim.beta, "min_gain": aim.min_gain,
                "max_recall_loss": aim.max_recall_loss, "recall_floor": aim.recall_floor,
                "guard_loss": aim.guard_loss, "guard_sets": list(GUARD_SETS)}},
        sorted({f.rule for i in current for f in i.findings}), flags, figures)


def recall_table(nested: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The low add bars' nested figures as text: per article and pool, false / found / labelled
    of the turn judge's bars chosen without and with them, and whether they were kept."""
    lines = ["recall adds (turn judge, nested; false found/n without -> with the low add bars)"]
    for a, r in sorted(nested.items(), key=lambda kv: int(kv[0])):
        for pool, (fp, found, n) in sorted(r["with"].items()):
            b = r["without"][pool]
            if [fp, found] != b[:2] or pool == "first":
                lines.append(f"A{a:<3} {pool:<15} {b[0]:>4} {b[1]:>4}/{n:<4} -> {fp:>4} {found:>4}/{n:<4}"
                             f"{'  kept' if r['kept'] else ''}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Train on every set of :data:`SETS` present and ``ours-halls``; write the weights."""
    ap = argparse.ArgumentParser(description="Train the turn-level judge.")
    ap.add_argument("--out", type=Path, default=ROOT / "analyzer" / "_data" / "models" / "judge.json")
    ap.add_argument("--halls", type=int, default=HALLS)
    ap.add_argument("--dialogues", type=int, default=DIALOGUES)
    args = ap.parse_args(argv)
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    from benchmarks.judge import tallies

    items = with_first_runs(prepare(training_items(halls=args.halls, dialogues=args.dialogues)))
    data = train(items, tallies)
    from analyzer.training.flags import nested_table

    flags = data.get("flags", {})
    table = nested_table({int(a): f for a, f in (flags.get("nested") or data.get(
        "flags_tried", {})).items()}, {int(a): b for a, b in flags.get("bars", {}).items()})
    sys.stdout.write("\n".join(table + recall_table(data["meta"]["recall_adds"]["nested"])) + "\n")
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                        encoding="utf-8")
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
