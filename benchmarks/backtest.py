"""Backtest speed: ``conduct lexicon backtest`` over a generated store, read-only.

Generates (or reuses) a results database of ``--n`` interactions
(``tests/month_fixture.py``: the shipped example transcripts analysed once and
stored under generated ids, staff, halls and times, as ``store_scale.py``
does), writes a lexicon override that disables the busiest forbidden rule and
weighs another more, and times :func:`analyzer.batch.backtest.run_backtest`
with the 红黑榜 comparison, for each ``--workers`` count given. Prints a table
(seconds, ms per interaction, findings that disappear) and writes JSON
(default ``benchmarks/results/backtest.json``). The issue's goal: 20,000
interactions in at most 60 s on 2 cores.

Usage::

    .venv/bin/python benchmarks/backtest.py [--n 2000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from month_fixture import MonthSpec, example_reports, generate  # noqa: E402

from analyzer.batch.backtest import run_backtest  # noqa: E402
from analyzer.options import AnalyzerOptions  # noqa: E402
from analyzer.pipeline import get_lexicon  # noqa: E402
from analyzer.pipeline.scoring import get_template  # noqa: E402
from analyzer.store import Store  # noqa: E402
from analyzer.store.periods import month  # noqa: E402
from analyzer.text.lexicon import load_lexicon  # noqa: E402

GOAL_S, GOAL_N = 60.0, 20000


def build(path: Path, n: int) -> None:
    """The store of ``n`` interactions (reused when one of this size exists)."""
    marker = path.with_suffix(".done")
    if marker.exists() and marker.read_text() == str(n):
        return
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    spec = MonthSpec(month="2026-11", halls=5, windows_per_hall=12, staff=300,
                     per_staff=max(1, n // 600), seed=30, previous_month=True)
    with Store(path) as store:
        generate(store, spec, example_reports())
    marker.write_text(str(n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="interactions (two months)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "backtest.json")
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    db = args.out.parent / f"backtest-{args.n}.sqlite"
    build(db, args.n)
    with Store(db, readonly=True) as store:
        ids = {r.id for r in load_lexicon().rules if r.kind == "forbidden"}
        counts = Counter(f["rule"] for f in store.findings() if f["rule"] in ids).most_common(2)
        total = store.count()
    override = args.out.parent / "backtest-override.toml"
    override.write_text(f'[lexicon]\nname = "bench"\nversion = "1"\n\n[[disable]]\n'
                        f'id = "{counts[0][0]}"\nreason = "bench"\n\n[[override]]\n'
                        f'id = "{counts[1][0]}"\npoints = 30\n', "utf-8")
    options = replace(AnalyzerOptions(), lexicon=(str(override),))
    lexicon = get_lexicon(options)
    template = get_template(options, lexicon)
    rows = []
    for workers in args.workers:
        with Store(db, readonly=True) as store:
            t0 = time.perf_counter()
            result = run_backtest(store, options, lexicon, template, period=month("2026-11"),
                                  workers=workers)
            seconds = time.perf_counter() - t0
        rows.append({"workers": workers, "interactions": total, "seconds": round(seconds, 1),
                     "ms_per_interaction": round(1000 * seconds / total, 1),
                     "disappeared": result.disappeared, "appeared": result.appeared,
                     "changed": len(result.changes), "ranking_moves": len(result.ranking),
                     "projected_20000_s": round(seconds / total * GOAL_N, 0)})
    print(f"store: {total} interactions, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}; change: disable {counts[0][0]}, {counts[1][0]} 30 points")
    print(f"{'workers':>7} {'seconds':>8} {'ms/interaction':>15} {'changed':>8} "
          f"{'disappear':>10} {'appear':>7} {'20,000 at this rate':>20}")
    for r in rows:
        print(f"{r['workers']:>7} {r['seconds']:>8} {r['ms_per_interaction']:>15} "
              f"{r['changed']:>8} {r['disappeared']:>10} {r['appeared']:>7} "
              f"{r['projected_20000_s']:>18.0f} s")
    print(f"goal: {GOAL_N} interactions in at most {GOAL_S:g} s")
    args.out.write_text(json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(),
                                    "load": round(os.getloadavg()[0], 2), "rows": rows,
                                    "goal_s": GOAL_S, "goal_n": GOAL_N}, indent=1))


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("backtest", "Backtest speed", main))
