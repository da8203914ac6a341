"""What a batch worker's start costs, part by part, and whether overlapping its parts pays
(issue 28 item 4: model load was ~10 % of a short run's stage time).

Each try is a fresh process, as a ``conduct batch`` worker is, pinned to one CPU
(a worker of the default 2 x 1 split has one core), and times in order:

* ``imports``: ``analyzer.batch.worker`` and what it pulls in (faster-whisper,
  CTranslate2, NumPy, the options);
* ``model``: :func:`analyzer.speech.asr.get_model` (CTranslate2 reads the
  float16 ``model.bin`` and quantizes it to the worker's ``int8_float32``);
* ``sklearn``: importing scikit-learn (the worker's preload does it first: the
  mono speaker turns' k-means and silhouettes use it);
* ``preload``: the rest of the worker's preload (the Silero VAD model);
* ``warm_up``: the worker's warm-up analysis (lexicon automaton, text resources,
  the phrase detector);
* ``first audio``: the first recording of the hall corpus decoded, resampled and
  cut by the VAD (what could run while the model loads).

Then, in a second fresh process on the same one CPU, the model loads in one
thread while the first recording is decoded and cut in another: the wall time
of the two together against the sum of the two apart says what overlapping
them would save on a worker's one core.

Usage::

    nice -n 5 .venv/bin/python benchmarks/model_load.py [--repeat 3] [--cpu 0]
        [--out benchmarks/results/model_load.json]

Prints a table and writes JSON (and its page, ``docs/benchmarks/model_load.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from page import run_with_page  # noqa: E402

CORPUS = ROOT / "benchmarks" / "results" / "corpus-hall"
PARTS = ("imports", "model", "sklearn", "preload", "warm_up", "first_audio")

#: One try, in a fresh process: each part in order, then (``overlap``) the model and
#: the first recording's audio at once, in two threads.
_CHILD = r"""
import json, os, sys, threading, time
cpu, mode, first = int(sys.argv[1]), sys.argv[2], sys.argv[3]
if cpu >= 0:
    os.sched_setaffinity(0, {cpu})
os.environ["OMP_NUM_THREADS"] = "1"
t, cpu_s = {}, {}
t0, c0 = time.perf_counter(), time.process_time()
from analyzer.batch import worker
from analyzer.options import AnalyzerOptions
from analyzer.speech.asr import get_model
from analyzer.speech.decode import decode_audio
from analyzer.speech.packing import vad_pieces
options = AnalyzerOptions()
options = options.with_overrides({"asr.cpu_threads": 1})
t["imports"], cpu_s["imports"] = time.perf_counter() - t0, time.process_time() - c0

def part(name, fn):
    s, c = time.perf_counter(), time.process_time()
    fn()
    t[name], cpu_s[name] = time.perf_counter() - s, time.process_time() - c

def sklearn():
    import sklearn.cluster, sklearn.metrics

def model():
    s = time.perf_counter(); get_model(options.asr); t["model"] = time.perf_counter() - s

def audio():
    s = time.perf_counter()
    samples = decode_audio(first).samples
    for k, channel in enumerate(samples):
        vad_pieces(channel, 0, k, options.asr)
    t["first_audio"] = time.perf_counter() - s

if mode == "apart":
    part("model", lambda: get_model(options.asr))
    part("sklearn", sklearn)
    part("preload", worker._preload)
    part("warm_up", lambda: worker._warm_up(options))
    part("first_audio", audio)
else:
    s = time.perf_counter()
    threads = [threading.Thread(target=model), threading.Thread(target=audio)]
    for th in threads: th.start()
    for th in threads: th.join()
    t["together"] = time.perf_counter() - s
print(json.dumps({"wall": t, "cpu": cpu_s}))
"""


def one_try(mode: str, cpu: int, first: Path) -> dict[str, dict[str, float]]:
    """Seconds of each part in a fresh process (``mode``: ``apart`` or ``together``)."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(cpu), mode, str(first)],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per mode")
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin to (-1: none)")
    parser.add_argument("--first", type=Path, default=CORPUS / "counter-000.wav",
                        help="the first recording (decoded and cut by the VAD)")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "model_load.json")
    args = parser.parse_args()
    load_start = os.getloadavg()
    apart = [one_try("apart", args.cpu, args.first) for _ in range(args.repeat)]
    together = [one_try("together", args.cpu, args.first) for _ in range(args.repeat)]
    med = {p: statistics.median(r["wall"][p] for r in apart) for p in PARTS}
    cpu = {p: statistics.median(r["cpu"][p] for r in apart) for p in PARTS}
    total, cpu_total = sum(med.values()), sum(cpu.values())
    both = statistics.median(r["wall"]["together"] for r in together)
    sequential = med["model"] + med["first_audio"]
    print(f"worker start, fresh process pinned to CPU {args.cpu}, median of {args.repeat} "
          f"(load {load_start[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end)")
    print(f"{'part':<14}{'wall s':>8}{'CPU s':>8}{'CPU share':>11}")
    for p in PARTS:
        print(f"{p:<14}{med[p]:>8.2f}{cpu[p]:>8.2f}{100 * cpu[p] / cpu_total:>10.0f}%")
    print(f"{'all':<14}{total:>8.2f}{cpu_total:>8.2f}")
    print("(sklearn: scikit-learn's import, which the preload does first; preload: the "
          "rest of it, the VAD model)")
    print(f"\nmodel + first recording's audio apart {sequential:.2f} s, in two threads "
          f"on one CPU {both:.2f} s: overlapping saves {sequential - both:.2f} s")
    result: dict[str, Any] = {
        "cpu": args.cpu, "repeat": args.repeat, "first": str(args.first),
        "load_avg_at_start": load_start, "load_avg_at_end": os.getloadavg(),
        "median_seconds": med, "median_cpu_seconds": cpu, "apart": apart, "together": together,
        "together_median": both, "apart_model_plus_audio": sequential}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(run_with_page("model_load", "Batch worker start: model load and the rest", main))
