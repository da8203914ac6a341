"""Batch throughput: the optimized ``conduct batch`` against a naive Whisper loop.

One run measures, on the same machine and a generated hall corpus
(``benchmarks/hall_corpus.py``: counter visits about half silent, phone
calls with ringback):

* **baseline**: ``WhisperModel(model).transcribe(path)`` per file with
  faster-whisper's default options (beam 5, temperature fallback, no VAD,
  the model's compute type), one process, transcription only;
* **optimized**: the whole ``conduct batch`` (decode, VAD, batched 30 s
  windows, int8, beam search, rings, matching, scoring, SQLite), for each
  ``--configs`` split of cores into workers x threads and each ``--variant``
  (extra ``conduct batch`` arguments, e.g. ``--pieces-per-window 0``), on the
  full corpus and on the baseline's files.

Each side runs in its own subprocess; wall time counts from process start
(imports and model load included) and peak memory is the largest summed RSS
of the process tree. Character error rate of both is measured twice for
every row: on ``../shared/data/real-speech`` (``manifest.tsv``, five short
real clips) and on the baseline's corpus files against their scripts (two
voices, stereo, phone line; the baseline hears the channels mixed, as
``transcribe(path)`` does). The row chosen is the fastest with no worse error
rate than the baseline on both (else the fastest). ``--device cuda`` runs both
sides on a GPU. Prints a table and writes JSON (default
``benchmarks/results/throughput.json``).

    .venv/bin/python benchmarks/throughput.py            # ~13 min corpus, a few minutes
    .venv/bin/python benchmarks/throughput.py --minutes 5 --baseline-files 3
    .venv/bin/python benchmarks/throughput.py --baseline-files 4 --configs 2x1 \
        --variant "alone=" --variant "packed=--pieces-per-window 0"
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL_SPEECH = ROOT.parent / "shared" / "data" / "real-speech"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


# -- measuring a subprocess --------------------------------------------------


def _tree_rss(root: int) -> int:
    """Summed resident memory (bytes) of ``root`` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def measure(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd``; wall and CPU seconds, peak tree RSS (MiB), stdout, return code.

    CPU seconds (user + system of the process and the workers it waited for)
    show the work done even when other jobs share the cores.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    peak = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.2)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    watcher.join()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak_mib": peak / 2**20, "stdout": out,
            "rc": proc.returncode}


# -- the naive baseline (runs in its own process) ----------------------------


def baseline_main(files: list[str], device: str = "cpu") -> None:
    """Child process: default faster-whisper, one file at a time; prints JSON."""
    from faster_whisper import WhisperModel

    from analyzer.options import ASROptions
    from analyzer.speech.asr import model_path

    model = WhisperModel(str(model_path(ASROptions())), device=device)
    out = []
    for path in files:
        t0 = time.perf_counter()
        segments, info = model.transcribe(path)
        text = "".join(s.text for s in segments)
        out.append({"path": path, "seconds": info.duration, "wall": time.perf_counter() - t0,
                    "text": text})
    print(json.dumps(out, ensure_ascii=False))


# -- the optimized batch -----------------------------------------------------


def run_batch_cli(source: Path, db: Path, workers: int, threads: int,
                  extra: Sequence[str] = (), device: str = "cpu") -> dict[str, Any]:
    """``conduct batch`` in a subprocess; its measurements plus its JSON summary."""
    if db.exists():
        db.unlink()
    cmd = [sys.executable, "-m", "analyzer.cli", "batch", str(source), "--db", str(db),
           "--workers", str(workers), "--threads-per-worker", str(threads), "--no-progress",
           "--json", "--device", device, *extra]
    m = measure(cmd)
    m["summary"] = json.loads(m.pop("stdout").strip().splitlines()[-1])
    return m


def batch_texts(db: Path) -> dict[str, str]:
    """Transcript text per recording file name, from a results database."""
    from analyzer.store import Store

    with Store(db, readonly=True) as store:
        return {Path(r["source_path"]).name: "".join(u["text"] for u in store.utterances(r["id"]))
                for r in store.interactions()}


def real_speech() -> list[tuple[str, str]]:
    """(file name, reference text) of the shared real Mandarin clips."""
    with (REAL_SPEECH / "manifest.tsv").open(encoding="utf-8") as fh:
        return [(r["file"], r["reference_text"]) for r in csv.DictReader(fh, delimiter="\t")]


def corpus_cer(files: list[dict[str, Any]], texts: dict[str, str]) -> float:
    """CER of recognised ``texts`` (by file name) against the corpus scripts."""
    from hall_corpus import reference_text

    from analyzer.text.evaluation import char_error_rate

    return char_error_rate((reference_text(f), texts.get(f["path"], "")) for f in files)


def _gpu_name(device: str) -> str:
    if device != "cuda":
        return ""
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.stdout.strip()


# -- the run -----------------------------------------------------------------


def pick(files: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``n`` files spread evenly over the corpus, counter visits and calls in proportion."""
    if n >= len(files):
        return files
    calls = [f for f in files if f["kind"] == "phone"]
    n_calls = min(len(calls), max(1 if calls else 0, round(n * len(calls) / len(files))))
    counter = [f for f in files if f["kind"] != "phone"]

    def spread(group: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
        step = len(group) / k if k else 0
        return [group[int((i + 0.5) * step)] for i in range(k)]

    chosen = spread(counter, n - n_calls) + spread(calls, n_calls)
    return sorted(chosen, key=files.index)


def main() -> None:
    parser = argparse.ArgumentParser(description="conduct batch throughput vs naive Whisper")
    parser.add_argument("--minutes", type=float, default=13.0, help="corpus length")
    parser.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "results" / "corpus")
    parser.add_argument("--baseline-files", type=int, default=6,
                        help="files the (slow) baseline transcribes, spread over the corpus")
    parser.add_argument("--configs", default="2x1,1x2", help="workers x threads to measure")
    parser.add_argument("--variant", action="append", metavar="NAME=ARGS",
                        help="extra `conduct batch` arguments to measure under NAME, e.g. "
                        "'alone=--pieces-per-window 1' (repeatable; default: the defaults)")
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "throughput.json")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure on this many (gain-shifted) copies of the corpus")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="where Whisper runs, for the baseline and the batch alike")
    parser.add_argument("--baseline-worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_worker:
        baseline_main(args.baseline_worker, args.device)
        return
    from hall_corpus import generate, repeat

    args.corpus = args.corpus.resolve()  # the subset manifest lives elsewhere
    corpus = generate(args.corpus, args.minutes)
    work = Path(tempfile.mkdtemp(prefix="throughput-"))
    if args.repeat > 1:
        source, args.corpus = args.corpus, work / f"corpus-x{args.repeat}"
        corpus = repeat(source, args.corpus, args.repeat)
    chosen = pick(corpus["files"], args.baseline_files)
    try:
        result = run_all(args, corpus, chosen, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print_table(result)
    print(f"\nJSON: {args.out}")


def run_all(args: argparse.Namespace, corpus: dict[str, Any], chosen: list[dict[str, Any]],
            work: Path) -> dict[str, Any]:
    from analyzer.text.evaluation import char_error_rate

    subset = work / "subset.csv"
    subset.write_text("path\n" + "".join(f"{args.corpus / f['path']}\n" for f in chosen))
    subset_seconds = sum(f["seconds"] for f in chosen)
    clips = real_speech()
    refs = dict(clips)
    print(f"corpus: {len(corpus['files'])} files, {corpus['seconds'] / 60:.1f} min; baseline on "
          f"{len(chosen)} files, {subset_seconds / 60:.1f} min", flush=True)

    worker = [sys.executable, __file__, "--device", args.device, "--baseline-worker"]
    base = measure([*worker, *[str(args.corpus / f["path"]) for f in chosen]])
    base_files = json.loads(base.pop("stdout"))
    base_cer_run = measure([*worker, *[str(REAL_SPEECH / f) for f, _ in clips]])
    base_cer = char_error_rate((refs[Path(r["path"]).name], r["text"])
                               for r in json.loads(base_cer_run["stdout"]))
    baseline = {"files": len(chosen), "audio_seconds": subset_seconds, "wall": base["wall"],
                "cpu": base["cpu"], "hours_per_cpu_hour": subset_seconds / base["cpu"],
                "transcribe_seconds": sum(r["wall"] for r in base_files),
                "peak_mib": base["peak_mib"], "cer": base_cer,
                "corpus_cer": corpus_cer(chosen, {Path(r["path"]).name: r["text"]
                                                  for r in base_files}),
                "hours_per_hour": subset_seconds / base["wall"]}
    print(f"baseline: {baseline['hours_per_hour']:.2f} h/h, CER {base_cer:.3f}, "
          f"corpus CER {baseline['corpus_cer']:.3f}", flush=True)

    rows = []
    for cfg in args.configs.split(","):
        for name, extra in _variants(args.variant):
            rows.append(_measure_row(args, cfg, (name, extra), work, corpus, chosen, clips))
            row = rows[-1]
            print(f"optimized {row['config']}: {row['full']['hours_per_hour']:.1f} h/h, "
                  f"CER {row['cer']:.3f}, corpus CER {row['corpus_cer']:.3f}", flush=True)
    # the fastest row with no worse error rate than the baseline; else the fastest row
    fair = [r for r in rows if r["cer"] <= base_cer + 1e-9
            and r["corpus_cer"] <= baseline["corpus_cer"] + 1e-9] or rows
    best = max(fair, key=lambda r: r["full"]["hours_per_hour"])
    return {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "device": args.device, "gpu": _gpu_name(args.device),
                    "python": platform.python_version(),
                    "load_avg_at_end": os.getloadavg()},
        "corpus": {"files": len(corpus["files"]), "seconds": corpus["seconds"],
                   "baseline_files": [f["path"] for f in chosen]},
        "baseline": baseline,
        "optimized": rows,
        "best": best["config"],
        "ratio_full": best["full"]["hours_per_hour"] / baseline["hours_per_hour"],
        "ratio_same_files": best["same_files"]["hours_per_hour"] / baseline["hours_per_hour"],
        "ratio_cpu_full": best["full"]["hours_per_cpu_hour"] / baseline["hours_per_cpu_hour"],
        "cer": {"clips": len(clips), "baseline": base_cer, "optimized": best["cer"],
                "corpus_baseline": baseline["corpus_cer"],
                "corpus_optimized": best["corpus_cer"],
                "parity": best["cer"] <= base_cer + 1e-9
                and best["corpus_cer"] <= baseline["corpus_cer"] + 1e-9,
                "optimized_texts": best["cer_texts"]},
    }


def _variants(given: Sequence[str] | None) -> list[tuple[str, list[str]]]:
    """(name, extra ``conduct batch`` arguments) of each ``--variant``."""
    if not given:
        return [("defaults", [])]
    out = []
    for v in given:
        name, _, extra = v.partition("=")
        out.append((name, extra.split()))
    return out


def _measure_row(args: argparse.Namespace, cfg: str, variant: tuple[str, list[str]], work: Path,
                 corpus: dict[str, Any], chosen: list[dict[str, Any]],
                 clips: list[tuple[str, str]]) -> dict[str, Any]:
    """One workers x threads split and variant: full corpus, baseline's files, CER."""
    from analyzer.text.evaluation import char_error_rate

    name, extra = variant
    subset = work / "subset.csv"
    seconds = corpus["seconds"], sum(f["seconds"] for f in chosen)
    w, t = (int(x) for x in cfg.lower().split("x"))
    tag = f"{cfg}-{name}"
    full_db, same_db = work / f"full-{tag}.sqlite", work / f"subset-{tag}.sqlite"
    full = run_batch_cli(args.corpus, full_db, w, t, extra, args.device)
    same = run_batch_cli(subset, same_db, w, t, extra, args.device)
    cer_db = work / f"cer-{tag}.sqlite"
    run_batch_cli(REAL_SPEECH, cer_db, w, t, extra, args.device)
    texts = batch_texts(cer_db)
    return {"config": f"{w} workers x {t} threads, {name}", "workers": w, "threads": t,
            "variant": name, "batch_args": extra,
            "full": _side(full, seconds[0]), "same_files": _side(same, seconds[1]),
            "cer": char_error_rate((ref, texts.get(f, "")) for f, ref in clips),
            "corpus_cer": corpus_cer(chosen, batch_texts(same_db)),
            "full_corpus_cer": corpus_cer(corpus["files"], batch_texts(full_db)),
            "cer_texts": texts}


def _side(m: dict[str, Any], seconds: float) -> dict[str, Any]:
    s = m["summary"]
    return {"wall": m["wall"], "cpu": m["cpu"], "hours_per_cpu_hour": seconds / m["cpu"],
            "audio_seconds": s["audio_seconds"], "errors": s["errors"],
            "peak_mib": m["peak_mib"], "hours_per_hour": seconds / m["wall"],
            "timings": s["timings"], "analysed": s["analysed"]}


def print_table(r: dict[str, Any]) -> None:
    """The side-by-side table."""
    b = r["baseline"]
    print(f"\nmachine: {r['machine']['cpus']} CPUs; corpus {r['corpus']['files']} files, "
          f"{r['corpus']['seconds'] / 60:.1f} min")
    head = (f"{'path':52} {'audio min':>9} {'wall s':>8} {'h/h':>7} {'x base':>7} "
            f"{'CPU s':>7} {'h/CPU-h':>8} {'x base':>7} {'peak MiB':>9}")
    print(head)
    print("-" * len(head))
    print(f"{'baseline (default transcribe, 1 proc)':52} {b['audio_seconds'] / 60:9.1f} "
          f"{b['wall']:8.1f} {b['hours_per_hour']:7.2f} {1.0:7.1f} {b['cpu']:7.1f} "
          f"{b['hours_per_cpu_hour']:8.2f} {1.0:7.1f} {b['peak_mib']:9.0f}")
    for row in r["optimized"]:
        for key, label in (("same_files", "same files"), ("full", "full corpus")):
            s = row[key]
            name = f"batch {row['workers']}x{row['threads']} {row['variant']} ({label})"
            audio = s["audio_seconds"] / 60
            print(f"{name:52} {audio:9.1f} {s['wall']:8.1f} "
                  f"{s['hours_per_hour']:7.2f} {s['hours_per_hour'] / b['hours_per_hour']:7.1f} "
                  f"{s['cpu']:7.1f} {s['hours_per_cpu_hour']:8.2f} "
                  f"{s['hours_per_cpu_hour'] / b['hours_per_cpu_hour']:7.1f} {s['peak_mib']:9.0f}")
    c = r["cer"]
    print(f"\nCER on {c['clips']} real-speech clips: baseline {c['baseline']:.3f}; " + ", ".join(
        f"{x['workers']}x{x['threads']} {x['variant']} {x['cer']:.3f}" for x in r["optimized"]))
    print(f"CER on the baseline's {len(r['corpus']['baseline_files'])} corpus files (against "
          f"their scripts): baseline {c['corpus_baseline']:.3f}; " + ", ".join(
              f"{x['workers']}x{x['threads']} {x['variant']} {x['corpus_cer']:.3f} "
              f"(full corpus {x['full_corpus_cer']:.3f})" for x in r["optimized"]))
    print(f"chosen (fastest with both CERs <= baseline's, else fastest): {r['best']}, "
          f"{r['ratio_full']:.1f}x baseline, parity: {c['parity']}")
    timings = next(x for x in r["optimized"] if x["config"] == r["best"])["full"]["timings"]
    best = {k: v for k, v in timings.items() if not k.startswith("n_")}
    total = sum(best.values()) or 1.0
    print(f"where the time goes ({r['best']}; wall seconds of each stage summed over workers "
          "and threads, so stages that overlap or wait for a core count fully):")
    for k, v in sorted(best.items(), key=lambda kv: -kv[1]):
        print(f"  {k:18} {v:8.1f} s  {100 * v / total:5.1f} %")
    for k, v in timings.items():
        if k.startswith("n_"):
            print(f"  {k[2:]}: {int(v)}")


if __name__ == "__main__":
    main()
