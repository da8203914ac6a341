"""Lexicon matching speed: utterances per second on one core.

Replays the utterances of ``tests/data/labelled_phrases.jsonl`` as
interactions through :func:`analyzer.text.match.find_phrases` (one process, one
thread) and reports, per CPU-second of the process (the machine may be
shared), the one-off cost of loading the lexicon and compiling the
matcher, then the steady-state throughput, with and without the pinyin layer.

Usage::

    .venv/bin/python benchmarks/match_speed.py [--seconds 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.options import MatchOptions  # noqa: E402
from analyzer.text.lexicon import load_lexicon  # noqa: E402
from analyzer.text.match import find_phrases, get_matcher  # noqa: E402
from analyzer.types import Utterance  # noqa: E402

DATA = ROOT / "tests" / "data" / "labelled_phrases.jsonl"
OUT = ROOT / "benchmarks" / "results" / "match_speed.json"


def _interactions() -> list[list[Utterance]]:
    with open(DATA, encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    return [
        [Utterance(u["speaker"], u["start"], u["end"], u["text"]) for u in c["utterances"]]
        for c in cases
    ]


def _run(interactions, lexicon, options, seconds: float) -> dict[str, float]:
    """Throughput per CPU-second of this process (robust to a shared machine)."""
    n_utts = n_chars = 0
    t0, c0 = time.perf_counter(), time.process_time()
    while time.process_time() - c0 < seconds:
        for utts in interactions:
            find_phrases(utts, lexicon, options)
            n_utts += len(utts)
            n_chars += sum(len(u.text) for u in utts)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    return {
        "utterances": n_utts,
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(wall, 3),
        "utterances_per_s": round(n_utts / cpu, 1),
        "chars_per_s": round(n_chars / cpu, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="time per configuration")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    t0 = time.perf_counter()
    lexicon = load_lexicon()
    t1 = time.perf_counter()
    get_matcher(lexicon)
    t2 = time.perf_counter()
    interactions = _interactions()
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, 1 used",
        "lexicon": lexicon.version,
        "load_lexicon_ms": round((t1 - t0) * 1000, 1),
        "compile_matcher_ms": round((t2 - t1) * 1000, 1),
        "fuzzy": _run(interactions, lexicon, MatchOptions(), args.seconds),
        "exact_only": _run(interactions, lexicon, MatchOptions(fuzzy=False), args.seconds),
    }
    print(
        f"lexicon {result['lexicon']}: load {result['load_lexicon_ms']} ms, "
        f"compile {result['compile_matcher_ms']} ms"
    )
    print(f"{'mode':<12} {'utterances':>10} {'cpu s':>8} {'utt/cpu-s':>10} {'chars/cpu-s':>12}")
    for mode in ("fuzzy", "exact_only"):
        r = result[mode]
        print(
            f"{mode:<12} {r['utterances']:>10} {r['cpu_seconds']:>8} "
            f"{r['utterances_per_s']:>10} {r['chars_per_s']:>12}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("match_speed", "Matching speed", main))
