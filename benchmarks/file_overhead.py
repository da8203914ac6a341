"""Per-file overhead of short recordings: where a recording under a minute spends its time
besides the model (issue 28 item 3).

A batch worker (:class:`analyzer.batch.worker.AudioWorker`, the one ``conduct
batch`` runs, one CPU thread, one recording in flight at a time so stages
never wait on each other) analyses every recording under ``--max-seconds`` of
the hall-shaped corpus (``benchmarks/hall_corpus.py``) and of the shared real
sets, ``--repeat`` times. The worker reports seconds per stage
(:mod:`analyzer.speech.stages`): decoding and resampling, the same-mix
check, crosstalk silencing, VAD, attribution, levels, rings, loudness,
matching and scoring, and the recognition stages (features, encoder,
decoder, alignment, verification) for comparison. The table gives
milliseconds per file and per minute of audio, and each stage's share of
the per-file overhead (everything but recognition).

Usage::

    nice -n 5 .venv-bench/bin/python benchmarks/file_overhead.py [--repeat 2] [--limit 0]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
OUT = ROOT / "benchmarks" / "results" / "file_overhead.json"
#: Stages of the model itself (the rest is per-file overhead).
RECOGNITION = ("features", "encoder", "decoder", "generate", "align", "alignment", "verify",
               "nbest", "recognise")


def short_files(max_seconds: float, minutes: float, limit: int) -> list[tuple[str, float]]:
    """(path, seconds) of the corpus's and the shared sets' recordings under ``max_seconds``."""
    from hall_corpus import generate

    from analyzer.speech.decode import audio_extent

    corpus = ROOT / "benchmarks" / "results" / "corpus-hall"
    found = generate(corpus, minutes, shape="hall")
    files = [(str(corpus / f["path"]), f["seconds"]) for f in found["files"]]
    for name in ("real-speech", "real-speech-2", "customer-service-speech"):
        folder = ROOT.parent / "shared" / "data" / name
        for path in sorted(folder.glob("*.wav")) + sorted(folder.glob("*.mp3")):
            files.append((str(path), 60 * (audio_extent(path) or 0.0)))
    out = [(p, s) for p, s in files if 0 < s < max_seconds]
    return out[:limit] if limit else out


def is_recognition(stage: str) -> bool:
    """True for the model's own stages (not per-file overhead)."""
    return any(stage.startswith(r) for r in RECOGNITION)


def measure(files: list[tuple[str, float]], repeat: int) -> dict[str, Any]:
    """Analyse ``files`` ``repeat`` times in one worker; its stage timings."""
    from analyzer.batch.jobs import Job, JobFailed
    from analyzer.batch.worker import AudioWorker
    from analyzer.options import AnalyzerOptions
    from analyzer.speech.meta import read_meta

    worker = AudioWorker(AnalyzerOptions(), threads=1, inflight=1)
    jobs = [Job(i, path, read_meta(path, None)) for i, (path, _) in enumerate(files * repeat)]
    worker._setup()  # the model load is not per-file overhead
    worker.timings.clear()
    t0 = time.perf_counter()
    failed = [o.job.path for o in worker.run(jobs) if isinstance(o, JobFailed)]
    wall = time.perf_counter() - t0
    return {"timings": dict(worker.timings), "wall": wall, "failed": failed,
            "files": len(jobs), "audio_seconds": repeat * sum(s for _, s in files)}


def table(result: dict[str, Any]) -> None:
    """Print the stage table."""
    t = result["timings"]
    n, minutes = result["files"], result["audio_seconds"] / 60
    seconds = {k: v for k, v in t.items()
               if not k.startswith(("n_", "cpu_")) and k != "model_load"}
    overhead = {k: v for k, v in seconds.items() if not is_recognition(k)}
    total_overhead = sum(overhead.values()) or 1.0
    print(f"{n} files under {result['max_seconds']:.0f} s ({minutes:.1f} min of audio), "
          f"1 worker x 1 thread, one in flight; wall {result['wall']:.1f} s")
    head = (f"{'stage':18} {'ms/file':>9} {'ms/audio-min':>13} {'% overhead':>11} {'% all':>7}"
            f" {'CPU ms/file':>12}")
    print(head)
    print("-" * len(head))
    everything = sum(seconds.values()) or 1.0
    for k, v in sorted(seconds.items(), key=lambda kv: (is_recognition(kv[0]), -kv[1])):
        share = f"{100 * v / total_overhead:10.1f}%" if k in overhead else f"{'':>11}"
        cpu = f"{1000 * t[f'cpu_{k}'] / n:12.1f}" if f"cpu_{k}" in t else ""
        print(f"{k:18} {1000 * v / n:9.1f} {1000 * v / minutes:13.1f} {share} "
              f"{100 * v / everything:6.1f}% {cpu}")
    own = f"{1000 * t['cpu_file'] / n:12.1f}" if "cpu_file" in t else ""
    print(f"{'per-file overhead':18} {1000 * total_overhead / n:9.1f} "
          f"{1000 * total_overhead / minutes:13.1f} {100.0:10.1f}% "
          f"{100 * total_overhead / everything:6.1f}% {own}")
    print("(wall ms wait for a core the recognizer holds; CPU ms are the recording thread's "
          "own, the per-file row all of it: the model runs in other threads)")
    if result["failed"]:
        print(f"failed: {len(result['failed'])} ({', '.join(result['failed'][:3])})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--minutes", type=float, default=8.0, help="hall corpus length")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="at most this many files (0: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    files = short_files(args.max_seconds, args.minutes, args.limit)
    result = measure(files, args.repeat)
    result["max_seconds"] = args.max_seconds
    result["load_avg"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    table(result)
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("file_overhead", "Per-file overhead of short recordings", main))
