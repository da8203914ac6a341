"""Does the turn-level judge generalize? Leave-one-SET-out, rules alone vs rules + judge.

The sets: the judge's training sets (:data:`analyzer.training.judge.SETS`:
``blind-halls``, ``-2``, ``-3`` and ``train-halls-1`` to ``-14``, when present)
and our two generators' visits (``ours-halls``, ``ours-dialogues``). For each set in
turn, the judge is trained on all the others (models *and* bars: the bars by
an inner leave-one-set-out on those training sets only,
:func:`analyzer.training.judge.train`) and scored on the held-out set exactly
as ``benchmarks/articles.py`` scores (per article precision over
``clean_articles``, recall by overlapping the quoted utterance). Rules alone
and rules + judge are scored on the same analysis of each interaction.

``../shared/data/dialogues-dev`` is not read here (it is measured by
``benchmarks/articles.py`` with ``--set judge.enabled=...``).

Prints the per-article table (pooled over the held-out sets) and each set's
overall figures; writes ``benchmarks/results/judge.json``.

Usage::

    .venv/bin/python benchmarks/judge.py [--halls 200] [--dialogues 200] [--out FILE]

Nested and slow (each of the 19 sets needs an inner leave-one-set-out: about 360 fits, ~30 min
on an idle 2-core box); ``--one-level`` chooses each held-out set's bars on the other sets'
out-of-fold probabilities instead (19 fits; the figures of ``docs/manual/judge.md``, session 9).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from articles import ARTICLES, Labelled, Result, Tally, print_table, score_one  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "judge.json"


def _dicts(findings: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"rule": f.rule, "article": f.article, "start": f.start, "end": f.end,
             "evidence": f.evidence} for f in findings]


def score(name: str, items: Sequence[Any], found: Sequence[Sequence[Any]]) -> Result:
    """Score analysed items (``analyzer.training.judge.Item``) with the findings given per item."""
    result = Result(name, len(items))
    for item, fs in zip(items, found, strict=True):
        score_one(Labelled(item.record, item.breaches, item.clean), _dicts(fs), result)
    return result


def tallies(items: Sequence[Any], found: Sequence[Sequence[Any]]
            ) -> dict[int, tuple[int, int, int, int]]:
    """Per article (true findings, false findings, breaches found, breaches labelled)."""
    r = score("", items, found)
    return {a: (t.true_findings, t.false_findings, t.found, t.labelled) for a, t in r.articles.items()}


def _one_level(items: Sequence[Any]) -> Any:
    """Per held-out set: a judge whose bars are chosen on the other sets' out-of-fold probabilities.

    One leave-one-set-out (one fit per set) instead of a nested one: each set is rated by models
    trained without it, and its bars are chosen (:func:`analyzer.training.judge.choose_bars`, with
    its guard sets) on the other sets' out-of-fold probabilities, whose models did see the held-out
    set — a small leak into the bars only, for a run about 18 times shorter.
    """
    from analyzer.rules.judge import ARTICLES as JUDGED
    from analyzer.rules.judge import Judge
    from analyzer.training.judge import GUARD_SETS, bar_table, default_rules, out_of_fold, pick

    oof = out_of_fold(items)
    rules = default_rules(items)
    sources = sorted({i.source for i in items})
    tables = {}  # the scorer's tallies add up over items: one table per set, summed per fold
    for s in sources:
        keep = [k for k, i in enumerate(items) if i.source == s]
        tables[s] = {a: bar_table([items[k] for k in keep], [oof[k] for k in keep], rules,
                                  tallies, a) for a in JUDGED}

    def summed(source: str, a: int) -> list[Any]:
        rows: list[list[Any]] = []
        for s in sources:
            if s == source or not tables[s][a]:
                continue
            if not rows:
                rows = [list(r) for r in tables[s][a]]
                continue
            for r, q in zip(rows, tables[s][a], strict=True):
                r[2:] = [x + y for x, y in zip(r[2:], q[2:], strict=True)]
        return [tuple(r) for r in rows]

    def judge_for(source: str) -> tuple[Any, list[Any]]:
        bars = {}
        for a in JUDGED:
            guards = [tables[g][a] for g in GUARD_SETS if g != source and tables.get(g, {}).get(a)]
            best = pick(summed(source, a), guards=guards)
            if best is not None:
                bars[a] = best
        test = [p for i, p in zip(items, oof, strict=True) if i.source == source]
        return Judge({}, bars, rules), test

    return judge_for


def held_out(items: Sequence[Any], one_level: bool = False
             ) -> tuple[Result, Result, dict[str, Any]]:
    """Rules alone and rules + judge, each set judged by a judge trained without it."""
    from analyzer.options import JudgeOptions
    from analyzer.rules.judge import Judge
    from analyzer.training.judge import rate, train

    on = JudgeOptions(enabled=True, review_probability=0.0)
    rules_only, judged = Result("rules", 0), Result("rules+judge", 0)
    per_set: dict[str, Any] = {}
    pairs: dict[str, list[tuple[float, int]]] = {}
    quick = _one_level(items) if one_level else None
    for source in sorted({i.source for i in items}):
        train_items = [i for i in items if i.source != source]
        test = [i for i in items if i.source == source]
        if quick is None:
            judge = Judge.from_dict(train(train_items, tallies))
            probs = rate(test, judge.models)
        else:
            judge, probs = quick(source)
        for i, p in zip(test, probs, strict=True):
            for u, y in zip(i.units, i.labels, strict=True):
                key = (u.article, u.level, u.index)
                if y is not None and key in p:
                    pairs.setdefault(f"{u.article}:{u.level}", []).append((p[key], y))
        from analyzer.rules.judge import decide

        after = [decide(i.findings, i.utterances, p, judge.bars, judge.rules, on)
                 for i, p in zip(test, probs, strict=True)]
        a = score(source, test, [i.findings for i in test])
        b = score(source, test, after)
        per_set[source] = {"interactions": len(test), "rules": a.overall().to_dict(),
                           "judge": b.overall().to_dict(),
                           "bars": {str(k): [v.veto, v.add] for k, v in judge.bars.items()},
                           "per_article_rules": {str(k): t.to_dict() for k, t in a.articles.items()},
                           "per_article_judge": {str(k): t.to_dict() for k, t in b.articles.items()}}
        for whole, part in ((rules_only, a), (judged, b)):
            whole.interactions += part.interactions
            for art in ARTICLES:
                whole.articles[art].add(part.articles[art])
    per_set["_auc"] = {k: _auc(v) for k, v in sorted(pairs.items(), key=lambda kv: kv[0])}
    return rules_only, judged, per_set


def _auc(pairs: Sequence[tuple[float, int]]) -> dict[str, Any]:
    """Held-out ROC AUC of one article-and-level model, with its unit counts."""
    from sklearn.metrics import roc_auc_score

    ys = [y for _, y in pairs]
    auc = roc_auc_score(ys, [p for p, _ in pairs]) if 0 < sum(ys) < len(ys) else None
    return {"units": len(ys), "positives": sum(ys), "auc": None if auc is None else round(float(auc), 3)}


def _fmt(t: Tally) -> str:
    p, r = t.precision(), t.recall()
    return f"{'-' if p is None else f'{p:.2f}'}/{'-' if r is None else f'{r:.2f}'} fp {t.false_findings}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--halls", type=int, default=200, metavar="N",
                    help="generated visits of benchmarks/hall_visits.py as the set ours-halls")
    ap.add_argument("--dialogues", type=int, default=200, metavar="N",
                    help="visits of benchmarks/dialogues.py (split dev, seed 13) as ours-dialogues")
    ap.add_argument("--one-level", action="store_true",
                    help="bars chosen on the other sets' out-of-fold probabilities, not nested")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    from analyzer.training.judge import prepare, training_items

    t0 = time.perf_counter()
    items = prepare(training_items(halls=args.halls, dialogues=args.dialogues))
    rules_only, judged, per_set = held_out(items, args.one_level)
    aucs = per_set.pop("_auc")
    print(f"leave-one-set-out over {len(per_set)} sets, {len(items)} interactions "
          f"({time.perf_counter() - t0:.0f} s); pooled over the held-out sets:\n")
    print_table([rules_only, judged])
    print(f"\n{'held-out set':<16} {'n':>4} | {'rules P/R':>22} | {'rules+judge P/R':>22} | bars (veto, add)")
    for name, s in per_set.items():
        ra, ju = Tally(), Tally()
        for k in ARTICLES:
            for t, d in ((ra, s["per_article_rules"]), (ju, s["per_article_judge"])):
                t.add(Tally(d[str(k)]["labelled"], d[str(k)]["found"], d[str(k)]["true_findings"],
                            d[str(k)]["false_findings"]))
        bars = " ".join(f"A{k}:{v[0]},{v[1]}" for k, v in s["bars"].items()) or "rules-only"
        print(f"{name:<16} {s['interactions']:>4} | {_fmt(ra):>22} | {_fmt(ju):>22} | {bars}")
    print("\nheld-out ROC AUC per model (units, positives): "
          + "  ".join(f"A{k} {v['auc']} ({v['units']}, {v['positives']})" for k, v in aucs.items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rules": rules_only.to_dict(), "judge": judged.to_dict(),
                                    "sets": per_set, "auc": aucs}, ensure_ascii=False, indent=1),
                        encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("judge", "Turn-level judge: leave-one-set-out", main))
