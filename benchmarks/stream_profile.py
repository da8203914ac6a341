"""Where a live finding's time goes, and what one recognition tick costs.

Used by ``benchmarks/stream_latency.py --profile``:

* :func:`profile` feeds calls in real time to :class:`~analyzer.stream.StreamAnalyzer`
  lines in this process (one thread per line, as the listener's pool runs
  them; the listener's one recognizer: :func:`analyzer.stream.scheduler.line_recognizer`
  over the process's engine; a line behind takes its backlog in steps of the
  listener's ``FEED_SECONDS``), and splits each scripted forbidden phrase's
  latency (phrase end -> finding) along the trace of the recognition that
  told it (:class:`analyzer.stream.online.DecodeTrace`):
  ``wait for audio`` (the pause's padding, or the utterance's end when only
  the ended utterance told it — the wait the agreement of two decodings used
  to add), ``line behind`` (the line's thread still busy with earlier work
  when that audio arrived), ``held`` (waiting for its turn in the line scheduler), ``queued``
  (in the engine behind other batches), ``encoder``, ``decoder``, ``align``,
  ``verify`` and ``rest`` (matching, rules, Python);
* :func:`tick_cost` times one engine batch of 1, 2 and 4 bins (each a live
  piece after its context, as the stream asks) stage by stage: on a CPU the
  encoder's cost grows with the bins, so batching lines raises capacity only
  as far as the decoder's and Python's share allows.
"""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

STAGES = ("wait for audio", "line behind", "held", "queued", "encoder", "decoder", "align",
          "verify", "rest")


def _pcm(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    return data.reshape(-1, channels).T.copy(), rate


def _line(call: Any, recognizer: Any, options: Any, out: dict[str, Any]) -> None:
    """One line fed in real time; its events with arrival times and its traces."""
    try:
        _fed(call, recognizer, options, out)
    except Exception as exc:  # a line that failed is reported, not lost in its thread
        out[call.name] = {"events": [], "traces": [], "error": repr(exc)}
        raise


def _fed(call: Any, recognizer: Any, options: Any, out: dict[str, Any]) -> None:
    from analyzer.stream import StreamAnalyzer
    from analyzer.stream.server import FEED_SECONDS

    pcm, rate = _pcm(call.wav)
    t0 = time.monotonic()
    sa = StreamAnalyzer(options, rate, pcm.shape[0], channel="phone",
                        interaction_id=call.name, recognizer=recognizer,
                        clock=lambda: time.monotonic() - t0)
    events, pos, step = [], 0, int(FEED_SECONDS * rate)
    while pos < pcm.shape[1]:
        due = min(pcm.shape[1], int((time.monotonic() - t0) * rate))
        if due <= pos:
            time.sleep(0.02)
            continue
        hi = min(due, pos + step)
        events += [(e, time.monotonic() - t0) for e in sa.feed(pcm[:, pos:hi])]
        pos = hi
    events += [(e, time.monotonic() - t0) for e in sa.close()]
    out[call.name] = {"events": events, "traces": list(sa.online.traces)}


def fed_at_once(calls: list[Any], n: int, recognizer: Any, options: Any
                ) -> tuple[list[Any], dict[str, Any]]:
    """``n`` of the calls (in turn) fed at once in real time, a line each in its own
    thread over ``recognizer``; the calls chosen and what each line gave (:func:`_line`)."""
    chosen = [calls[k % len(calls)] for k in range(n)]
    got: dict[str, Any] = {}
    threads = [threading.Thread(target=_line, args=(c, recognizer, options, got))
               for c in chosen]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return chosen, got


def profile(calls: list[Any], counts: list[int], options: Any) -> dict[str, Any]:
    """Every concurrency of ``counts``: the calls fed at once, their latency split."""
    from analyzer.speech.engine import get_engine
    from analyzer.stream.scheduler import line_recognizer

    engine = get_engine(options.asr, options.pack)
    result: dict[str, Any] = {}
    for n in counts:
        recognizer = line_recognizer(engine, options.stream.partial_speakers,
                                     options.pack.share,
                                     options.stream.at_once(options.asr.device))
        chosen, got = fed_at_once(calls, n, recognizer, options)
        vad = options.asr.vad
        result[f"x{n}"] = split(chosen, got, (vad.min_silence_ms - vad.pad_ms) / 1000)
    return result


def split(calls: list[Any], got: dict[str, Any], ended_after: float) -> dict[str, Any]:
    """Each phrase's latency along its recognition's trace, and the recognitions' totals
    (``ended_after``: seconds of audio after a piece's end before its utterance is known
    to have ended: the VAD's minimum silence less its padding)."""
    rows, traces = [], []
    for call in calls:
        events, line = got[call.name]["events"], got[call.name]["traces"]
        traces += line
        report_at = next((at for e, at in events if type(e).__name__ == "ReportEvent"),
                         float("inf"))
        live = [(e.finding, at) for e, at in events  # told while the call ran
                if type(e).__name__ == "FindingEvent" and e.finding.kind == "forbidden"
                and at < report_at]
        for p in call.phrases:
            hit = [(f, at) for f, at in live if f.rule == p["rule"] and f.start is not None
                   and min(p["end"], f.end or f.start) - max(p["start"], f.start) > -1.5]
            if not hit:
                rows.append({"call": call.name, "rule": p["rule"], "latency": None})
                continue
            _, at = min(hit, key=lambda x: x[1])
            told = [t for t in line if t.speaker == "staff" and t.answered <= at + 1e-3]
            trace = told[-1] if told else None
            rows.append({"call": call.name, "rule": p["rule"], "latency": round(at - p["end"], 3),
                         "kind": trace.kind if trace else None,
                         "parts": _parts(p["end"], at, trace, ended_after)})
    return {"phrases": rows, "shares": _shares([r for r in rows if r["latency"] is not None]),
            "recognitions": _totals(traces)}


def _parts(end: float, at: float, trace: Any, ended_after: float) -> dict[str, float]:
    if trace is None:
        return {"rest": round(at - end, 3)}
    stages = trace.stages
    # the audio the recognition needed: to the pause's padding, or the utterance's end
    # and the silence that told it had ended
    due = trace.audio_end + (ended_after if trace.kind in ("end", "deferred") else 0.0)
    parts = {"wait for audio": max(0.0, due - end),
             "line behind": max(0.0, trace.asked - max(due, end)),
             "held": trace.held, "queued": trace.queued,
             **{k: stages.get(k, 0.0) for k in ("encoder", "decoder", "align", "verify")}}
    parts["rest"] = max(0.0, (at - end) - sum(parts.values()))
    return {k: round(v, 3) for k, v in parts.items()}


def _shares(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Each part's share of the summed latency of the phrases found."""
    total = sum(r["latency"] for r in rows) or 1.0
    return {k: round(sum(r["parts"].get(k, 0.0) for r in rows) / total, 3) for k in STAGES}


def _totals(traces: list[Any]) -> dict[str, Any]:
    """Recognitions by kind, and the seconds each stage took over all of them."""
    kinds: dict[str, int] = {}
    for t in traces:
        kinds[t.kind] = kinds.get(t.kind, 0) + 1
    seconds = {k: round(sum(t.stages.get(k, 0.0) for t in traces), 1)
               for k in ("encoder", "decoder", "align", "verify")}
    return {"by_kind": kinds, "stage_seconds": seconds,
            "queued_seconds": round(sum(t.queued for t in traces), 1),
            "held_seconds": round(sum(t.held for t in traces), 1),
            "mean_bins": round(float(np.mean([t.bins for t in traces])), 2) if traces else 0}


def tick_cost(call: Any, sizes: list[int], repeat: int, options: Any) -> dict[str, Any]:
    """Seconds of one engine batch of ``size`` bins, each a 2.5 s piece after 10 s of
    context (the stream's request), stage by stage (median of ``repeat``)."""
    from analyzer.speech.decode import SAMPLE_RATE, decode_audio
    from analyzer.speech.engine import get_engine
    from analyzer.speech.packing import Bin, Piece

    audio = decode_audio(call.wav).samples[0]
    engine = get_engine(options.asr, options.pack)
    recognizer = engine.transcriber.recognizer
    out: dict[str, Any] = {}
    for size in sizes:
        bins = []
        for k in range(size):  # different speech in each bin
            at = int((5 + 7 * k) * SAMPLE_RATE) % max(1, audio.size - 13 * SAMPLE_RATE)
            b = Bin()
            b.add(Piece(k, 1, 0.0, audio[at:at + 10 * SAMPLE_RATE], context=True))
            b.add(Piece(k, 0, 11.0, audio[at + 10 * SAMPLE_RATE:at + 25 * SAMPLE_RATE // 2]))
            bins.append(b)
        runs = []
        for _ in range(repeat):
            timings: dict[str, float] = {}
            recognizer.timings = timings
            t0 = time.perf_counter()
            recognizer.recognise_full(bins)
            runs.append({"tick": time.perf_counter() - t0,
                         "encoder": timings.get("features+encoder", 0.0),
                         "decoder": timings.get("decoder", 0.0),
                         "align": timings.get("align", 0.0)})
        recognizer.timings = engine.timings
        med = {k: round(float(np.median([r[k] for r in runs])), 3) for k in runs[0]}
        med["per_bin"] = round(med["tick"] / size, 3)
        out[str(size)] = med
    return out


def profile_text(prof: dict[str, Any], ticks: dict[str, Any]) -> str:
    """The profile's tables (Markdown)."""
    out = ["\nwhere a finding's time goes (phrase end -> finding, in-process lines fed in "
           "real time; share of the summed latency):\n",
           "| calls | found | p50 / p95 s | " + " | ".join(STAGES) + " | told at (kind) |",
           "|---|---|---|" + "---|" * len(STAGES) + "---|"]
    for key, data in prof.items():
        lat = [r["latency"] for r in data["phrases"] if r["latency"] is not None]
        kinds: dict[str, int] = {}
        for r in data["phrases"]:
            if r["latency"] is not None:
                kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
        p = (f"{np.percentile(lat, 50):.2f} / {np.percentile(lat, 95):.2f}" if lat else "-")
        out.append(f"| {key} | {len(lat)}/{len(data['phrases'])} | {p} | "
                   + " | ".join(f"{data['shares'][k]:.0%}" for k in STAGES)
                   + f" | {', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))} |")
    out += ["\nrecognitions asked (by kind), and the seconds their batches spent per stage:\n",
            "| calls | by kind | encoder | decoder | align | verify | queued | held | "
            "mean bins per batch |", "|---|---|---|---|---|---|---|---|---|"]
    for key, data in prof.items():
        r = data["recognitions"]
        s = r["stage_seconds"]
        out.append(f"| {key} | {r['by_kind']} | {s['encoder']} | {s['decoder']} | {s['align']} "
                   f"| {s['verify']} | {r['queued_seconds']} | {r['held_seconds']} | "
                   f"{r['mean_bins']} |")
    if ticks:
        out += ["\none engine tick (a batch of bins, each a 2.5 s piece after 10 s of context), "
                "median seconds:\n", "| bins | tick | encoder | decoder | align | per bin |",
                "|---|---|---|---|---|---|"]
        out += [f"| {k} | {v['tick']} | {v['encoder']} | {v['decoder']} | {v['align']} | "
                f"{v['per_bin']} |" for k, v in ticks.items()]
    return "\n".join(out) + "\n"


class FixedCost:
    """Stands in for the listener's recognition engine with a fixed cost per bin, spent
    sleeping (no CPU: the figures do not depend on the machine's load), batching what
    waits as the engine does (up to ``batch_size`` bins a tick, a tick costing
    ``bin_seconds`` per bin, as an engine tick on a CPU does); every piece is heard as
    one word. Only the schedule is measured: who waits for whom."""

    def __init__(self, bin_seconds: float, batch_size: int = 4) -> None:
        self.bin_seconds, self.batch_size = bin_seconds, batch_size
        self._cond = threading.Condition()
        self._queue: list[dict[str, Any]] = []
        self.ticks: list[int] = []
        threading.Thread(target=self._serve, daemon=True, name="fixed-cost-engine").start()

    def transcribe_many(self, tracks: Any, options: Any, *, verifier: Any = None,
                        cut: bool = True) -> list[list[Any]]:
        from analyzer.speech.decode import SAMPLE_RATE
        from analyzer.types import Utterance, Word

        seconds = sum(t.samples.size / SAMPLE_RATE + 1.0 for t in tracks)
        request = {"bins": max(1, int(np.ceil(seconds / 30.0))), "done": threading.Event()}
        with self._cond:
            self._queue.append(request)
            self._cond.notify_all()
        request["done"].wait()
        out = []
        for t in tracks:
            start = round(t.offset + t.lead, 3)
            end = round(t.offset + t.samples.size / SAMPLE_RATE - t.trail, 3)
            out.append([] if t.context else [Utterance(t.speaker, start, end, "嗯",
                                                       (Word("嗯", start, end),), 0.9, t.known)])
        return out

    def _serve(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue))
                batch, bins = [], 0
                while self._queue and (not batch or bins + self._queue[0]["bins"]
                                       <= self.batch_size):
                    bins += self._queue[0]["bins"]
                    batch.append(self._queue.pop(0))
            time.sleep(bins * self.bin_seconds)
            self.ticks.append(bins)
            for request in batch:
                request["done"].set()


def schedule(calls: list[Any], n: int, bin_seconds: float, options: Any) -> dict[str, Any]:
    """``n`` calls fed at once in real time to lines in this process, over a
    :class:`FixedCost` engine, with one request in the engine at a time, with no cap
    (``stream.engine_at_once`` 1 and 256), and one at a time with ``stream.fold_kept``: how
    long each of the clerks' clauses and the
    citizens' utterances waited for its words (from the audio it needed: the pause's
    padding, or the utterance's end and the silence that told it had ended)."""
    from analyzer.stream.scheduler import line_recognizer

    vad = options.asr.vad
    ended_after = (vad.min_silence_ms - vad.pad_ms) / 1000
    from dataclasses import replace

    out: dict[str, Any] = {}
    folded = replace(options, stream=replace(options.stream, fold_kept=True))
    for name, at_once, opts in (("1 at a time", 1, options), ("no cap", 256, options),
                                ("1 at a time, fold_kept", 1, folded)):
        engine = FixedCost(bin_seconds)
        recognizer = line_recognizer(engine, opts.stream.partial_speakers,
                                     opts.pack.share, at_once)
        chosen, got = fed_at_once(calls, n, recognizer, opts)
        waits: dict[str, list[float]] = {"staff": [], "citizen": []}
        for call in chosen:
            for t in got[call.name]["traces"]:
                if t.kind in ("pause", "end") and t.speaker == "staff":
                    due = t.audio_end + (ended_after if t.kind == "end" else 0.0)
                    waits["staff"].append(t.answered - due)
            # a citizen's utterance: its event's arrival (alone, together, or in a clerk's bin)
            waits["citizen"] += [at - e.utterance.end - ended_after
                                 for e, at in got[call.name]["events"]
                                 if type(e).__name__ == "UtteranceEvent"
                                 and e.utterance.speaker == "citizen"]
        out[name] = {
            **{f"{who}_{q}": (round(float(np.percentile(v, q)), 3) if v else None)
               for who, v in waits.items() for q in (50, 95)},
            "staff_n": len(waits["staff"]), "citizen_n": len(waits["citizen"]),
            "mean_bins_per_tick": round(float(np.mean(engine.ticks)), 2) if engine.ticks else 0}
    return {"calls": n, "bin_seconds": bin_seconds, "configs": out}


def schedule_text(data: dict[str, Any]) -> str:
    """The schedule's table (Markdown)."""
    out = [f"\nthe schedule alone ({data['calls']} calls in real time, an engine of "
           f"{data['bin_seconds']} s per bin spent sleeping; a clerk's clause: its pause's "
           "padding or its utterance's end -> its words):\n",
           "| engine | clerk's clause p50 / p95 s (n) | citizen's utterance p50 / p95 s (n) "
           "| bins per tick |", "|---|---|---|---|"]
    for name, s in data["configs"].items():
        out.append(f"| {name} | {s['staff_50']} / {s['staff_95']} ({s['staff_n']}) | "
                   f"{s['citizen_50']} / {s['citizen_95']} ({s['citizen_n']}) | "
                   f"{s['mean_bins_per_tick']} |")
    return "\n".join(out) + "\n"
