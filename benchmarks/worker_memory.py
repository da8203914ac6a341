"""What one batch worker holds: resident memory stage by stage (issue 28: <= 1 GiB per worker).

A batch worker (:class:`analyzer.batch.worker.AudioWorker`, what ``conduct
batch`` runs in each worker process; ``--threads`` CPU threads, ``--inflight``
recordings at once) is started in a fresh process for each configuration and
analyses every recording of the corpus (default: the hall-shaped corpus of
``benchmarks/hall_corpus.py --shape hall``, the throughput benchmark's). Its
resident memory (``VmRSS``; the peak ``VmHWM``) is read after each start-up
stage — imports, the Whisper model, scikit-learn and the VAD model, the
lexicon and text resources, the verifier, the act detector — and sampled
every 50 ms while it analyses. Configurations, side by side in one run:

* ``product``: as ``conduct batch`` runs (two malloc arenas,
  :mod:`analyzer.memory`; one 30 s window per encoder call on a CPU,
  :data:`analyzer.speech.packing.CPU_ENCODER_WINDOWS`). A worker holds one
  model: the driver sends telephone-band lines (heard with
  ``asr.phone_compute_type``'s float32 weights) to workers holding that model
  alone, fewer at once (:func:`analyzer.batch.executor.held_inflight`), and
  the other lines to int8 workers; so ``product`` is one worker per kind the
  corpus holds, each on its kind's recordings (columns ``product:<compute type>``);
* ``before``: one malloc arena per thread (glibc's default) and four
  windows per encoder call (the batch), as the worker ran before;
* ``phone-float32``: one worker for every recording, holding the int8
  model and, for the telephone-band lines, a second, float32 one beside it
  (how a worker met phone lines before the kinds were sent apart);
* ``float32``: the product with ``asr.compute_type=float32`` (one float32
  model for every line);
* ``int8-only``: one int8 worker for every line (phone lines too, as before
  ``asr.phone_compute_type`` was float32);
* ``int16-mkl``: one ``int16`` model for every line. CTranslate2 offers
  ``int16`` on this AMD CPU only through Intel MKL, which it leaves off on a
  non-Intel CPU unless ``CT2_USE_MKL=1`` is set before its first model loads
  (the whole process then runs its int8 and float32 GEMMs on MKL too); the
  child gets that environment, with MKL's weight packing and memory cache
  off (``CT2_PACKED_GEMM=0``, ``MKL_DISABLE_FAST_MM=1``), which hold more
  (measured: 1,160-1,280 MiB peak off, 1,456 on; MKL's integer GEMMs cost this CPU ~8x).

``product`` and ``before`` give the same words: the arena limit changes only
where freed memory waits, and the encoder's output is the same bit for bit
whether windows are encoded one by one or four at a time. The float32
configurations hear with other weights (their words are not compared).

Usage::

    nice -n 5 .venv/bin/python benchmarks/worker_memory.py [--corpus DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
OUT = ROOT / "benchmarks" / "results" / "worker_memory.json"
CORPUS = ROOT / "benchmarks" / "results" / "corpus-hall"
#: name -> (limit the malloc arenas, windows per encoder call, ASR options changed)
CONFIGS: dict[str, tuple[bool, int, dict[str, str]]] = {
    "product": (True, 1, {}), "before": (False, 4, {}),
    "phone-float32": (True, 1, {}),
    "float32": (True, 1, {"compute_type": "float32"}),
    "int16-mkl": (True, 1, {"compute_type": "int16"}),
    "int8-only": (True, 1, {"phone_compute_type": ""})}
#: name -> environment the configuration's worker process starts with
CONFIG_ENV: dict[str, dict[str, str]] = {
    "int16-mkl": {"CT2_USE_MKL": "1", "CT2_PACKED_GEMM": "0", "MKL_DISABLE_FAST_MM": "1"}}
#: configurations measured unless --configs says otherwise
DEFAULT_CONFIGS = ("product", "before")


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process, MiB."""
    text = Path("/proc/self/status").read_text()
    now = int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]
    peak = int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]
    return now, peak


def child(args: argparse.Namespace) -> None:
    """One worker in this process: its stages' memory, as JSON on stdout."""
    trace: list[dict[str, Any]] = []

    def mark(stage: str) -> None:
        now, peak = rss_mib()
        trace.append({"stage": stage, "rss_mib": round(now), "peak_mib": round(peak)})

    mark("python")
    from dataclasses import replace

    import analyzer.memory
    import analyzer.speech.packing as packing
    from analyzer.batch.executor import held_inflight
    from analyzer.batch.jobs import Job
    from analyzer.batch.worker import AudioWorker, _preload, _warm_up
    from analyzer.options import AnalyzerOptions

    mark("imports")
    arenas, windows, asr = CONFIGS[args.child]
    if not arenas:
        analyzer.memory.limit_malloc_arenas = lambda arenas=0: False  # glibc's default
    packing.CPU_ENCODER_WINDOWS = windows
    options = AnalyzerOptions()
    options = replace(options, asr=replace(options.asr, **asr))  # type: ignore[arg-type]
    files = sorted(str(p) for p in Path(args.corpus).glob("*.wav"))[: args.limit or None]
    inflight = args.inflight
    if args.held:  # one kind's worker, as the batch driver runs it
        files = [f for f in files if _kind(f, options) == args.held]
        inflight = held_inflight(options, args.held, inflight)
    worker = AudioWorker(options, threads=args.threads, inflight=inflight,
                         compute_type=args.held)
    from analyzer.pipeline import get_lexicon
    from analyzer.rules.acts import heard_acts
    from analyzer.speech.asr import get_model
    from analyzer.speech.verify import get_verifier

    get_model(worker.held)
    mark("Whisper model")
    _preload()
    mark("scikit-learn, VAD model")
    _warm_up(worker.options)
    mark("lexicon, text resources")
    get_verifier(worker.options, get_lexicon(worker.options))
    heard_acts(["您好"], worker.options)
    mark("verifier, act detector")
    sampled, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            sampled[0] = max(sampled[0], rss_mib()[0])
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    t0, cpu0 = time.monotonic(), time.process_time()
    words, failed = {}, []
    for n, out in enumerate(worker.run(Job(i, p) for i, p in enumerate(files)), 1):
        result = getattr(out, "result", None)
        if result is not None:
            words[Path(out.job.path).name] = [u.text for u in result.interaction.utterances]
        else:
            failed.append(f"{Path(out.job.path).name}: {getattr(out, 'error', '')}")
        if n == 1:
            mark("first recording done")
    done.set()
    mark("all recordings done")
    print(json.dumps({"config": args.child + (f":{args.held}" if args.held else ""),
                      "inflight": inflight, "files": len(files),
                      "wall_seconds": round(time.monotonic() - t0, 1),
                      "cpu_seconds": round(time.process_time() - cpu0, 1), "trace": trace,
                      "peak_mib": round(rss_mib()[1]), "sampled_peak_mib": round(sampled[0]),
                      "words": words, "failed": failed}, ensure_ascii=False))


def _kind(path: str, options: Any) -> str:
    """The compute type the batch driver sends ``path``'s line to (its worker kind)."""
    from analyzer.speech.band import line_compute_type
    from analyzer.speech.meta import read_meta

    return line_compute_type(path, read_meta(path).channel, options.asr)


def _kinds(args: argparse.Namespace) -> list[str]:
    """The worker kinds the product runs the corpus on (one per compute type held)."""
    from analyzer.options import AnalyzerOptions

    options = AnalyzerOptions()
    files = sorted(str(p) for p in args.corpus.glob("*.wav"))[: args.limit or None]
    return sorted({_kind(f, options) for f in files})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of WAV recordings")
    parser.add_argument("--limit", type=int, default=0, help="first N recordings only (0: all)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of the worker")
    parser.add_argument("--inflight", type=int, default=6, help="recordings at once")
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS),
                        help=f"which to run, of {', '.join(CONFIGS)}")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", choices=tuple(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--held", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    if not any(args.corpus.glob("*.wav")):
        print(f"no WAV recordings in {args.corpus} (make them: benchmarks/hall_corpus.py "
              "--shape hall)", file=sys.stderr)
        return 2
    load = os.getloadavg()[0]
    runs = []
    children = [(name, held) for name in args.configs.split(",")
                for held in (_kinds(args) if name == "product" else [""])]
    for name, held in children:
        cmd = [sys.executable, __file__, "--child", name, "--corpus", str(args.corpus),
               "--limit", str(args.limit), "--threads", str(args.threads),
               "--inflight", str(args.inflight), "--held", held]
        env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), **CONFIG_ENV.get(name, {})}
        env.pop("MALLOC_ARENA_MAX", None)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
            return proc.returncode
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    heard: dict[str, dict[str, Any]] = {}  # each configuration's words (its kinds together)
    for r in runs:
        heard.setdefault(r["config"].split(":")[0], {}).update(r["words"])
    same = len({json.dumps(words, sort_keys=True) for name, words in heard.items()
                if not CONFIGS[name][2]}) <= 1
    total = len(list(args.corpus.glob("*.wav"))[: args.limit or None])
    print(f"worker: {args.threads} thread(s), {args.inflight} in flight; corpus {args.corpus.name} "
          f"({total} recordings); load {load:.1f} -> {os.getloadavg()[0]:.1f}")
    stages = [t["stage"] for t in runs[0]["trace"]]
    head = f"{'stage (resident MiB after it)':32}" + "".join(f"{r['config']:>22}" for r in runs)
    print(head)
    print("-" * len(head))
    for i, stage in enumerate(stages):
        print(f"{stage:32}" + "".join(f"{r['trace'][i]['rss_mib']:22d}" for r in runs))
    at_once = ["{} ({})".format(r["files"], r["inflight"]) for r in runs]
    print(f"{'recordings (at once)':32}" + "".join(f"{cell:>22}" for cell in at_once))
    print(f"{'peak (VmHWM)':32}" + "".join(f"{r['peak_mib']:22d}" for r in runs))
    print(f"{'wall s':32}" + "".join(f"{r['wall_seconds']:22.1f}" for r in runs))
    print(f"{'CPU s':32}" + "".join(f"{r['cpu_seconds']:22.1f}" for r in runs))
    print(f"same words in every configuration of the same weights: {'yes' if same else 'NO'}")
    product = [r for r in runs if r["config"].split(":")[0] == "product"]
    if product:
        peak = max(r["peak_mib"] for r in product)
        each = ", ".join("{} {}".format(r["config"], r["peak_mib"]) for r in product)
        print(f"goal <= 1 GiB per worker: {'met' if peak <= 1024 else 'MISSED'} ({each} MiB)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"load_start": load, "same_words": same, "runs": [
        {k: v for k, v in r.items() if k != "words"} for r in runs]}, ensure_ascii=False),
        encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("worker_memory", "Batch worker memory", main))
