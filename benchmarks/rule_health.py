"""Rule health at 200,000 interactions: "how precise is rule X this month", page and report.

Takes the generated store of ``--n`` interactions (``benchmarks/backtest.py``'s,
``tests/month_fixture.py``: the shipped examples analysed once and stored under
generated ids, 5 halls, 300 staff, two months), copies its rows ``--replicate``
times under new ids in SQL (:func:`month_fixture.replicate`; the store's own
triggers keep the rollups), gives inspectors' verdicts to a seeded
``--reviewed`` share of the flagged interactions through the store's own
``set_verdict`` (a quarter dismissals, with reasons: ``store_scale.review``),
adds a supervisor, and times, ``--reps`` times each:

* ``conduct report --rules``'s work in process: :func:`build_rule_health` for the
  month plus the text rendering, and the same for one hall and ``--by-hall``;
* the answer to "how precise is rule X this month": the month's health and the
  busiest rule's row in it;
* the supervisors' page ``/rules`` (and ``?by_hall=1``, ``&hall=``) on the real
  server (``conduct serve``, uvicorn), logged in.

Prints median and p95 in milliseconds (goal: p95 at most 300 ms) and writes JSON
(default ``benchmarks/results/rule_health.json``).

Usage::

    .venv/bin/python benchmarks/rule_health.py [--n 20000] [--replicate 10] [--reps 20]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from backtest import build  # noqa: E402
from month_fixture import replicate  # noqa: E402
from store_scale import login, review  # noqa: E402
from web_fixture import running_server  # noqa: E402

from analyzer.reports.health import render_text  # noqa: E402
from analyzer.rules.score import load_template  # noqa: E402
from analyzer.store import Store  # noqa: E402
from analyzer.store.health import build_rule_health  # noqa: E402
from analyzer.store.periods import month  # noqa: E402
from analyzer.web import auth  # noqa: E402

GOAL_MS = 300.0
MONTH = "2026-11"
PASSWORD = "bench-pass-123"


def prepare(n: int, times: int, reviewed: float, out: Path) -> Path:
    """The replicated store with verdicts and a supervisor (reused when it exists)."""
    src = out.parent / f"backtest-{n}.sqlite"
    build(src, n)
    db = out.parent / f"backtest-{n}x{times}.sqlite"  # benchmarks/backtest.py --replicate's
    marker = db.with_name(db.stem + "-verdicts.done")
    if marker.exists() and marker.read_text() == f"{n} {times} {reviewed}":
        return db
    made = db.with_suffix(".done")
    if not (made.exists() and made.read_text() == str(times)):
        replicate(src, db, times)
        made.write_text(str(times))
    with Store(db) as store:
        review(store, reviewed)
    con = auth.connect(db)
    auth.add_user(con, "sup", "supervisor", PASSWORD)
    con.close()
    marker.write_text(f"{n} {times} {reviewed}")
    return db


def timed(reps: int, run) -> dict[str, float]:
    """Median and p95 (the slowest but one of 20; the slowest with fewer) in ms."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"first_ms": round(times[0], 1), "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(p95, 1), "goal_met": p95 <= GOAL_MS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000, help="generated interactions (two months)")
    ap.add_argument("--replicate", type=int, default=10, help="copies of them")
    ap.add_argument("--reviewed", type=float, default=0.02,
                    help="share of the flagged interactions given verdicts")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                    "rule_health.json")
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    db = prepare(args.n, args.replicate, args.reviewed, args.out)
    built = time.perf_counter() - t0
    template = load_template()
    period = month(MONTH)
    rows = []
    with Store(db, readonly=True) as store:
        total = store.count()
        reviews = int(store.db.query("SELECT COUNT(*) FROM reviews")[0][0])
        health = build_rule_health(store, period, template)
        busiest = max((r for r in health.rows if r.rule), key=lambda r: r.figures.reviewed)
        hall = store.db.query("SELECT hall FROM interactions LIMIT 1")[0][0]
        cases = {
            "report --rules (month, text)":
                lambda: render_text(build_rule_health(store, period, template)),
            "report --rules --by-hall":
                lambda: render_text(build_rule_health(store, period, template, by_hall=True)),
            "report --rules, one hall":
                lambda: render_text(build_rule_health(store, period, template, hall=hall)),
            f"precision of {busiest.rule} this month":
                lambda: build_rule_health(store, period, template).rule(busiest.rule),
        }
        for name, run in cases.items():
            rows.append({"what": name, "where": "in process", **timed(args.reps, run)})
    with running_server(db, None) as base:
        client = login_as(base)
        for path in ("/rules?period=" + MONTH, f"/rules?period={MONTH}&by_hall=1",
                     f"/rules?period={MONTH}&hall={hall}"):
            status = client.get(path).status_code
            assert status == 200, (path, status)
            rows.append({"what": "GET " + path, "where": "conduct serve",
                         **timed(args.reps, lambda p=path: client.get(p))})
    load = os.getloadavg()[0]
    print(f"store: {total} interactions ({db.name}, prepared in {built:.0f} s), {reviews} "
          f"verdicts, {os.cpu_count()} CPUs, load {load:.2f}")
    print(f"{busiest.rule} in {MONTH}: {busiest.figures.confirmed}/{busiest.figures.reviewed} "
          f"confirmed of {busiest.figures.findings} findings")
    print(f"{'what':<52} {'where':<14} {'median ms':>10} {'p95 ms':>8} goal")
    for r in rows:
        print(f"{r['what']:<52} {r['where']:<14} {r['median_ms']:>10} {r['p95_ms']:>8} "
              f"{'met' if r['goal_met'] else 'OVER'}")
    print(f"goal: p95 at most {GOAL_MS:g} ms at 200,000 interactions")
    args.out.write_text(json.dumps({"interactions": total, "reviews": reviews, "rows": rows,
                                    "machine": platform.platform(), "cpus": os.cpu_count(),
                                    "load": round(load, 2), "goal_ms": GOAL_MS},
                                   ensure_ascii=False, indent=1))


def login_as(base: str):
    """A supervisor's client (``store_scale.login`` with this benchmark's password)."""
    import store_scale

    store_scale.PASSWORD = PASSWORD
    return login(base, "sup")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("rule_health", "Rule health at scale", main))
