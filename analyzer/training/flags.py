"""Train the judge's veto model: P(true | flagged) over the rules' own findings.

The judge's turn models (:mod:`analyzer.training.judge`) score P(breach) of a staff
turn from its characters, so a true finding worded as no training set words it
rates low and a veto on it drops a true breach. The veto model is trained on
another question and other units: **only the findings the rules file** (each one
a unit, judge off), labelled true when it finds a labelled breach as
``benchmarks/articles.py`` scores (its span overlaps the breach's utterance; any
finding of the article for an absence), false when its article is listed clean,
and left out otherwise. Its tokens are the finding's own
(:func:`analyzer.rules.judge.flag_tokens`: article, rule, kind, detector,
confidence, the shape of its evidence, the citizen turn before, the acts of
the staff turns after, hours, channel) and never the words, so an unfamiliar
wording keeps its article's prior.

One logistic regression over every article (each token alone and crossed with
the article), and per article a veto bar chosen on leave-one-SET-out
probabilities (:func:`choose_flag_bars`): the bar that most raises the
blind-written sets' precision while recall falls by at most
:data:`RECALL_CAP` there and on each generated guard set, and only where it
removes at least :data:`MIN_REMOVED` false findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from analyzer.options import JudgeOptions
from analyzer.rules.judge import ARTICLES, Bars, VetoModel, decide, flag_tokens
from analyzer.training.items import breach_span
from analyzer.types import Finding

if TYPE_CHECKING:
    from analyzer.training.items import Item

#: Regularisation of the veto regression (liblinear's C, L2).
FLAG_C = 0.3
#: Bars tried per article (a finding rated below its article's bar is dropped).
FLAG_BARS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6)
#: The recall a veto may cost an article, out of fold, on the blind-written sets pooled and
#: on each generated guard set alone. The fresh sets' recall (0.88) is already under issue
#: 23's 0.90 goal while their precision (0.79) is far under 0.95: a veto must pay in
#: precision, and 0.01 is at most one breach in a hundred.
RECALL_CAP = 0.01
#: A bar must remove at least this many false findings (out of fold) to be shipped.
MIN_REMOVED = 3
#: Weights smaller than this are dropped (keeps the JSON small).
FLAG_PRUNE = 0.01

Scorer = Callable[[Sequence[Any], Sequence[Sequence[Finding]]],
                  Mapping[int, tuple[int, int, int, int]]]


def _touches(f: Finding, span: tuple[float, float]) -> bool:
    if f.start is None or f.end is None:
        return False
    a, b = span
    return f.start <= b and a <= f.end and (f.start < b or a < f.end or a == b)


def flag_label(item: Item, f: Finding) -> int | None:
    """1: the finding finds a labelled breach; 0: its article is clean; None: neither."""
    spans = [breach_span(item, b) for b in item.breaches if b["article"] == f.article]
    if any(s is None or _touches(f, s) for s in spans):
        return 1
    return 0 if f.article in item.clean else None


def flag_units(item: Item) -> list[tuple[int, tuple[str, ...], int | None]]:
    """The veto model's units of one item: ``(finding index, tokens, label)``.

    One unit per finding the rules filed (``item.findings``, analysed with the judge off),
    of an article the judge speaks on; nothing else is a unit. A first-run item's findings
    carry their recorded labels (``item.finding_labels``, as ``benchmarks/articles.py``
    scores); today's are labelled by :func:`flag_label`.
    """
    marks = item.finding_labels
    return [(k, flag_tokens(f, item.utterances, item.channel, item.findings, item.acts,
                            item.cues or [None] * len(item.utterances), item.started_at),
             flag_label(item, f) if marks is None else marks[k])
            for k, f in enumerate(item.findings) if f.article in ARTICLES and f.kind != "judge"]


def flag_rows_of(items: Sequence[Item]) -> tuple[list[tuple[str, ...]], list[int]]:
    """The veto model's training rows: the tokens and label of every labelled rule finding."""
    rows, ys = [], []
    for item in items:
        for _, toks, y in _units(item):
            if y is not None:
                rows.append(toks)
                ys.append(y)
    return rows, ys


def fit_flags(items: Sequence[Item], bars: Mapping[int, float] | None = None) -> VetoModel:
    """The regression over every labelled unit of ``items`` (with ``bars``, default none).

    The columns are the tokens in use, in sorted order, and each row's columns sorted (the
    matrix :func:`flag_rows_of` would give); each item's rows are hashed to token ids once
    (:func:`_rows`), so the nested check's thousand fits do not re-read the tokens.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    parts = [_rows(i) for i in items]
    ids = np.concatenate([p[0] for p in parts])
    lens = np.concatenate([p[1] for p in parts])
    ys = [y for p in parts for y in p[2]]
    used, inverse = np.unique(ids, return_inverse=True)
    names = [_VOCAB[int(j)] for j in used]
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    indptr = np.concatenate([[0], np.cumsum(lens)])
    matrix = csr_matrix((np.ones(len(ids)), rank[inverse.ravel()], indptr),
                        shape=(len(lens), len(names)))
    matrix.sort_indices()
    lr = LogisticRegression(C=FLAG_C, solver="liblinear", random_state=0, max_iter=1000)
    lr.fit(matrix, np.array(ys))
    vocab = [names[k] for k in order]
    weights = {t: round(float(w), 4) for t, w in zip(vocab, lr.coef_[0], strict=True)
               if abs(w) >= FLAG_PRUNE}
    return VetoModel(round(float(lr.intercept_[0]), 4), weights, dict(bars or {}))


#: Token -> id and back, for :func:`_rows` (ids are assigned on first sight; only their
#: order within one fit, by token, matters).
_IDS: dict[str, int] = {}
_VOCAB: list[str] = []


def _rows(item: Item) -> tuple[Any, Any, list[int]]:
    """The item's labelled units as token ids (flat), their row lengths and labels (cached)."""
    import numpy as np

    if item.veto_rows is None:
        ids: list[int] = []
        lens: list[int] = []
        ys: list[int] = []
        for _, toks, y in _units(item):
            if y is None:
                continue
            row = set()
            for t in toks:
                if t not in _IDS:
                    _IDS[t] = len(_VOCAB)
                    _VOCAB.append(t)
                row.add(_IDS[t])
            ids += sorted(row)
            lens.append(len(row))
            ys.append(y)
        item.veto_rows = (np.array(ids, dtype=np.int64), np.array(lens, dtype=np.int64), ys)
    return item.veto_rows


def _units(item: Item) -> list[tuple[int, tuple[str, ...], int | None]]:
    if item.veto_units is None:
        item.veto_units = flag_units(item)
    return item.veto_units


def rate_items(items: Sequence[Item], model: VetoModel) -> list[list[float | None]]:
    """Per item, per finding, the model's P(true | flagged) (None: not a unit)."""
    out = []
    for item in items:
        probs: list[float | None] = [None] * len(item.findings)
        for k, toks, _ in _units(item):
            probs[k] = model.probability(toks)
        out.append(probs)
    return out


def flag_out_of_fold(items: Sequence[Item]) -> list[list[float | None]]:
    """Leave-one-SET-out: each set's findings rated by a model trained on the other sets."""
    out: list[list[float | None]] = [[] for _ in items]
    for source in sorted({i.source for i in items}):
        test = [k for k, i in enumerate(items) if i.source == source]
        model = fit_flags([i for i in items if i.source != source])
        for k, p in zip(test, rate_items([items[k] for k in test], model), strict=True):
            out[k] = p
    return out


def flag_rows(items: Sequence[Item], probs: Sequence[Sequence[float | None]], scorer: Scorer,
              article: int) -> list[tuple[float | None, int, int, int, int]]:
    """Per bar (first None: rules only), ``(bar, true, false, found, labelled)`` for an article.

    Only the items a bar changes are scored again (the scorer's tallies add up over items).
    """
    on = JudgeOptions(enabled=True, review_probability=0.0)
    mine = [(i, p) for i, p in zip(items, probs, strict=True)
            if article in i.clean or any(b["article"] == article for b in i.breaches)]
    base = scorer([i for i, _ in mine], [i.findings for i, _ in mine])[article]
    rows: list[tuple[float | None, int, int, int, int]] = [(None, *base)]
    for bar in FLAG_BARS:
        hit = [(i, p) for i, p in mine
               if any(q is not None and q < bar and f.article == article
                      for f, q in zip(i.findings, p, strict=True))]
        if not hit:
            rows.append((bar, *base))
            continue
        old = scorer([i for i, _ in hit], [i.findings for i, _ in hit])[article]
        new = scorer([i for i, _ in hit],
                     [decide(i.findings, i.utterances, {}, {}, {}, on, flags=p,
                             flag_bars={article: bar}) for i, p in hit])[article]
        tp, fp, found, labelled = (x - y + z for x, y, z in zip(base, old, new, strict=True))
        rows.append((bar, tp, fp, found, labelled))
    return rows


def pick_flag_bar(rows: Sequence[tuple[float | None, int, int, int, int]],
                  guards: Sequence[Sequence[tuple[float | None, int, int, int, int]]] = ()
                  ) -> float | None:
    """The bar that most raises precision within :data:`RECALL_CAP`, or None (no veto)."""
    def rec(r: tuple[float | None, int, int, int, int]) -> float:
        return r[3] / r[4] if r[4] else 1.0

    def prec(r: tuple[float | None, int, int, int, int]) -> float:
        return r[1] / (r[1] + r[2]) if r[1] + r[2] else 1.0

    base = rows[0]
    ok = [r for r in rows[1:] if rec(r) >= rec(base) - RECALL_CAP - 1e-9
          and base[2] - r[2] >= MIN_REMOVED and prec(r) > prec(base)
          and all(rec(g[j]) >= rec(g[0]) - RECALL_CAP - 1e-9
                  for g in guards for j in range(len(g)) if g[j][0] == r[0])]
    if not ok:
        return None
    best = max(ok, key=lambda r: (round(prec(r), 4), rec(r), -(r[0] or 0.0)))
    return best[0]


#: The pool of the first-run items' figures (:func:`pool`).
FIRST = "first"
#: The turn judge's out-of-fold probabilities (aligned to the items), per held-out set the
#: bars chosen without it (:func:`analyzer.training.judge.fold_bars`), and its rules:
#: :func:`nested` then also scores the turn judge and the judge with the vetoes.
Turn = tuple[Sequence[Mapping[tuple[int, str, int], float]], Mapping[str, Mapping[int, Bars]],
             Mapping[int, str]]


def pool(item: Item, guard_sets: Sequence[str]) -> str:
    """Where an item's figures go: ``first`` (a first-run record), its guard set, or ``blind``."""
    if item.first_run:
        return FIRST
    return item.source if item.source in guard_sets else "blind"


def _primary(items: Sequence[Item]) -> str:
    """The pool bars are chosen on: the first-run findings where any are present."""
    return FIRST if any(i.first_run for i in items) else "blind"


def choose_flag_bars(items: Sequence[Item], probs: Sequence[Sequence[float | None]],
                     scorer: Scorer, guard_sets: Sequence[str],
                     articles: Sequence[int] = ARTICLES) -> dict[int, float]:
    """Per article, its bar on out-of-fold ``probs`` (:func:`pick_flag_bar`); none: no veto.

    The bar is chosen on the first-run findings where any are present (what the rules
    file on wording they were not fixed from, the findings a veto is for), and every other
    pool (today's findings on the blind-written sets, each generated guard set) guards
    recall within :data:`RECALL_CAP`; without first-run items, on the blind-written sets.
    """
    keys = [pool(i, guard_sets) for i in items]
    main = _primary(items)
    sel = {key: [k for k, x in enumerate(keys) if x == key] for key in dict.fromkeys(keys)}
    out = {}
    for a in articles:  # an article no veto may touch (judge.vetoable) shows no gain here
        rows = flag_rows([items[k] for k in sel[main]], [probs[k] for k in sel[main]], scorer, a)
        guard_rows = [flag_rows([items[k] for k in ks], [probs[k] for k in ks], scorer, a)
                      for key, ks in sel.items() if key != main]
        bar = pick_flag_bar(rows, [g for g in guard_rows if g[0][4]])
        if bar is not None:
            out[a] = bar
    return out


def nested(items: Sequence[Item], scorer: Scorer, guard_sets: Sequence[str],
           articles: Sequence[int], turn: Turn | None = None
           ) -> dict[int, dict[str, list[int]]]:
    """Leave-one-SET-out of the whole recipe (model *and* bars), per article.

    Each set is judged by a veto model trained, and its bars chosen (by an inner
    leave-one-set-out), on the other sets only (their first runs included). Returns, per
    article and pool (:func:`pool`: ``first``, ``blind`` and each guard set):
    ``[false findings, breaches found, labelled]`` with the rules alone, then the same with
    the vetoes; with ``turn``, then the turn judge (its out-of-fold probabilities and the
    bars chosen without the set) and the turn judge with the vetoes (twelve numbers).
    """
    on = JudgeOptions(enabled=True, review_probability=0.0)
    out: dict[int, dict[str, list[int]]] = {a: {} for a in articles}
    for source in sorted({i.source for i in items}):
        train = [i for i in items if i.source != source]
        test = [k for k, i in enumerate(items) if i.source == source]
        bars = choose_flag_bars(train, flag_out_of_fold(train), scorer, guard_sets, articles)
        model = fit_flags(train, bars)
        rated = rate_items([items[k] for k in test], model)
        for key in dict.fromkeys(pool(items[k], guard_sets) for k in test):
            mine = [(k, p) for k, p in zip(test, rated, strict=True)
                    if pool(items[k], guard_sets) == key]
            group = [items[k] for k, _ in mine]
            runs = [[i.findings for i in group],
                    [decide(i.findings, i.utterances, {}, {}, {}, on, flags=p, flag_bars=bars)
                     for i, (_, p) in zip(group, mine, strict=True)]]
            if turn is not None:
                probs, by_fold, rules = turn
                turn_bars = by_fold.get(source, {})
                runs.append([decide(i.findings, i.utterances, probs[k], turn_bars, rules, on)
                             for i, (k, _) in zip(group, mine, strict=True)])
                runs.append([decide(i.findings, i.utterances, probs[k], turn_bars, rules, on,
                                    flags=p, flag_bars=bars)
                             for i, (k, p) in zip(group, mine, strict=True)])
            tallied = [scorer(group, r) for r in runs]
            for a in articles:
                row = [x for t in tallied for x in t[a][1:]]
                have = out[a].setdefault(key, [0] * len(row))
                out[a][key] = [p + q for p, q in zip(have, row, strict=True)]
    return out


def confirmed(figures: Mapping[str, Sequence[int]]) -> bool:
    """Whether an article's nested figures (:func:`nested`) show a gain within the cap.

    The gain (at least :data:`MIN_REMOVED` false findings removed) is counted on the
    first-run pool where there is one, else on the blind-written sets; recall may fall
    by at most :data:`RECALL_CAP` on every pool.
    """
    def within(r: Sequence[int]) -> bool:
        return not r[2] or r[4] / r[2] >= r[1] / r[2] - RECALL_CAP - 1e-9

    main = figures.get(FIRST, figures.get("blind", [0] * 6))
    return main[0] - main[3] >= MIN_REMOVED and all(within(r) for r in figures.values())


def train_flags(items: Sequence[Item], scorer: Scorer, guard_sets: Sequence[str],
                turn: Turn | None = None
                ) -> tuple[VetoModel, dict[int, dict[str, list[int]]]]:
    """The veto model on every item and its bars, with the nested figures that kept them.

    Bars are chosen on leave-one-set-out probabilities of every item
    (:func:`choose_flag_bars`); an article keeps its bar only where the nested
    leave-one-set-out of the whole recipe (:func:`nested`) shows a gain (:func:`confirmed`).
    With first-run items the nested check runs over every article (the report of what a
    veto would do on each); without, over the articles given a bar.
    """
    bars = choose_flag_bars(items, flag_out_of_fold(items), scorer, guard_sets)
    every = any(i.first_run for i in items)
    articles = list(ARTICLES) if every else sorted(bars)
    figures = nested(items, scorer, guard_sets, articles, turn) if articles else {}
    kept = {a: b for a, b in bars.items() if confirmed(figures[a])}
    return fit_flags(items, kept), figures


def nested_table(figures: Mapping[int, Mapping[str, Sequence[int]]],
                 bars: Mapping[int, float] | None = None) -> list[str]:
    """The nested figures as text: per article and pool, false findings and breaches found
    with the rules alone, the vetoes, today's turn judge and both (where measured)."""
    heads = ("rules", "veto", "judge", "judge+veto")
    lines = [f"{'art':<4} {'pool':<15} {'bar':>4} " + " ".join(f"{h:>14}" for h in heads),
             f"{'':<4} {'':<15} {'':>4} " + " ".join(f"{'fp found/n':>14}" for _ in heads)]
    total: dict[str, list[int]] = {}
    for a in sorted(figures):
        for key, row in sorted(figures[a].items(), key=lambda kv: (kv[0] != FIRST, kv[0])):
            have = total.setdefault(key, [0] * len(row))
            total[key] = [x + y for x, y in zip(have, row, strict=True)]
            bar = f"{bars[a]:.2f}" if bars and a in bars else "-"
            lines.append(f"A{a:<3} {key:<15} {bar:>4} " + " ".join(
                f"{row[j]:>4} {row[j + 1]:>4}/{row[j + 2]:<4}" for j in range(0, len(row), 3)))
    for key, row in sorted(total.items(), key=lambda kv: (kv[0] != FIRST, kv[0])):
        lines.append(f"{'all':<4} {key:<15} {'':>4} " + " ".join(
            f"{row[j]:>4} {row[j + 1]:>4}/{row[j + 2]:<4}" for j in range(0, len(row), 3)))
    return lines


def export_flags(model: VetoModel, figures: Mapping[int, Mapping[str, Sequence[int]]]
                 ) -> dict[str, Any]:
    """The weights file's ``flags`` section (:meth:`VetoModel.from_dict` reads it)."""
    crossed = re.compile(r"a(\d+)\|")

    def used(token: str) -> bool:  # a token crossed with an article that has no bar weighs nothing
        m = crossed.match(token)
        return m is None or int(m.group(1)) in model.bars

    return {"intercept": model.intercept,
            "weights": {t: model.weights[t] for t in sorted(model.weights) if used(t)},
            "bars": {str(a): b for a, b in sorted(model.bars.items())},
            "C": FLAG_C, "recall_cap": RECALL_CAP, "min_removed": MIN_REMOVED,
            "bars_tried": list(FLAG_BARS),
            "nested": {str(a): {k: list(v) for k, v in sorted(f.items())}
                       for a, f in sorted(figures.items())}}
