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
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from month_fixture import MonthSpec, example_reports, generate, replicate  # noqa: E402

from analyzer.batch.backtest import run_backtest  # noqa: E402
from analyzer.options import AnalyzerOptions  # noqa: E402
from analyzer.pipeline import get_lexicon  # noqa: E402
from analyzer.pipeline.scoring import get_template  # noqa: E402
from analyzer.resources import data_path  # noqa: E402
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


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished workers (load-independent)."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def peak_rss_mib() -> dict[str, int]:
    """Peak resident memory so far: this process (the driver) and its largest worker."""
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return {"driver": me, "worker": workers}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="interactions (two months)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--change", choices=("rules", "template"), default="rules",
                    help="rules: switch off the busiest forbidden phrase and weigh another "
                         "more; template: one rule's points in the scoring template")
    ap.add_argument("--replicate", type=int, default=1, metavar="K",
                    help="measure on K copies of the --n store (memory at 200,000: --n 20000 "
                         "--replicate 10)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "backtest.json")
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    db = args.out.parent / f"backtest-{args.n}.sqlite"
    build(db, args.n)
    if args.replicate > 1:
        big = args.out.parent / f"backtest-{args.n}x{args.replicate}.sqlite"
        marker = big.with_suffix(".done")
        if not (marker.exists() and marker.read_text() == str(args.replicate)):
            replicate(db, big, args.replicate)
            marker.write_text(str(args.replicate))
        db = big
    with Store(db, readonly=True) as store:
        ids = {r.id for r in load_lexicon().rules if r.kind == "forbidden"}
        counts = [(str(r[0]), int(r[1])) for r in store.db.query(  # no findings in memory
            "SELECT rule, COUNT(*) FROM findings WHERE kind = 'forbidden' GROUP BY rule "
            "ORDER BY 2 DESC") if r[0] in ids][:2]
        total = store.count()
    if args.change == "template":  # the template alone: every stored score computed again
        shipped = data_path("lexicons", "scoring.toml").read_text("utf-8")
        new_template = args.out.parent / "backtest-scoring.toml"
        new_template.write_text(shipped.replace('"A6-UNCIVIL" = 5', '"A6-UNCIVIL" = 8'), "utf-8")
        base = AnalyzerOptions()
        options = replace(base, score=replace(base.score, template=str(new_template)))
        change = "template: A6-UNCIVIL 8 points"
    else:
        override = args.out.parent / "backtest-override.toml"
        override.write_text(f'[lexicon]\nname = "bench"\nversion = "1"\n\n[[disable]]\n'
                            f'id = "{counts[0][0]}"\nreason = "bench"\n\n[[override]]\n'
                            f'id = "{counts[1][0]}"\npoints = 30\n', "utf-8")
        options = replace(AnalyzerOptions(), lexicon=(str(override),))
        change = f"disable {counts[0][0]}, {counts[1][0]} 30 points"
    lexicon = get_lexicon(options)
    template = get_template(options, lexicon)
    rows = []
    for workers in args.workers:
        with Store(db, readonly=True) as store:
            cpu0 = cpu_seconds()
            t0 = time.perf_counter()
            result = run_backtest(store, options, lexicon, template, period=month("2026-11"),
                                  workers=workers)
            seconds = time.perf_counter() - t0
            cpu = cpu_seconds() - cpu0
        rows.append({"workers": workers, "interactions": total, "seconds": round(seconds, 1),
                     "analysed": result.analysed, "kept": result.kept,
                     "cpu_s": round(cpu, 1), "load": round(os.getloadavg()[0], 2),
                     "peak_rss_mib": peak_rss_mib(),
                     "ms_per_interaction": round(1000 * seconds / total, 1),
                     "disappeared": result.disappeared, "appeared": result.appeared,
                     "changed": len(result.changes), "ranking_moves": len(result.ranking),
                     "projected_20000_s": round(seconds / total * GOAL_N, 0)})
    print(f"store: {total} interactions, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}; change: {change}")
    print(f"{'workers':>7} {'seconds':>8} {'CPU s':>7} {'ms/interaction':>15} {'analysed':>9} "
          f"{'kept':>7} "
          f"{'changed':>8} {'disappear':>10} {'appear':>7} {'peak MiB':>9} "
          f"{'20,000 at this rate':>20}")
    for r in rows:
        print(f"{r['workers']:>7} {r['seconds']:>8} {r['cpu_s']:>7} {r['ms_per_interaction']:>15} "
              f"{r['analysed']:>9} {r['kept']:>7} {r['changed']:>8} {r['disappeared']:>10} "
              f"{r['appeared']:>7} {'{driver}/{worker}'.format(**r['peak_rss_mib']):>9} {r['projected_20000_s']:>18.0f} s")
    print(f"goal: {GOAL_N} interactions in at most {GOAL_S:g} s")
    args.out.write_text(json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(),
                                    "load": round(os.getloadavg()[0], 2), "rows": rows,
                                    "goal_s": GOAL_S, "goal_n": GOAL_N}, indent=1))


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("backtest", "Backtest speed", main))
