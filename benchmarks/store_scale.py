"""A hall's month at scale: page and API latency of the real review server, and the monthly report.

Generates a results database of ``--n`` interactions (typed transcripts, the
shipped examples analysed once each by the real analyzer and stored under
generated ids with their trainers' candidates, as the batch stores them, 5
halls, 300 staff, this month and the one before it; see
``tests/month_fixture.py``), adds one user per role, starts ``conduct serve``
(uvicorn), logs in as an inspector, a supervisor and a trainer, and requests
each page ``--reps`` times, reporting the median and p95 in milliseconds
(with 7 reps the p95 is the slowest, the first request included). Inspectors'
verdicts are given to a seeded ``--reviewed`` share of the flagged
interactions (a quarter of them dismissals, with reasons), so the rule health
page (``/rules``, issue 30) and ``conduct report --rules`` read a store with
verdicts. It also times the 红黑榜 (``conduct report --month``'s code, in process),
rule health (``conduct report --rules``'s code, in process) and,
side by side on the same file, the article filter as it was before issue 16
(a correlated ``EXISTS`` per interaction; stopped after ``--peer-cap`` s).

Usage::

    .venv/bin/python benchmarks/store_scale.py [--n 20000] [--reps 7] [--cold] [--out FILE]

Prints a table and writes JSON (default ``benchmarks/results/store_scale.json``).
Follow the bench lock protocol of the house rules (``/tmp/bench.lock``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402
from month_fixture import MonthSpec, example_reports, generate  # noqa: E402
from web_fixture import running_server  # noqa: E402

from analyzer.reports.health import render_text as render_rules  # noqa: E402
from analyzer.reports.ranking import render_html  # noqa: E402
from analyzer.rules.score import load_template  # noqa: E402
from analyzer.store import Filter, Store  # noqa: E402
from analyzer.store.health import build_rule_health  # noqa: E402
from analyzer.store.periods import month  # noqa: E402
from analyzer.store.ranking import build_ranking  # noqa: E402
from analyzer.text.lexicon import load_lexicon  # noqa: E402
from analyzer.training.examples import index_examples  # noqa: E402
from analyzer.web import auth  # noqa: E402

PASSWORD = "bench-pass-123"
USERS = {"insp": "inspector", "sup": "supervisor", "tr": "trainer"}
MONTH = "2026-11"
#: Every page and API call: p95 at most this (issue 16).
GOAL_MS = 300.0


def review(store: Store, share: float, seed: int = 30) -> int:
    """Verdicts on every finding of a seeded ``share`` of the flagged interactions; how many.

    A quarter are dismissals, each with one of the dismissal reasons.
    """
    import random

    from analyzer.store.schema import DISMISS_REASONS

    rng = random.Random(seed)
    flagged = [r[0] for r in store.db.query("SELECT id FROM interactions WHERE n_findings > 0 "
                                            "ORDER BY id")]
    n = 0
    for pk in rng.sample(flagged, int(share * len(flagged))):
        for f in store.findings(pk):
            if f["verdict"] is None:
                if rng.random() < 0.25:
                    store.set_verdict(f["id"], "dismiss", "", "insp",
                                      reason=rng.choice(DISMISS_REASONS))
                else:
                    store.set_verdict(f["id"], "confirm", "", "insp")
                n += 1
    return n


def build(path: Path, n: int, reviewed: float = 0.05) -> float:
    """Generate the store (reused when one of this size exists); seconds taken."""
    marker = path.with_suffix(".done")
    if marker.exists() and marker.read_text() == f"{n} {reviewed}":
        return 0.0
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    spec = MonthSpec(month=MONTH, halls=5, windows_per_hall=12, staff=300,
                     per_staff=max(1, n // 600), seed=16, previous_month=True)
    t0 = time.perf_counter()
    with Store(path) as store:
        generate(store, spec, example_reports())
        f = next(f for f in store.findings(filters=Filter(staff="S-0001")) if f["points"] > 0)
        store.set_verdict(f["id"], "confirm", "", "insp")
        store.file_appeal(f["id"], "benchmark appeal", "sup")
        store.set_staff([(f"S-{k:04d}", f"员工{k}", "") for k in range(1, 301)], user="bench")
        index_examples(store, load_lexicon())  # what the batch does after a run
        review(store, reviewed)
    con = auth.connect(path)
    for name, role in USERS.items():
        auth.add_user(con, name, role, PASSWORD)
    con.close()
    marker.write_text(f"{n} {reviewed}")
    return time.perf_counter() - t0


def login(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, headers={"accept": "text/html"}, timeout=600)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token,
                                    "next": "/"})
    assert r.status_code == 303, r.text
    return client


def pages(pk: int) -> list[tuple[str, str]]:
    """(user, path) of every page and API call measured."""
    return [
        ("insp", "/queue"), ("insp", "/queue?article=9"), ("insp", "/queue?article=10&page=3"),
        ("insp", "/queue?rule=A9-F-05&review=unreviewed"), ("insp", "/queue?article=6"),
        ("insp", "/queue?hall=第2政务服务大厅&since=2026-11-01&until=2026-11-30"),
        ("insp", "/dashboard"), ("insp", "/dashboard?hall=第1政务服务大厅"),
        ("insp", "/dashboard?staff=S-0001"),
        ("insp", f"/interactions/{pk}"), ("insp", "/api/interactions?article=8&limit=100"),
        ("insp", "/staff"), ("insp", "/staff/S-0001"), ("insp", "/ranking"),
        ("sup", "/ranking/print"), ("sup", "/appeals"),
        ("sup", "/rules"), ("sup", "/rules?period=2026-11&by_hall=1"),
        ("sup", "/rules?period=2026-Q4&hall=第1政务服务大厅"),
        ("tr", "/examples?practice=bad&article=9"), ("tr", "/examples?practice=good"),
        ("tr", "/examples?practice=good&article=10&page=3"), ("tr", "/examples?go=1"),
        ("insp", "/search?q=你去投诉好了"), ("insp", "/search?q=您好&speaker=staff"),
        ("insp", "/search?q=你去投诉号了&pinyin=1&hall=第1政务服务大厅"),
        ("tr", "/search?q=材料不全"),
    ]


def drop_page_cache() -> None:
    """Empty the OS page cache (Linux, root), so the next read comes from the disk."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as exc:
        raise SystemExit(f"--cold needs root on Linux (/proc/sys/vm/drop_caches): {exc}") from None


def time_pages(base: str, pk: int, reps: int, skip: set[str], cold: bool) -> list[dict]:
    clients = {name: login(base, name) for name in USERS}
    rows = []
    for user, path in pages(pk):
        if path in skip:
            continue
        if cold:
            drop_page_cache()
        times, status = [], 0
        for _ in range(reps):
            t0 = time.perf_counter()
            r = clients[user].get(path)
            times.append(1000 * (time.perf_counter() - t0))
            status = r.status_code
        first = times[0]
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        rows.append({"page": path, "user": user, "status": status, "first_ms": round(first, 1),
                     "median_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1),
                     "goal_met": p95 <= GOAL_MS})
    return rows


def peer_article_filter(path: Path, cap: float) -> dict:
    """The queue's article filter as main ran it: a correlated EXISTS, on main's indexes.

    A copy of the store without the indexes schema version 4 added answers the
    queue's two queries (the page and its count) as main wrote them; stopped
    after ``cap`` seconds.
    """
    copy = path.with_name(path.stem + "-peer.sqlite")
    src, out = sqlite3.connect(path), sqlite3.connect(copy)
    src.backup(out)
    src.close()
    for index in ("ix_findings_article_pk", "ix_findings_rule_pk", "ix_interactions_score",
                  "ix_interactions_staff_day", "ix_interactions_hall_day"):
        out.execute(f"DROP INDEX IF EXISTS {index}")
    out.commit()
    deadline = time.perf_counter() + cap
    out.set_progress_handler(lambda: int(time.perf_counter() > deadline), 10000)
    where = ("WHERE i.n_findings > 0 AND EXISTS (SELECT 1 FROM findings x WHERE "
             "x.interaction_pk = i.id AND x.article = ?)")
    t0 = time.perf_counter()
    try:
        out.execute(f"SELECT i.id FROM interactions i {where} ORDER BY i.score, i.id LIMIT 50",
                    (9,)).fetchall()
        out.execute(f"SELECT COUNT(*) FROM interactions i {where}", (9,)).fetchall()
        done = True
    except sqlite3.OperationalError:
        done = False
    ms = round(1000 * (time.perf_counter() - t0), 1)
    out.close()
    for f in copy.parent.glob(copy.name + "*"):
        f.unlink()
    return {"query": "/queue?article=9 as main wrote it (correlated EXISTS, main's indexes)",
            "finished": done, "ms": ms, "cap_s": cap}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000, help="interactions (two months)")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--peer-cap", type=float, default=60.0)
    ap.add_argument("--reviewed", type=float, default=0.05,
                    help="share of the flagged interactions given verdicts")
    ap.add_argument("--cold", action="store_true",
                    help="empty the OS page cache before each page (root): its first request "
                         "reads from the disk")
    ap.add_argument("--skip", action="append", default=[], metavar="PATH",
                    help="leave this page out (repeatable)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "store_scale.json")
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    db = args.out.parent / f"store-{args.n}.sqlite"
    built = build(db, args.n, args.reviewed)
    t0 = time.perf_counter()
    with Store(db) as store:  # an older schema is migrated here, once
        opened = time.perf_counter() - t0
    with Store(db, readonly=True) as store:
        total = store.count()
        pk = store.interactions(Filter(article=9), order="score", limit=1)[0]["id"]
        t0 = time.perf_counter()
        ranking = build_ranking(store, month(MONTH), load_template())
        render_html(ranking)
        report_s = time.perf_counter() - t0
        reviews = int(store.db.query("SELECT COUNT(*) FROM reviews")[0][0])
        health_ms = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            render_rules(build_rule_health(store, month(MONTH), load_template()))
            health_ms.append(1000 * (time.perf_counter() - t0))
    with running_server(db, None) as base:
        rows = time_pages(base, pk, args.reps, set(args.skip), args.cold)
    peer = peer_article_filter(db, args.peer_cap)
    print(f"store: {total} interactions ({db.name}; generated in {built:.0f} s), "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"opening (and migrating) the store: {opened:.1f} s")
    print(f"{'page':<44} {'user':<5} {'status':>6} {'first ms':>9} {'median ms':>10} "
          f"{'p95 ms':>8} goal{' (first request on a cold cache)' if args.cold else ''}")
    for r in rows:
        print(f"{r['page']:<44} {r['user']:<5} {r['status']:>6} {r['first_ms']:>9} "
              f"{r['median_ms']:>10} {r['p95_ms']:>8} {'met' if r['goal_met'] else 'OVER'}")
    print(f"monthly 红黑榜 (build + HTML): {report_s:.2f} s")
    print(f"conduct report --rules (build + text), {reviews} verdicts in the store: median "
          f"{statistics.median(health_ms):.1f} ms, slowest {max(health_ms):.1f} ms")
    print(f"peer: article filter as before issue 16: {peer['ms']} ms"
          f"{'' if peer['finished'] else f' (stopped at the {args.peer_cap:g} s cap)'}")
    args.out.write_text(json.dumps({
        "interactions": total, "machine": platform.platform(), "cpus": os.cpu_count(),
        "load": round(os.getloadavg()[0], 2),
        "cold": args.cold, "pages": rows, "monthly_report_s": round(report_s, 3), "peer": peer,
        "reviews": reviews, "rule_health_ms": [round(x, 1) for x in health_ms],
        "generated_s": round(built, 1), "opened_s": round(opened, 2), "goal_ms": GOAL_MS}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("store_scale", "Results database at scale", main))
