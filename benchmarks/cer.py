"""Does the product hear as well as plain faster-whisper? CER of every path, side by side.

On every real set of ``../shared/data`` (``real-speech``, ``real-speech-2``,
``customer-service-speech``; human references in each ``manifest.tsv``),
clean and as a telephone line (300-3400 Hz band, 8 kHz, G.711 mu-law, made
with sox and cached outside git), one run measures:

* ``plain``: ``faster_whisper.WhisperModel(model).transcribe(clip,
  language="zh", beam_size=5)``, the library a user would call instead
  (its default compute type; everything else faster-whisper's defaults:
  temperature fallback, previous-text context, no VAD). Its texts are cached
  per model, faster-whisper version, clip and condition, since they never change;
* ``analyze``: :func:`analyzer.pipeline.analyze` on the clip (``conduct analyze``);
* ``batch``: :func:`analyzer.batch.runner.run_batch` on a folder of the set's
  clips (``conduct batch``, one worker), texts read back from its database;
* ``stream``: :class:`analyzer.stream.live.StreamAnalyzer` fed the clip in
  0.5 s chunks (``conduct stream``; a counter microphone for clean clips,
  a phone line at 8 kHz for the telephone ones).

Per path: CER (punctuation and spaces ignored, both sides simplified,
:func:`analyzer.text.evaluation.char_error_rate`), the real-time factor
(wall seconds over audio seconds, and CPU seconds over audio seconds, since
the machine is shared) and, for the product's paths, the forbidden findings
on the real clips (none of them holds a forbidden phrase: each is a false
alarm) and the owed phrases credited that the reference does not hold. A
second table sorts each path's edits (numbers as said on both sides) by kind,
:func:`analyzer.text.evaluation.error_kinds` (numbers, the clip's edges, next
to punctuation, alike-sounding substitutions, other substitutions,
insertions, deletions), beside its number edits as written: what a margin
between two paths is made of.

Usage::

    .venv/bin/python benchmarks/cer.py [--sets real-speech,real-speech-2,customer-service-speech]
        [--conditions clean,phone] [--paths plain,analyze,batch,stream] [--limit N]
        [--subset N --subset-paths batch,stream] [--variant NAME:SECTION.KEY=VALUE,...]
        [--set asr.beam_size=5 ...] [--out benchmarks/results/cer.json]

Prints a table and writes JSON (``--set`` overrides analyzer options for the
product's paths, e.g. ``asr.initial_prompt=`` to measure without the prompt).
``--subset-paths`` run on the first ``--subset`` clips of each set only (a row
of their own compares every path on those clips): on a shared two-core machine
the stream and batch paths then bound the run. ``--variant`` adds the analyze
path with other options as a column of its own (e.g.
``greedy:asr.decoding=greedy_first,verify.enabled=false``); variants are shown,
not held to the goal. The run exits 1 when a product path misses the goal: CER
at most plain's everywhere and 10 % lower (relative) on customer-service speech,
each as written and with numbers as said.
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
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.options import AnalyzerOptions  # noqa: E402
from analyzer.speech.spoken import spoken_text  # noqa: E402
from analyzer.text.evaluation import (  # noqa: E402
    ERROR_KINDS,
    cer_text,
    char_error_rate,
    error_kinds,
)

DATA = ROOT.parent / "shared" / "data"
SETS = ("real-speech", "real-speech-2", "customer-service-speech")
CONDITIONS = ("clean", "phone")
PATHS = ("plain", "analyze", "batch", "stream")
#: Telephone versions and plain faster-whisper's texts live here (outside git).
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "conduct-analyzer" / "cer"
#: The stream is fed chunks of this many seconds.
CHUNK_SECONDS = 0.5


@dataclass
class Clip:
    """One real clip: its file, the human reference and its length."""

    set: str
    path: Path
    reference: str
    seconds: float


@dataclass
class PathRun:
    """What one path gave on one set and condition."""

    texts: dict[str, str] = field(default_factory=dict)
    forbidden: dict[str, list[str]] = field(default_factory=dict)
    credited: dict[str, list[str]] = field(default_factory=dict)
    wall: float = 0.0
    cpu: float = 0.0


def load_set(name: str, limit: int | None = None) -> list[Clip]:
    """The clips of ``../shared/data/<name>`` with their references (manifest order)."""
    folder = DATA / name
    with open(folder / "manifest.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    clips = [Clip(name, folder / r["file"], r["reference_text"], float(r["duration_s"]))
             for r in rows]
    return clips[:limit] if limit else clips


def telephone(clip: Clip) -> Path:
    """The clip as a telephone line: 300-3400 Hz band, 8 kHz, G.711 mu-law (cached)."""
    out = CACHE / "phone" / clip.set / f"{clip.path.stem}.wav"
    if not out.exists():
        if shutil.which("sox") is None:
            raise SystemExit("sox is needed for the telephone versions (apt-get install sox)")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp.wav")
        subprocess.run(["sox", str(clip.path), "-c", "1", "-e", "mu-law", "-b", "8", str(tmp),
                        "sinc", "300-3400", "rate", "8000"], check=True)
        tmp.replace(out)
    return out


def audio_path(clip: Clip, condition: str) -> Path:
    """The file a path reads for ``clip`` under ``condition``."""
    return telephone(clip) if condition == "phone" else clip.path


# -- the paths ---------------------------------------------------------------


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(run: PathRun, work: Callable[[], Any]) -> Any:
    """Run ``work``, adding its wall and CPU seconds to ``run``."""
    w0, c0 = time.perf_counter(), _cpu()
    try:
        return work()
    finally:
        run.wall += time.perf_counter() - w0
        run.cpu += _cpu() - c0


def plain(clips: list[Clip], condition: str, threads: int) -> PathRun:
    """Plain faster-whisper on every clip (texts cached; the timings of the run that made them)."""
    import faster_whisper
    from faster_whisper import WhisperModel

    from analyzer.options import ASROptions
    from analyzer.speech.asr import asr_info, model_path

    sha = asr_info(ASROptions())["model_sha256"][:12]
    key = f"{sha}-fw{faster_whisper.__version__}-{condition}"
    cache = CACHE / "plain" / f"{key}.json"
    known: dict[str, dict[str, Any]] = (json.loads(cache.read_text(encoding="utf-8"))
                                        if cache.exists() else {})
    run = PathRun()
    model = None
    for clip in clips:
        ident = f"{clip.set}/{clip.path.name}"
        if ident not in known:
            if model is None:
                model = WhisperModel(str(model_path(ASROptions())), device="cpu",
                                     cpu_threads=threads)
            one = PathRun()
            text = timed(one, lambda c=clip, m=model: "".join(
                s.text for s in m.transcribe(str(audio_path(c, condition)), language="zh",
                                             beam_size=5)[0]))
            known[ident] = {"text": text, "wall": one.wall, "cpu": one.cpu}
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(known, ensure_ascii=False, indent=0), encoding="utf-8")
        run.texts[clip.path.name] = known[ident]["text"]
        run.wall += known[ident]["wall"]
        cpu = known[ident].get("cpu")  # None: cached by a run that did not measure it
        run.cpu = run.cpu + cpu if cpu is not None and run.cpu == run.cpu else float("nan")
    return run


def _judge(run: PathRun, name: str, report: Any, reference: str) -> None:
    """Record a product report's text, forbidden findings and owed phrases credited unsaid.

    No report (nothing recognised is an error of every path) counts as an empty text.
    """
    if report is None:
        run.texts[name], run.forbidden[name], run.credited[name] = "", [], []
        return
    text = "".join(u.text for u in report.utterances)
    run.texts[name] = text
    run.forbidden[name] = [f"{f.rule} {f.evidence}" for f in report.findings
                           if f.kind == "forbidden"]
    run.credited[name] = credited(text, reference)


def credited(text: str, reference: str) -> list[str]:
    """Required lexicon phrases the product's matcher finds in ``text`` but not in ``reference``.

    A recognizer that writes an owed phrase nobody said (a prompt leaking into
    the transcript) would credit the clerk with it and hide a missing-phrase
    finding.
    """
    from analyzer.pipeline import get_lexicon
    from analyzer.text.match import find_phrases
    from analyzer.types import Utterance

    lexicon = get_lexicon(AnalyzerOptions())

    def rules(said: str) -> set[str]:
        utterance = Utterance("staff", 0.0, 1.0, said)
        return {h.rule.id for h in find_phrases([utterance], lexicon, kinds=("required",))}

    return sorted(rules(text) - rules(reference)) if text.strip() else []


def analyze(clips: list[Clip], condition: str, options: AnalyzerOptions) -> PathRun:
    """``conduct analyze`` on each clip."""
    from analyzer.pipeline import analyze as analyze_one

    run = PathRun()
    for clip in clips:
        report = timed(run, lambda c=clip: _or_none(analyze_one, audio_path(c, condition), options))
        _judge(run, clip.path.name, report, clip.reference)
    return run


def _or_none(work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)``, or None when the product reports the input as bad (nothing heard)."""
    from analyzer.errors import AnalyzerError

    try:
        return work(*args)
    except AnalyzerError as exc:
        print(f"  {exc}", file=sys.stderr)
        return None


def batch(clips: list[Clip], condition: str, options: AnalyzerOptions, threads: int) -> PathRun:
    """``conduct batch`` (one worker) over a folder holding the set's clips."""
    from analyzer.batch.runner import iter_results, run_batch

    run = PathRun()
    refs = {c.path.stem: c for c in clips}
    with tempfile.TemporaryDirectory(prefix="cer-batch-") as tmp:
        folder = Path(tmp) / "clips"
        folder.mkdir()
        for clip in clips:
            src = audio_path(clip, condition)
            (folder / f"{clip.path.stem}{src.suffix}").symlink_to(src)
        db = Path(tmp) / "results.sqlite"
        timed(run, lambda: run_batch(folder, db, options, workers=1, threads=threads))
        for report in iter_results(db):
            stem = Path(report.source).stem
            _judge(run, refs[stem].path.name, report, refs[stem].reference)
    return run


def stream(clips: list[Clip], condition: str, options: AnalyzerOptions) -> PathRun:
    """``conduct stream`` on each clip: a counter microphone, or a phone line at 8 kHz."""
    from analyzer.speech.decode import decode_audio
    from analyzer.stream.live import StreamAnalyzer

    run = PathRun()
    rate, channel = (8000, "phone") if condition == "phone" else (16000, "counter")
    for clip in clips:
        samples = decode_audio(audio_path(clip, condition), sample_rate=rate).mono()

        def feed(x: Any = samples, name: str = clip.path.stem) -> Any:
            live = StreamAnalyzer(options, rate, 1, channel=channel, interaction_id=name)
            step = int(CHUNK_SECONDS * rate)
            for i in range(0, x.size, step):
                list(live.feed(x[i:i + step]))
            list(live.close())
            return live.result.report if live.result is not None else None

        _judge(run, clip.path.name, timed(run, lambda f=feed: _or_none(f)), clip.reference)
    return run


# -- the run -----------------------------------------------------------------


def with_overrides(options: AnalyzerOptions, overrides: list[str]) -> AnalyzerOptions:
    """``options`` with ``section.key=value`` settings (``asr.vad.pad_ms=400``)."""
    for item in overrides:
        key, _, value = item.partition("=")
        options = _set(options, key.split("."), value)
    return options


def _set(obj: Any, keys: list[str], value: str) -> Any:
    current = getattr(obj, keys[0])
    if len(keys) > 1:
        return replace(obj, **{keys[0]: _set(current, keys[1:], value)})
    kinds = {f.name: f.type for f in fields(obj)}
    if keys[0] not in kinds:
        raise SystemExit(f"--set: {type(obj).__name__} has no option {keys[0]!r}")
    if isinstance(current, bool):
        parsed: Any = value.lower() in ("1", "true", "yes")
    elif isinstance(current, (int, float)):
        parsed = type(current)(value)
    else:
        parsed = value
    return replace(obj, **{keys[0]: parsed})


def measure(args: argparse.Namespace, options: AnalyzerOptions) -> dict[str, Any]:
    """Every path on every set and condition; the results as JSON-ready dicts.

    Paths named in ``--subset-paths`` run on the first ``--subset`` clips of each
    set only; a row of their own compares them there with every other path's
    texts of those same clips.
    """
    out: dict[str, Any] = {}
    for name in args.sets:
        clips = load_set(name, args.limit)
        for condition in args.conditions:
            print(f"{name} / {condition}: {len(clips)} clips, "
                  f"{sum(c.seconds for c in clips):.0f} s", file=sys.stderr, flush=True)
            few = clips[:args.subset] if args.subset else clips
            runs = {path: one_path(path, few if path in args.subset_paths else clips,
                                   condition, args.variant_options.get(path, options),
                                   args.threads)
                    for path in args.paths}
            whole = {p: r for p, r in runs.items() if p not in args.subset_paths}
            if whole:
                out[f"{name}/{condition}"] = _row(name, condition, clips, whole)
            if args.subset_paths and len(few) < len(clips):
                out[f"{name}/{condition}/first {len(few)}"] = _row(
                    name, condition, few, runs, f" (first {len(few)})",
                    {p: sum(c.seconds for c in clips) for p in whole})
            elif args.subset_paths:
                out[f"{name}/{condition}"] = _row(name, condition, clips, runs)
    return out


def _row(name: str, condition: str, clips: list[Clip], runs: dict[str, PathRun],
         note: str = "", ran: dict[str, float] | None = None) -> dict[str, Any]:
    """One table row: each path's summary on ``clips`` (``ran``: the audio seconds a
    path's run took its time over, when more than ``clips``)."""
    refs = {c.path.name: c.reference for c in clips}
    seconds = sum(c.seconds for c in clips)
    return {"set": name, "condition": condition + note, "clips": len(clips),
            "audio_seconds": round(seconds, 2),
            "characters": sum(len(cer_text(r)) for r in refs.values()),
            "paths": {path: summary(run, refs, (ran or {}).get(path, seconds))
                      for path, run in runs.items()}}


def one_path(path: str, clips: list[Clip], condition: str, options: AnalyzerOptions,
             threads: int) -> PathRun:
    if path == "plain":
        return plain(clips, condition, threads)
    if path not in PATHS or path == "analyze":  # the analyze path, or a variant of it
        return analyze(clips, condition, options)
    if path == "batch":
        return batch(clips, condition, options, threads)
    return stream(clips, condition, options)


def summary(run: PathRun, refs: dict[str, str], seconds: float) -> dict[str, Any]:
    """CER, RTF, false alarms and the per-clip texts of one path."""
    pairs = [(refs[name], run.texts.get(name, "")) for name in refs]
    said = [(ref, spoken_text(hyp)) for ref, hyp in pairs]
    kinds: Counter[str] = Counter()
    for ref, hyp in said:
        kinds += error_kinds(ref, hyp)
    return {
        "cer": round(char_error_rate(pairs), 4),
        # numbers written as said on both sides: the difference numbers make taken out
        "cer_numbers_said": round(char_error_rate(said), 4),
        # the edits with numbers as said, by kind (analyzer.text.evaluation.error_kinds)
        "error_kinds": {k: kinds[k] for k in ERROR_KINDS},
        # the edits on numbers with the texts as written (a digit against 三 is one)
        "number_edits_as_written": sum(error_kinds(ref, hyp)["number"] for ref, hyp in pairs),
        "rtf": round(run.wall / seconds, 4),
        "cpu_rtf": None if run.cpu != run.cpu else round(run.cpu / seconds, 4),
        "forbidden_findings": sum(len(v) for v in run.forbidden.values()),
        "owed_credited_unsaid": sum(len(v) for v in run.credited.values()),
        "clips": [{"file": name, "reference": ref, "text": run.texts.get(name, ""),
                   "cer": round(char_error_rate([(ref, run.texts.get(name, ""))]), 4),
                   **({"forbidden": run.forbidden[name]} if run.forbidden.get(name) else {}),
                   **({"credited": run.credited[name]} if run.credited.get(name) else {})}
                  for name, ref in refs.items()],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, print the table, write the JSON; 0 when every product path's
    CER is at most plain faster-whisper's on every set and condition, else 1."""
    results = run(argv)
    return 0 if all(ok for _, ok in goal_rows(results)) else 1


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure as ``argv`` asks; the JSON-ready results."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--paths", default=",".join(PATHS))
    ap.add_argument("--limit", type=int, default=None, help="only the first N clips of each set")
    ap.add_argument("--subset", type=int, default=0,
                    help="the --subset-paths run on only the first N clips of each set")
    ap.add_argument("--subset-paths", default="",
                    help="paths run on --subset clips (e.g. batch,stream on a busy machine)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="CPU threads of every path's model (the same for all)")
    ap.add_argument("--set", dest="overrides", action="append", default=[],
                    metavar="SECTION.KEY=VALUE", help="an analyzer option for the product's paths")
    ap.add_argument("--variant", dest="variants", action="append", default=[],
                    metavar="NAME:SECTION.KEY=VALUE[,SECTION.KEY=VALUE]",
                    help="also the analyze path with these options, as path NAME "
                         "(e.g. greedy:asr.decoding=greedy_first,verify.enabled=false)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cer.json")
    args = ap.parse_args(argv)
    args.sets, args.conditions = args.sets.split(","), args.conditions.split(",")
    args.paths = [p for p in args.paths.split(",") if p]
    args.subset_paths = [p for p in args.subset_paths.split(",") if p]
    unknown = set(args.paths) - set(PATHS)
    if unknown:
        raise SystemExit(f"--paths: unknown {sorted(unknown)}; choose from {PATHS}")
    base = AnalyzerOptions()
    options = with_overrides(replace(base, asr=replace(base.asr, cpu_threads=args.threads)),
                             args.overrides)
    args.variant_options = {}
    for item in args.variants:
        name, _, settings = item.partition(":")
        if not name or name in PATHS or not settings:
            raise SystemExit(f"--variant {item!r}: give NAME:SECTION.KEY=VALUE (a new name)")
        args.variant_options[name] = with_overrides(options, settings.split(","))
        args.paths.append(name)
    load0 = os.getloadavg()
    started = time.perf_counter()
    results = {
        "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_avg_at_start": load0},
        "options": {"asr": _plain_dict(options.asr), "pack": _plain_dict(options.pack),
                    "overrides": args.overrides, "variants": args.variants},
        "results": measure(args, options),
    }
    results["machine"]["load_avg_at_end"] = os.getloadavg()
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwritten: {args.out}")
    return results


#: On customer-service speech the product's CER is to be this much lower than plain's.
SERVICE_GAIN = 0.10


def goal_rows(results: dict[str, Any]) -> list[tuple[str, bool]]:
    """Per set, condition and product path (variants left out): whether its CER is at
    most plain's and, on customer-service speech, at least :data:`SERVICE_GAIN`
    lower (relative)."""
    out = []
    for key, row in results["results"].items():
        paths = row["paths"]
        if "plain" not in paths:
            continue
        for path, run in paths.items():
            if path == "plain" or path not in PATHS:
                continue
            for measure in ("cer", "cer_numbers_said"):
                out.append((f"{key} {path} {measure}",
                            run[measure] <= paths["plain"][measure]))
            if row["set"] == "customer-service-speech":
                for measure in ("cer", "cer_numbers_said"):
                    out.append((f"{key} {path} {measure} 10% lower",
                                run[measure] <= (1 - SERVICE_GAIN) * paths["plain"][measure]))
    return out


def _plain_dict(obj: Any) -> Any:
    return asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else obj


def print_table(results: dict[str, Any]) -> None:
    """One row per set and condition: CER of each path (RTF), false alarms."""
    rows = list(results["results"].values())
    if not rows:
        return
    paths = list(dict.fromkeys(p for row in rows for p in row["paths"]))
    print("CER: as written / numbers as said on both sides (real-time factor)\n")
    print("set / condition | chars | " + " | ".join(f"{p} CER (RTF)" for p in paths)
          + " | forbidden | owed credited unsaid")
    print("|".join(["---"] * (len(paths) + 4)))
    for row in rows:
        got = row["paths"]
        cells = [f"{row['set']} / {row['condition']}", str(row["characters"])]
        cells += [f"{got[p]['cer']:.3f} / {got[p]['cer_numbers_said']:.3f} ({got[p]['rtf']:.2f})"
                  if p in got else "-" for p in paths]
        product = [p for p in paths if p != "plain" and p in got]
        cells.append(" ".join(str(got[p]["forbidden_findings"]) for p in product) or "-")
        cells.append(" ".join(str(got[p]["owed_credited_unsaid"]) for p in product) or "-")
        print(" | ".join(cells))
    print_kinds(rows, paths)
    missed = [name for name, ok in goal_rows(results) if not ok]
    print("\ngoal (every path's CER <= plain faster-whisper's; on customer-service "
          "speech 10 % lower; each as written and with numbers as said): "
          + ("met" if not missed else "missed by " + ", ".join(missed)))


def print_kinds(rows: list[dict[str, Any]], paths: list[str]) -> None:
    """Per set and condition, each path's edits by kind (numbers as said on both
    sides), and its edits on numbers as written: what separates the paths."""
    print("\nEdits by kind, numbers as said on both sides "
          "(analyzer.text.evaluation.error_kinds; 'number, as written': the texts as "
          "each path wrote them)\n")
    print("set / condition | path | " + " | ".join(ERROR_KINDS)
          + " | all | number, as written")
    print("|".join(["---"] * (len(ERROR_KINDS) + 4)))
    for row in rows:
        for path in paths:
            got = row["paths"].get(path)
            if got is None or "error_kinds" not in got:
                continue
            kinds = got["error_kinds"]
            print(" | ".join([f"{row['set']} / {row['condition']}", path,
                              *(str(kinds[k]) for k in ERROR_KINDS), str(sum(kinds.values())),
                              str(got["number_edits_as_written"])]))


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("cer", "Recognition: character error rate", main))
