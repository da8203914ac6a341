"""Backtest exactness and reach on hall conversations we did not write (``dialogues-dev``).

Analyses the 100 interactions of ``../shared/data/dialogues-dev/interactions.jsonl``
once into a fresh results database (the batch's write path), then, for each of
a few rule changes of different kinds, runs the backtest
(:func:`analyzer.batch.backtest.run_backtest`) and compares its diff (findings
that appear and disappear, score and grade) with a full re-analysis of every
input under the new rules. Prints, per change: whether the diff is exact, how
many interactions change, how many the backtest analysed again and kept, and
its seconds; writes JSON (default ``benchmarks/results/backtest_exact.json``).
Nothing is fitted to the set: the changes are fixed here.

Usage::

    .venv/bin/python benchmarks/backtest_exact.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.batch.backtest import finding_key, run_backtest  # noqa: E402
from analyzer.errors import AnalyzerError  # noqa: E402
from analyzer.options import AnalyzerOptions  # noqa: E402
from analyzer.persist import persist  # noqa: E402
from analyzer.pipeline import analyze_transcript, get_lexicon  # noqa: E402
from analyzer.pipeline.result import AnalysisKey  # noqa: E402
from analyzer.pipeline.scoring import get_template  # noqa: E402
from analyzer.store import Store  # noqa: E402
from analyzer.text.transcript import load_transcripts  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "dialogues-dev" / "interactions.jsonl"
CHANGES = {
    "switch off A9-F-01, A8-F-01 30 points":
        '[[disable]]\nid = "A9-F-01"\nreason = "x"\n\n[[override]]\nid = "A8-F-01"\npoints = 30\n',
    "farewell variants (A10-R-02)": '[[override]]\nid = "A10-R-02"\nvariants = ["慢走", "再见"]\n',
    "a new forbidden phrase": '[[rule]]\nid = "X-1"\narticle = 9\nkind = "forbidden"\n'
                              'role = "staff"\ncontext = "handling"\ncanonical = "等一下"\n'
                              'points = 5\ntitle = "试验"\n',
}


def store_of(folder: Path, interactions: list, options: AnalyzerOptions) -> Path:
    """The interactions analysed once and stored; returns the database."""
    lexicon = get_lexicon(options)
    db = folder / "results.sqlite"
    with Store(db) as store:
        for it in interactions:
            digest = hashlib.sha256(json.dumps([it.id] + [u.text for u in it.utterances],
                                               ensure_ascii=False).encode()).hexdigest()
            persist(store, analyze_transcript(it, options, lexicon=lexicon, key=AnalysisKey(
                digest, "transcript", lexicon.version)), lexicon=lexicon)
    return db


def check(db: Path, interactions: list, options: AnalyzerOptions) -> dict:
    """One change: the backtest's diff against a full re-analysis."""
    lexicon = get_lexicon(options)
    with Store(db, readonly=True) as store:
        old: dict[int, set] = {int(r[0]): set() for r in store.db.query(
            "SELECT id FROM interactions ORDER BY id")}
        for r in store.db.query("SELECT interaction_pk, rule, start FROM findings"):
            old[int(r[0])].add(finding_key(str(r[1]), r[2]))
        auto = {int(r[0]): (int(r[1]), str(r[2])) for r in store.db.query(
            "SELECT id, auto_score, auto_grade FROM interactions")}
        t0 = time.perf_counter()
        result = run_backtest(store, options, lexicon, get_template(options, lexicon))
        seconds = time.perf_counter() - t0
    expected = {}
    for pk, it in zip(sorted(old), interactions, strict=True):  # stored in input order
        report = analyze_transcript(it, options, lexicon=lexicon).report
        new = {finding_key(f.rule, f.start) for f in report.findings}
        if new != old[pk] or (report.score, report.grade) != auto[pk]:
            expected[pk] = (sorted(new - old[pk], key=str), sorted(old[pk] - new, key=str))
    got = {c.pk: (sorted(c.appeared, key=str), sorted(c.disappeared, key=str))
           for c in result.changes}
    return {"exact": got == expected, "changed": len(got), "analysed": result.analysed,
            "kept": result.kept, "errors": len(result.errors), "seconds": round(seconds, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path,
                    default=ROOT / "benchmarks" / "results" / "backtest_exact.json")
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    interactions = [i for i in load_transcripts(DATA) if not isinstance(i, AnalyzerError)]
    base = AnalyzerOptions()
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        db = store_of(Path(folder), interactions, base)
        for name, text in CHANGES.items():
            path = Path(folder) / "new.toml"
            path.write_text('[lexicon]\nname = "trial"\nversion = "9"\n\n' + text, "utf-8")
            rows[name] = check(db, interactions, replace(base, lexicon=(str(path),)))
    print(f"dialogues-dev: {len(interactions)} interactions, load {os.getloadavg()[0]:.2f}")
    print(f"{'change':<40} {'exact':>6} {'changed':>8} {'analysed':>9} {'kept':>5} {'s':>6}")
    for name, r in rows.items():
        print(f"{name:<40} {str(r['exact']):>6} {r['changed']:>8} {r['analysed']:>9} "
              f"{r['kept']:>5} {r['seconds']:>6}")
    args.out.write_text(json.dumps({"n": len(interactions), "rows": rows}, ensure_ascii=False,
                                   indent=1))
    return 0 if all(r["exact"] and not r["errors"] for r in rows.values()) else 1


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("backtest_exact", "Backtest exactness on dialogues-dev", main))
